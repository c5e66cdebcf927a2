"""What the coding and the blind coding screens share: digit keys that toggle a code,
`e` and two digits for a core element, the fuzzy code picker, the help, the memo on a
coding, and the write path under them.

Each screen lists its own `BINDINGS` from the bindings here, so that its footer and
help keep their order; what a key does is written once, here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from textual.binding import Binding

from coder.codebook.study_codebook import typed_keys
from coder.coding.actions import set_memo
from coder.coding.queries import CodingRow
from coder.storage.database import Study
from coder.storage.models import Code
from coder.tui.actions import ActionScreen
from coder.tui.code_names import code_names
from coder.tui.screens.dialogs import CodePicker, HelpDialog, MemoDialog, help_row

DIGITS = "1234567890"
TOGGLE = [Binding(d, f"toggle('{d}')", "Code", show=d == "1", key_display="0-9") for d in DIGITS]
ELEMENT = Binding("e", "element", "Element", key_display="e 1 2")
PICK = Binding("c", "pick", "Pick")
MEMO = Binding("m", "memo", "Memo")
PANEL = Binding("p", "panel", "Codebook panel", show=False)
HELP = Binding("question_mark", "help", "Help")
BACK = Binding("escape,q", "back", "Back")

#: Seconds within which the digits after `e` count as one chord.
CHORD_SECONDS = 5.0
#: Below this terminal width the codebook panel starts folded away, so the transcript keeps 60 columns.
NARROW = 90


class CodingBase(ActionScreen):
    """A screen on which one coder applies codes and writes memos.

    A subclass keeps what it shows in `loaded` (which has the active `codes`), and
    says how a code is applied (`apply`), how a change is committed and reread
    (`commit`), and which coding a memo goes with (`memo_target`, or an
    `action_memo` of its own that calls `edit_memo`).
    """

    def __init__(self, study: Study, coder: str | None) -> None:
        super().__init__(study)
        self.coder = coder
        self.loaded: Any = None
        #: The digits typed since `e`, and when `e` was pressed; None outside a chord.
        self.chord: tuple[str, float] | None = None
        #: Whether the coder folded the codebook panel away (`p`); None: by the terminal's width.
        self.folded: bool | None = None

    @property
    def codes(self) -> list[Code]:
        """The study's active codes, once loaded."""
        return self.loaded.codes if self.loaded is not None else []

    def code_name(self, code_id: str) -> str:
        """A code as the codebook names it, for what the screen tells the coder."""
        return code_names(self.codes).get(code_id, code_id)

    def applied(self) -> set[str]:
        """The codes the coder already has on exactly what the next code would go on."""
        return set()

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
        if self.chord is not None and time.monotonic() - self.chord[1] < CHORD_SECONDS:
            self._chord_digit(key)
            return
        self.chord = None
        self._toggle_typed(key)

    def _toggle_typed(self, typed: str) -> None:
        """Toggle the code reached by `typed` ("3", or "1.2" for a core element)."""
        code_id = next((code for code, keys in typed_keys(self.codes).items() if keys == typed), None)
        if code_id is None:
            self.notify(f"No code has key {typed.replace('.', ' ')}; press c to pick any code.", severity="warning")
        elif self.can_write():
            self.apply(code_id)

    def action_element(self) -> None:
        """Start a chord: the theme's digit, then its element's (`e 1 2`)."""
        self.chord = ("", time.monotonic())
        themes = [f"{key} {self.code_name(code)}" for code, key in typed_keys(self.codes).items() if "." not in key]
        self.notify("Core element: the theme's digit, then the element's · " + " · ".join(themes), timeout=4)

    def _chord_digit(self, digit: str) -> None:
        typed = f"{self.chord[0]}.{digit}" if self.chord[0] else digit
        keys = typed_keys(self.codes)
        below = {code: key for code, key in keys.items() if key.startswith(f"{typed}.")}
        if below:
            self.chord = (typed, time.monotonic())
            self.notify(" · ".join(f"{key.rsplit('.', 1)[1]} {self.code_name(code)}" for code, key in below.items()),
                        timeout=4)
            return
        self.chord = None
        self._toggle_typed(typed)

    def action_pick(self) -> None:
        if self.can_write():
            self.app.push_screen(CodePicker(self.codes, self.applied(), typed_keys(self.codes)), self._picked)

    def _picked(self, code_id: str | None) -> None:
        if code_id:
            self.apply(code_id)

    def action_memo(self) -> None:
        target = self.memo_target() if self.can_write() else None
        if target is not None:
            self.edit_memo(*target)

    def edit_memo(self, coding: CodingRow, title: str) -> None:
        """Open the memo dialog on `coding`, and save what the coder writes."""
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
        return [help_row(b) for b in self.BINDINGS if b.key not in DIGITS[1:]]

    def action_panel(self) -> None:
        """Fold the codebook panel away, or back: the transcript then takes the whole width."""
        self.folded = not self.has_class("-folded")
        self._fold()

    def on_resize(self) -> None:
        self._fold()

    def _fold(self) -> None:
        self.set_class(self.size.width < NARROW if self.folded is None else self.folded, "-folded")

    def action_help(self) -> None:
        self.app.push_screen(HelpDialog(self.help_rows()))

    def action_back(self) -> None:
        if self.chord is not None:
            self.chord = None
            self.notify("Element chord cancelled.")
            return
        self.app.pop_screen()
