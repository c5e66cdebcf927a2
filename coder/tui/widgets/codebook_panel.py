"""The codebook beside the transcript: the code tree with keys and colours, and the
definition, criteria and example of the highlighted code.

The panel takes a third of a narrow terminal and at most 48 columns, so the
transcript keeps its width; each code is one line, cut rather than wrapped, so
that every theme stays in view.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from coder.codebook.study_codebook import typed_keys
from coder.storage.models import Code


def code_label(code: Code, colour: str | None, depth: int, key: str | None) -> Text:
    """`1 ■ Name`, or `1.2 ■ Name` for a core element (typed `e 1 2`), with the swatch in the
    code's colour, indented under its theme; one line, cut with "…"."""
    label = Text("  " * depth, no_wrap=True, overflow="ellipsis")
    label.append(f"{key:<4}" if key else "    ", style="bold")
    label.append("■ ", style=colour or "grey50")
    label.append(code.name)
    return label


def code_details(code: Code) -> Text:
    """Definition, inclusion and exclusion criteria and examples of one code."""
    text = Text()
    text.append(f"{code.name}", style="bold")
    if code.name_en:
        text.append(f"  ({code.name_en})", style="italic")
    text.append(f"\n{code.definition}\n")
    for title, body in (("Include", code.include), ("Exclude", code.exclude)):
        if body:
            text.append(f"\n{title}\n", style="bold")
            text.append("".join(f"• {line}\n" for line in body.splitlines()))
    examples = json.loads(code.examples or "[]")
    if examples:
        text.append("\nExample\n", style="bold")
        text.append("".join(f"“{example}”\n" for example in examples), style="italic")
    return text


class CodebookPanel(Vertical):
    """Code tree on top, details of the highlighted code below."""

    DEFAULT_CSS = """
    CodebookPanel { width: 34%; max-width: 48; min-width: 24; border-left: solid $primary; }
    CodebookPanel OptionList { height: auto; max-height: 70%; border: none; text-wrap: nowrap; text-overflow: ellipsis; }
    CodebookPanel VerticalScroll { height: 1fr; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.codes: list[Code] = []

    def compose(self) -> ComposeResult:
        yield OptionList(id="codebook-tree")
        with VerticalScroll():
            yield Static("", id="codebook-details")

    def show_codes(self, codes: list[Code]) -> None:
        """Fill the tree: `codes` in codebook order, parents before their children."""
        self.codes = codes
        by_id = {code.id: code for code in codes}

        def depth_and_colour(code: Code) -> tuple[int, str | None]:
            depth, colour, node = 0, code.color, code
            while node.parent_id in by_id:
                node = by_id[node.parent_id]
                depth += 1
                colour = colour or node.color
            return depth, colour

        keys = typed_keys(codes)
        tree = self.query_one("#codebook-tree", OptionList)
        tree.clear_options()
        tree.add_options(Option(code_label(code, *reversed(depth_and_colour(code)), keys.get(code.code_id)),
                                id=code.code_id) for code in codes)
        if codes:
            self.highlight(codes[0].code_id)

    def highlight(self, code_id: str) -> None:
        tree = self.query_one("#codebook-tree", OptionList)
        index = next((i for i, code in enumerate(self.codes) if code.code_id == code_id), None)
        if index is not None:
            tree.highlighted = index

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        code = next(code for code in self.codes if code.code_id == event.option.id)
        self.query_one("#codebook-details", Static).update(code_details(code))
