"""The blind second coding screen (DESIGN §1.4): one assigned fragment at a time.

The fragment is selected in its transcript, so the turns around it are there
to read; only the coder's own blind codes are drawn. The study this screen
reads is opened for the coder (`Study.as_viewer`), so the first coder's codes
on a pending fragment cannot reach it at all. Once a fragment is finished or
revealed, the first coder's codes and memos on it are shown beside the coder's
own. When the last fragment is finished the agreement on the blind fragments
opens; when the last one was revealed, `enter` opens it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Header, Static

from coder.codebook.study_codebook import active_codes
from coder.coding.blind_pass import (
    BlindItem,
    blind_item,
    blind_queue,
    finish,
    first_codes,
    no_code_applies,
    reveal,
    toggle_blind_code,
)
from coder.coding.queries import (
    CodingRow,
    TranscriptView,
    segment_span,
    transcript_codings,
    transcript_view,
)
from coder.storage.database import Study
from coder.storage.models import Code
from coder.storage.vocabulary import Pass
from coder.tui.actions import ActionDone
from coder.tui.code_names import named
from coder.tui.screens.agreement import AgreementScreen
from coder.tui.screens.coding_base import BACK, ELEMENT, HELP, MEMO, PANEL, PICK, TOGGLE, CodingBase
from coder.tui.screens.dialogs import ConfirmDialog, MemoDialog
from coder.tui.widgets.codebook_panel import CodebookPanel
from coder.tui.widgets.plain import Plain
from coder.tui.widgets.transcript_pane import TranscriptPane


@dataclass(frozen=True)
class Loaded:
    queue: list[BlindItem]
    index: int
    view: TranscriptView
    mine: list[CodingRow]
    codes: list[Code]
    #: The first coder's (code, memo) pairs on the fragment, once it is finished or revealed.
    theirs: list[tuple[str, str]]

    @property
    def item(self) -> BlindItem:
        return self.queue[self.index]


@dataclass
class QueueRead(Message):
    """The coder's queue was read, with the fragment to show; None when nothing is assigned."""

    loaded: Loaded | None


class Outcome(NamedTuple):
    """What an action tells the coder, and whether it finished the fragment (then the next pending one opens)."""

    said: str
    advance: bool


