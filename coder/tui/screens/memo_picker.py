"""Which coding a memo goes with, when the fragment under the cursor has several: a short
list of them by code name and span, those with a memo marked ✎; enter chooses."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from coder.coding.queries import CodingRow, segment_span
from coder.tui.widgets.plain import Plain, literal, one_line
from coder.tui.widgets.transcript_pane import MEMO_MARK

#: Characters of a memo shown after its coding: enough to tell two memos apart.
MEMO_PREVIEW = 40


class MemoTargetPicker(ModalScreen[CodingRow | None]):
    """Choose one of `codings` (those under the cursor) to write its memo."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, codings: list[CodingRow]) -> None:
        super().__init__()
        self.codings = codings

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain("Memo on which coding?", classes="dialog-title")
            yield OptionList(*(Option(literal(self.label(coding)), id=str(index))
                               for index, coding in enumerate(self.codings)), id="memo-targets")
            yield Plain("enter writes its memo · escape cancels", classes="dialog-hint")

    @staticmethod
    def label(coding: CodingRow) -> str:
        memo = f"  {MEMO_MARK} {one_line(coding.memo, MEMO_PREVIEW)}" if coding.memo.strip() else ""
        return f"{coding.name} · {segment_span(coding.first, coding.last)}{memo}"

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.codings[int(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)
