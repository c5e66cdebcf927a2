"""The peer-debriefing summary as Markdown that renders cleanly on GitHub and in pandoc.

Transcript text, memos and notes are escaped: markup characters get a backslash, so
`<`, `>` and `&` cannot open HTML, which pandoc would otherwise pass through.
"""

from __future__ import annotations

import re

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

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&~])")


def escape(text: str) -> str:
    """Text shown literally: every Markdown or HTML special character backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def _cell(text: str) -> str:
    return escape(text).replace("\n", " ")


def _block(block: Block) -> list[str]:
    match block:
        case Heading(level, text):
            return [f"{'#' * level} {escape(text)}"]
        case Para(text, lead):
            return [f"*{escape(lead)}:* {escape(text)}" if lead else escape(text)]
        case Table(header, rows, numeric):
            lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
                     "| " + " | ".join("---:" if n else "---" for n in numeric) + " |"]
            return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        case Quote(text, source):
            return [f"> {escape(line)}" if line else ">" for line in text.splitlines()] + [">", f"> — {escape(source)}"]
        case Items(items):
            return [f"- {_cell(item)}" for item in items]
        case Chart():
            return []  # the table above it has the same figures; only HTML draws the chart
    raise TypeError(f"no Markdown for {block!r}")


def render_markdown(debrief: Debrief, lang: str = "en") -> str:
    """The whole summary as one Markdown document."""
    parts = [_block(block) for block in summary_blocks(debrief, lang)]
    return "\n\n".join("\n".join(lines) for lines in parts if lines) + "\n"
