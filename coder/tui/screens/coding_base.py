"""What the coding and the blind coding screens share: digit keys that toggle a code,
the fuzzy code picker, the help, the memo on a coding, and the write path under them.

Each screen lists its own `BINDINGS` from the bindings here, so that its footer and
help keep their order; what a key does is written once, here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from textual.binding import Binding

from coder.coding.actions import set_memo
from coder.coding.queries import CodingRow
from coder.storage.database import Study
from coder.storage.models import Code
from coder.tui.actions import ActionScreen
from coder.tui.screens.dialogs import CodePicker, HelpDialog, MemoDialog

DIGITS = "1234567890"
TOGGLE = [Binding(d, f"toggle('{d}')", "Toggle code", show=d == "1", key_display="0-9") for d in DIGITS]
PICK = Binding("c", "pick", "Pick code")
MEMO = Binding("m", "memo", "Memo")
HELP = Binding("question_mark", "help", "Help")
BACK = Binding("escape,q", "back", "Back")


class CodingBase(ActionScreen):
    """A screen on which one coder applies codes and writes memos.

    A subclass keeps what it shows in `loaded` (which has the active `codes`), and
    says how a code is applied (`apply`), how a change is committed and reread
    (`commit`), and which coding a memo goes with (`memo_target`).
    """

    def __init__(self, study: Study, coder: str | None) -> None:
        super().__init__(study)
        self.coder = coder
        self.loaded: Any = None

    @property
    def codes(self) -> list[Code]:
        """The study's active codes, once loaded."""
        return self.loaded.codes if self.loaded is not None else []

    def can_write(self) -> bool:
        """Whether an action can be taken now; says why not when there is a reason to give."""
        if self.coder is None:
            self.notify("Start coder with --as NAME (or set CODER_USER) to code.", severity="error")
            return False
        return self.loaded is not None

    def apply(self, code_id: str) -> None:
        """Toggle the code `code_id` on what this screen codes."""
        raise NotImplementedError

    def commit(self, change: Callable[[Session], str]) -> None:
        """Write `change` (which returns what to tell the coder) and redraw what it touched."""
        raise NotImplementedError

    def memo_target(self) -> tuple[CodingRow, str] | None:
        """The coding a memo goes with and the memo dialog's title; None (having said why) when there is none."""
        raise NotImplementedError

    def action_toggle(self, key: str) -> None:
        code = next((c for c in self.codes if c.key == key), None)
        if code is None:
            self.notify(f"No code has key {key}; press c to pick any code.", severity="warning")
        elif self.can_write():
            self.apply(code.code_id)

    def action_pick(self) -> None:
        if self.can_write():
            self.app.push_screen(CodePicker(self.codes), self._picked)

    def _picked(self, code_id: str | None) -> None:
        if code_id:
            self.apply(code_id)

    def action_memo(self) -> None:
        target = self.memo_target() if self.can_write() else None
        if target is None:
            return
        coding, title = target
        coder = self.coder

        def save(memo: str | None) -> None:
            if memo is None or memo == coding.memo:
                return

            def change(session: Session) -> str:
                set_memo(session, coding.id, memo, coder)
                return "memo saved"

            self.commit(change)

        self.app.push_screen(MemoDialog(title, coding.memo), save)

    def help_rows(self) -> list[tuple[str, str]]:
        """Each key of this screen and what it does; the digits once."""
        return [(b.key_display or b.key, b.description) for b in self.BINDINGS if b.key not in DIGITS[1:]]

    def action_help(self) -> None:
        self.app.push_screen(HelpDialog(self.help_rows()))

    def action_back(self) -> None:
        self.app.pop_screen()
