"""The blind second coding screen (DESIGN §1.4): one assigned fragment at a time.

The fragment is selected in its transcript, so the turns around it are there
to read; only the coder's own blind codes are drawn. The study this screen
reads is opened for the coder (`Study.as_viewer`), so the first coder's codes
on a pending fragment cannot reach it at all. When the last fragment is
finished the agreement on the blind fragments opens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from coder.codebook.study_codebook import active_codes
from coder.coding.actions import set_memo
from coder.coding.blind_pass import (
    BlindItem,
    blind_queue,
    finish,
    no_code_applies,
    reveal,
    toggle_blind_code,
)
from coder.coding.queries import (
    CodingRow,
    TranscriptView,
    transcript_codings,
    transcript_view,
)
from coder.storage.database import Study
from coder.storage.models import Code
from coder.tui.actions import transact
from coder.tui.screens.agreement import AgreementScreen
from coder.tui.screens.dialogs import CodePicker, ConfirmDialog, HelpDialog, MemoDialog
from coder.tui.widgets.codebook_panel import CodebookPanel
from coder.tui.widgets.transcript_pane import TranscriptPane

DIGITS = "1234567890"


@dataclass(frozen=True)
class Loaded:
    queue: list[BlindItem]
    index: int
    view: TranscriptView
    mine: list[CodingRow]
    codes: list[Code]

    @property
    def item(self) -> BlindItem:
        return self.queue[self.index]


class BlindScreen(Screen):
    """Coder B's queue of assigned fragments, coded without seeing coder A's codes."""

    AUTO_FOCUS = "#blind-transcript"
    BINDINGS = [
        *(Binding(d, f"toggle('{d}')", "Toggle code", show=d == "1", key_display="0-9") for d in DIGITS),
        Binding("c", "pick", "Pick code"),
        Binding("x", "no_code", "No code applies"),
        Binding("enter", "finish", "Finish, next"),
        Binding("m", "memo", "Memo"),
        Binding("right_square_bracket", "step(1)", "Next fragment"),
        Binding("left_square_bracket", "step(-1)", "Previous fragment"),
        Binding("R", "reveal", "Reveal A's codes"),
        Binding("a", "agreement", "Agreement"),
        Binding("question_mark", "help", "Help"),
        Binding("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, study: Study, coder: str) -> None:
        super().__init__()
        self.study = study
        self.coder = coder
        self.loaded: Loaded | None = None
        self._writing = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading your fragments…", id="blind-summary")
        with Horizontal():
            yield TranscriptPane(id="blind-transcript")
            yield CodebookPanel(id="codebook")
        yield Static("", id="blind-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load(first_pending=True)

    # --- loading -------------------------------------------------------------------------

    def _read(self, session: Session, index: int | None) -> Loaded | None:
        queue = blind_queue(session, self.coder)
        if not queue:
            return None
        if index is None:
            index = next((i for i, item in enumerate(queue) if item.pending), 0)
        index = max(0, min(index, len(queue) - 1))
        item = queue[index]
        mine = [c for c in transcript_codings(session, item.transcript_id, self.coder) if c.pass_ == "blind"]
        return Loaded(queue, index, transcript_view(session, item.transcript_id), mine, active_codes(session))

    @work(thread=True, exclusive=True, group="load")
    def load(self, index: int | None = None, first_pending: bool = False) -> None:
        with self.study.session() as session:
            loaded = self._read(session, None if first_pending else index)
        self.app.call_from_thread(self.show, loaded)

    def show(self, loaded: Loaded | None) -> None:
        if loaded is None:
            self.query_one("#blind-summary", Static).update(
                f"No fragments are assigned to {self.coder}. The lead assigns them: coder assign --from A --to B.")
            return
        moved = self.loaded is None or self.loaded.item.assignment_id != loaded.item.assignment_id
        self.loaded = loaded
        pane = self.query_one(TranscriptPane)
        item = loaded.item
        if moved:
            pane.show_transcript(loaded.view, loaded.mine, item.first)
            pane.set_cursor(item.last, extend=True)
            self.query_one(CodebookPanel).show_codes(loaded.codes)
        else:
            pane.show_codings(loaded.mine)
        self.sub_title = item.title
        done = sum(not i.pending for i in loaded.queue)
        self.query_one("#blind-summary", Static).update(
            f"Fragment {loaded.index + 1} of {len(loaded.queue)} ({done} finished) · {item.title} · "
            f"segments {item.first + 1}–{item.last + 1} · {item.state}"
        )
        self.query_one("#blind-status", Static).update(
            f"your codes: {', '.join(item.codes) or 'none yet'} · digits/c apply · x no code applies · "
            f"enter finish · R reveal {item.from_coder}'s codes (leaves the statistics)"
        )

    # --- acting ----------------------------------------------------------------------------

    @work(thread=True, group="write")
    def write(self, change: Callable[[Session, BlindItem], str], advance: bool = False) -> None:
        """One action in its own transaction, then a redraw from the database."""
        if self.loaded is None:
            return
        item, index = self.loaded.item, self.loaded.index
        outcome = transact(self.app, self.study, self._writing, lambda session: change(session, item),
                           lambda session: self._read(session, None if advance else index))
        if outcome is not None:
            message, loaded = outcome
            self.app.call_from_thread(self.after_write, loaded, message, advance)

    def after_write(self, loaded: Loaded, message: str, advance: bool) -> None:
        self.show(loaded)
        self.notify(message)
        if advance and not any(i.pending for i in loaded.queue):
            self.notify("Every assigned fragment is finished: here is the agreement.")
            self.action_agreement()

    def _apply(self, code_id: str) -> None:
        coder = self.coder

        def change(session: Session, item: BlindItem) -> str:
            added = toggle_blind_code(session, coder, item.assignment_id, code_id)
            return f"{'applied' if added else 'took back'} {code_id}"

        self.write(change)

    def action_toggle(self, key: str) -> None:
        code = next((c for c in self.loaded.codes if c.key == key), None) if self.loaded else None
        if code is None:
            self.notify(f"No code has key {key}; press c to pick any code.", severity="warning")
        else:
            self._apply(code.code_id)

    def action_pick(self) -> None:
        if self.loaded:
            self.app.push_screen(CodePicker(self.loaded.codes), lambda code: code and self._apply(code))

    def action_finish(self) -> None:
        coder = self.coder

        def change(session: Session, item: BlindItem) -> str:
            return f"finished with {', '.join(finish(session, coder, item.assignment_id))}"

        self.write(change, advance=True)

    def action_no_code(self) -> None:
        coder = self.coder

        def noted(note: str | None) -> None:
            if note is None:
                return

            def change(session: Session, item: BlindItem) -> str:
                no_code_applies(session, coder, item.assignment_id, note)
                return "finished: no code applies"

            self.write(change, advance=True)

        self.app.push_screen(MemoDialog("No code applies. Why? (optional; #debrief or #question flags it)", ""),
                             noted)

    def action_reveal(self) -> None:
        if self.loaded is None:
            return
        coder, other = self.coder, self.loaded.item.from_coder

        def change(session: Session, item: BlindItem) -> str:
            reveal(session, coder, item.assignment_id)
            return f"revealed {other}'s codes; this fragment leaves the statistics"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.write(change)

        self.app.push_screen(ConfirmDialog(f"See {other}'s codes before finishing? The fragment then leaves "
                                           "the agreement statistics, and this cannot be undone."), confirmed)

    def action_memo(self) -> None:
        item = self.loaded.item if self.loaded else None
        coding = next((c for c in self.loaded.mine if (c.first, c.last) == (item.first, item.last)), None) \
            if item else None
        if coding is None:
            self.notify("Apply a code first; the memo goes with your coding.", severity="warning")
            return

        def save(memo: str | None) -> None:
            if memo is None or memo == coding.memo:
                return

            def change(session: Session, _: BlindItem) -> str:
                set_memo(session, coding.id, memo, self.coder)
                return "memo saved"

            self.write(change)

        self.app.push_screen(MemoDialog(f"Memo on {coding.name}", coding.memo), save)

    def action_step(self, step: int) -> None:
        if self.loaded:
            self.load(self.loaded.index + step)

    def action_agreement(self) -> None:
        if self.loaded:
            coders = (self.loaded.item.from_coder, self.coder)
            self.app.push_screen(AgreementScreen(self.study, "fragments", "theme", coders))

    def action_help(self) -> None:
        rows = [(b.key_display or b.key, b.description) for b in self.BINDINGS if b.key not in DIGITS[1:]]
        self.app.push_screen(HelpDialog(rows))
