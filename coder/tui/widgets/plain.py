"""Text the user or a colleague wrote, shown as text: never read as Rich or Textual markup.

Titles, code names, coder names, memos and transcript text can hold `[` and `]`
("[pauze]", "Interview [/]"); read as markup they would vanish, restyle the
screen or crash it. Every static text on the workbench's screens is a `Plain`.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.widgets import Static


class Plain(Static):
    """A `Static` that shows its content literally."""

    def __init__(self, content: str = "", **options) -> None:
        super().__init__(content, markup=False, **options)


def literal(text: str) -> Text:
    """`text` as a renderable that is never parsed (for options and table cells)."""
    return Text(text)


def escaped(text: str) -> str:
    """`text` with markup brackets escaped, for widgets that read strings as markup but are
    compared as strings (table cells)."""
    return escape(text)


def one_line(text: str, width: int) -> str:
    """`text` on one line of at most `width` characters, ending in "…" when cut: a memo or a
    fragment in a list, enough to recognise it."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
