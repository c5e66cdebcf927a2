"""The peer-debriefing summary as one self-contained HTML file that prints well on A4.

Inline CSS, an inline SVG chart of kappa per theme with its interval, no scripts and
nothing fetched from elsewhere. Every piece of text passes through `html.escape`.
"""

from __future__ import annotations

from html import escape

from coder.report.debrief_data import Debrief
from coder.report.debrief_text import (
    Block,
    Chart,
    Heading,
    Items,
    Para,
    Quote,
    Table,
    summary_blocks,
)

CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: Georgia, "Times New Roman", serif; font-size: 10.5pt; line-height: 1.45;
       color: #1a1a1a; max-width: 178mm; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 20pt; margin: 0 0 .2em; }
h2 { font-size: 14pt; border-bottom: 1px solid #999; padding-bottom: .15em; margin-top: 1.6em;
     break-after: avoid; }
h3 { font-size: 12pt; margin-top: 1.3em; break-after: avoid; }
h4 { font-size: 10.5pt; margin: 1em 0 .3em; text-transform: uppercase; letter-spacing: .05em;
     color: #444; break-after: avoid; }
table { border-collapse: collapse; margin: .6em 0 1em; font-size: 9.5pt; width: 100%; }
th, td { border-bottom: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #666; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
blockquote { margin: .5em 0 .9em 1em; padding-left: .8em; border-left: 3px solid #bbb; break-inside: avoid; }
blockquote footer { font-size: 9pt; color: #555; margin-top: .2em; }
figure { margin: .8em 0 1em; break-inside: avoid; }
figcaption { font-size: 9pt; color: #555; }
svg text { font-family: Georgia, "Times New Roman", serif; font-size: 11px; fill: #1a1a1a; }
"""

#: Chart geometry (SVG user units): label column, plot width, row height.
LABEL_WIDTH, PLOT_WIDTH, ROW = 250, 380, 24


def _x(value: float) -> float:
    """Position of a kappa value on the axis from -1 to 1 (intervals beyond it are clipped)."""
    return LABEL_WIDTH + (max(-1.0, min(1.0, value)) + 1) / 2 * PLOT_WIDTH


def chart_svg(chart: Chart) -> str:
    """Kappa per row as a dot on a line for its 95% interval, with the 0 line and ticks."""
    height = ROW * len(chart.rows) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LABEL_WIDTH + PLOT_WIDTH + 20} {height}" '
             f'width="100%" role="img" aria-label="{escape(chart.title)}">']
    for tick in (-1, -0.5, 0, 0.2, 0.4, 0.6, 0.8, 1):
        x = _x(tick)
        stroke = "#666" if tick == 0 else "#ddd"
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}" stroke="{stroke}"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{tick:g}</text>')
    for index, (name, kappa, low, high) in enumerate(chart.rows):
        y = 4 + ROW * index + ROW / 2
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(name)}</text>')
        if low is not None and high is not None:
            parts.append(f'<line x1="{_x(low):.1f}" y1="{y:.1f}" x2="{_x(high):.1f}" y2="{y:.1f}" '
                         f'stroke="#0072b2" stroke-width="2"/>')
        if kappa is None:
            parts.append(f'<text x="{_x(0) + 6:.1f}" y="{y + 4:.1f}">—</text>')
        else:
            parts.append(f'<circle cx="{_x(kappa):.1f}" cy="{y:.1f}" r="4.5" fill="#0072b2"/>')
    parts.append("</svg>")
    return "".join(parts)


def _cell(tag: str, text: str, numeric: bool) -> str:
    return f'<{tag} class="num">{escape(text)}</{tag}>' if numeric else f"<{tag}>{escape(text)}</{tag}>"


def _block(block: Block) -> str:
    match block:
        case Heading(level, text):
            return f"<h{level}>{escape(text)}</h{level}>"
        case Para(text, lead):
            return f"<p><em>{escape(lead)}:</em> {escape(text)}</p>" if lead else f"<p>{escape(text)}</p>"
        case Table(header, rows, numeric):
            head = "".join(_cell("th", h, n) for h, n in zip(header, numeric, strict=True))
            body = "".join("<tr>" + "".join(_cell("td", c, n) for c, n in zip(row, numeric, strict=True)) + "</tr>" for row in rows)
            return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        case Quote(text, source):
            lines = "<br>".join(escape(line) for line in text.splitlines())
            return f"<blockquote><p>{lines}</p><footer>— {escape(source)}</footer></blockquote>"
        case Items(items):
            return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"
        case Chart(title):
            return f"<figure>{chart_svg(block)}<figcaption>{escape(title)}</figcaption></figure>"
    raise TypeError(f"no HTML for {block!r}")


def render_html(debrief: Debrief, lang: str = "en") -> str:
    """The whole summary as one HTML document."""
    blocks = summary_blocks(debrief, lang)
    title = next(b.text for b in blocks if isinstance(b, Heading))
    body = "\n".join(_block(block) for block in blocks)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