class BlindScreen(CodingBase):
    """Coder B's queue of assigned fragments, coded without seeing coder A's codes."""

    AUTO_FOCUS = "#blind-transcript"
    BINDINGS = [
        *TOGGLE,
        ELEMENT,
        PICK,
        Binding("x", "no_code", "No code"),
        Binding("enter", "finish", "Finish"),
        MEMO,
        Binding("right_square_bracket", "step(1)", "Next fragment", show=False),
        Binding("left_square_bracket", "step(-1)", "Previous fragment", show=False),
        Binding("R", "reveal", "Reveal A's"),
        Binding("a", "agreement", "Agreement", show=False),
        PANEL,
        HELP,
        BACK,
    ]

    def __init__(self, study: Study, coder: str) -> None:
        super().__init__(study, coder)
        self.loaded: Loaded | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Plain("Loading your fragments…", id="blind-summary")
        with Horizontal():
            yield TranscriptPane(id="blind-transcript")
            yield CodebookPanel(id="codebook")
        yield Plain("", id="blind-theirs")
        yield Plain("", id="blind-status")
        yield Footer(compact=True)

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
        return Loaded(queue, index, transcript_view(session, item.transcript_id), self._mine(session, item),
                      active_codes(session), self._theirs(session, item))

    def _read_item(self, session: Session, loaded: Loaded) -> Loaded:
        """`loaded` with its fragment read again, after a key that changed only that fragment (a code,
        a memo, a reveal): the rest of the queue, the transcript and the codebook stay as they were."""
        item = blind_item(session, self.coder, loaded.item.assignment_id)
        queue = [*loaded.queue[:loaded.index], item, *loaded.queue[loaded.index + 1:]]
        return replace(loaded, queue=queue, mine=self._mine(session, item), theirs=self._theirs(session, item))

    def _mine(self, session: Session, item: BlindItem) -> list[CodingRow]:
        return [c for c in transcript_codings(session, item.transcript_id, self.coder) if c.pass_ == Pass.BLIND]

    def _theirs(self, session: Session, item: BlindItem) -> list[tuple[str, str]]:
        return [] if item.pending else first_codes(session, self.coder, item.assignment_id)

    @work(thread=True, exclusive=True, group="load")
    def load(self, index: int | None = None, first_pending: bool = False) -> None:
        with self.study.reader() as session:
            loaded = self._read(session, None if first_pending else index)
        self.post_message(QueueRead(loaded))

    def on_queue_read(self, message: QueueRead) -> None:
        self.show(message.loaded)

    def show(self, loaded: Loaded | None) -> None:
        if loaded is None:
            self.query_one("#blind-summary", Static).update(
                f"No fragments are assigned to {self.coder}. The lead assigns them: coder assign --from A --to B.")
            return
        moved = self.loaded is None or self.loaded.item.assignment_id != loaded.item.assignment_id
        offered = moved or self.loaded.item.pending != loaded.item.pending  # what `check_action` asks
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
            f"{self.where()} ({done} finished) · {item.title} · {segment_span(item.first, item.last)} · {item.state}"
        )
        self.query_one("#blind-theirs", Static).update(self.theirs_text())
        self.query_one("#blind-theirs").display = not item.pending
        yours = ", ".join(named(item.codes, loaded.codes)) or ("none yet" if item.pending else "none")
        if item.pending:
            hint = f"digits, e or c apply · x no code · enter finish · R reveal {item.from_coder}'s codes"
        else:
            hint = "final · enter " + ("next pending fragment" if self.pending_left() else "opens the agreement")
        self.query_one("#blind-status", Static).update(f"your codes: {yours} · {hint}")
        if offered:  # the footer is built again on every refresh: only when its keys change
            self.refresh_bindings()

    def where(self) -> str:
        """Which fragment this is, as the coder counts them: "Fragment 4 of 4"."""
        return f"Fragment {self.loaded.index + 1} of {len(self.loaded.queue)}"

    def pending_left(self) -> bool:
        return any(i.pending for i in self.loaded.queue)

    def theirs_text(self) -> str:
        """The first coder's codes and memos on a finished or revealed fragment."""
        item = self.loaded.item
        if item.pending:
            return ""
        codes = named([code for code, _ in self.loaded.theirs], self.loaded.codes)
        memos = "".join(f"\n  memo: {memo}" for _, memo in self.loaded.theirs if memo)
        return f"{item.from_coder}'s codes: {', '.join(codes) or 'none'}{memos}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`R` and `x` are offered only on a fragment still to code."""
        if action in ("reveal", "no_code") and self.loaded is not None:
            return self.loaded.item.pending
        return True

    def final(self) -> bool:
        """Whether the fragment shown is finished or revealed, saying so: its codes can no longer change."""
        if self.loaded.item.pending:
            return False
        self.notify(f"{self.where()} is {self.loaded.item.state}: your codes on it are final.", severity="warning")
        return True

    # --- acting ----------------------------------------------------------------------------

    def commit(self, change: Callable[[Session], str], advance: bool = False) -> None:
        """Write `change` on the fragment shown, then reread only that fragment; after a finishing
        one, read the queue again and open the next pending fragment."""
        loaded = self.loaded
        self.write(lambda session: Outcome(change(session), advance),
                   (lambda session: self._read(session, None)) if advance
                   else lambda session: self._read_item(session, loaded))

    def on_action_done(self, message: ActionDone[Outcome, Loaded]) -> None:
        outcome, loaded = message.result, message.shown
        self.show(loaded)
        self.notify(outcome.said)
        if outcome.advance and not self.pending_left():
            self.notify("Every assigned fragment is finished: here is the agreement.")
            self.action_agreement()

    def apply(self, code_id: str) -> None:
        if self.final():
            return
        coder, assignment, name = self.coder, self.loaded.item.assignment_id, self.code_name(code_id)

        def change(session: Session) -> str:
            added = toggle_blind_code(session, coder, assignment, code_id)
            return f"{'applied' if added else 'took back'} {name}"

        self.commit(change)

    def applied(self) -> set[str]:
        return set(self.loaded.item.codes) if self.loaded else set()

    def action_finish(self) -> None:
        """Finish the fragment; on one already final, go on to the next pending one, or the agreement."""
        if self.loaded is not None and not self.loaded.item.pending:
            if self.pending_left():
                self.load(first_pending=True)
            else:
                self.action_agreement()
            return
        if not self.can_write():
            return
        coder, assignment, codes = self.coder, self.loaded.item.assignment_id, self.codes

        def change(session: Session) -> str:
            return f"finished with {', '.join(named(finish(session, coder, assignment), codes))}"

        self.commit(change, advance=True)

    def action_no_code(self) -> None:
        if not self.can_write() or self.final():
            return
        coder, assignment = self.coder, self.loaded.item.assignment_id

        def noted(note: str | None) -> None:
            if note is None:
                return

            def change(session: Session) -> str:
                no_code_applies(session, coder, assignment, note)
                return "finished: no code applies"

            self.commit(change, advance=True)

        self.app.push_screen(MemoDialog("No code applies. Why? (optional; #debrief or #question flags it)", ""),
                             noted)

    def action_reveal(self) -> None:
        if not self.can_write() or self.final():
            return
        coder, item, where = self.coder, self.loaded.item, self.where()

        def change(session: Session) -> str:
            reveal(session, coder, item.assignment_id)
            return f"revealed {item.from_coder}'s codes on {where.lower()}; it leaves the statistics"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.commit(change)

        self.app.push_screen(ConfirmDialog(f"See {item.from_coder}'s codes before finishing? The fragment then "
                                           "leaves the agreement statistics, and this cannot be undone."), confirmed)

    def memo_target(self) -> tuple[CodingRow, str] | None:
        item = self.loaded.item
        coding = next((c for c in self.loaded.mine if (c.first, c.last) == (item.first, item.last)), None)
        if coding is None:
            self.notify("Apply a code first; the memo goes with your coding.", severity="warning")
            return None
        return coding, f"Memo on {coding.name}"

    def action_step(self, step: int) -> None:
        if self.loaded:
            self.load(self.loaded.index + step)

    def action_agreement(self) -> None:
        if self.loaded:
            coders = (self.loaded.item.from_coder, self.coder)
            self.app.push_screen(AgreementScreen(self.study, "fragments", "theme", coders))
