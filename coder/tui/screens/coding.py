"""The coding screen: a transcript, a cursor, digit keys that toggle codes.

Every action is one transaction in the core (`coder.coding`), run in a worker
thread; the screen redraws from what the database then holds, so what is shown
has been committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from coder.codebook.study_codebook import active_codes
from coder.coding.actions import Action, redo, set_memo, toggle_code, undo
from coder.coding.queries import (
    CodingRow,
    TranscriptView,
    transcript_codings,
    transcript_ids,
    transcript_view,
)
from coder.coding.search import search_texts
from coder.storage.database import Study
from coder.storage.models import Code
from coder.tui.actions import transact
from coder.tui.screens.dialogs import CodePicker, HelpDialog, MemoDialog
from coder.tui.widgets.codebook_panel import CodebookPanel
from coder.tui.widgets.transcript_pane import TranscriptPane

DIGITS = "1234567890"
#: Segments loaded before the first frame; the rest of a long interview follows.
FIRST_PAGE = 400


@dataclass(frozen=True)
class Codings:
    """The coder's codings to draw, and the positions they cover (for `n`).

    Only the coder's own: in full double coding each coder unitizes the whole
    transcript on their own, and the other's work must not steer them.
    """

    mine: list[CodingRow]
    coded: frozenset[int]


@dataclass(frozen=True)
class Loaded:
    """A transcript as loaded once when it opens; its codings are reloaded on every action."""

    view: TranscriptView
    codings: Codings
    transcripts: list[int]
    codes: list[Code]


class CodingScreen(Screen):
    """Primary coding of one transcript by one coder."""

    AUTO_FOCUS = "#transcript"
    BINDINGS = [
        *(Binding(d, f"toggle('{d}')", "Toggle code", show=d == "1", key_display="0-9") for d in DIGITS),
        Binding("c", "pick", "Pick code"),
        Binding("m", "memo", "Memo"),
        Binding("u", "undo", "Undo"),
        Binding("U", "redo", "Redo"),
        Binding("slash", "search", "Search"),
        Binding("greater_than_sign", "hit(1)", "Next hit"),
        Binding("less_than_sign", "hit(-1)", "Previous hit"),
        Binding("n", "next_uncoded", "Next uncoded"),
        Binding("left_square_bracket", "transcript(-1)", "Previous transcript"),
        Binding("right_square_bracket", "transcript(1)", "Next transcript"),
        Binding("question_mark", "help", "Help"),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, study: Study, coder: str | None, transcript_id: int) -> None:
        super().__init__()
        self.study = study
        self.coder = coder
        self.transcript_id = transcript_id
        self.loaded: Loaded | None = None
        self._writing = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield TranscriptPane(id="transcript")
            yield CodebookPanel(id="codebook")
        yield Input(placeholder="search this transcript (fuzzy); enter jumps, escape closes", id="search")
        yield Static("", id="coding-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load(self.transcript_id)

    # --- loading ----------------------------------------------------------------------

    def _codings(self, session: Session, transcript_id: int) -> Codings:
        mine = [c for c in transcript_codings(session, transcript_id, self.coder) if c.pass_ == "primary"]
        return Codings(mine=mine, coded=frozenset(p for c in mine for p in range(c.first, c.last + 1)))

    @work(thread=True, exclusive=True, group="load")
    def load(self, transcript_id: int, cursor: int = 0) -> None:
        """Show the first screenfuls at once, then the rest of a long interview."""
        with self.study.session() as session:
            loaded = Loaded(
                view=transcript_view(session, transcript_id, limit=FIRST_PAGE),
                codings=self._codings(session, transcript_id),
                transcripts=transcript_ids(session), codes=active_codes(session),
            )
        self.app.call_from_thread(self.show, loaded, cursor)
        if len(loaded.view.segments) == FIRST_PAGE:
            with self.study.session() as session:
                whole = transcript_view(session, transcript_id)
            self.app.call_from_thread(self.show_rest, whole)

    def show_rest(self, view: TranscriptView) -> None:
        if self.loaded is not None and self.loaded.view.id == view.id:
            self.loaded = replace(self.loaded, view=view)
            self.query_one(TranscriptPane).extend(view)
            self.update_status()

    def show(self, loaded: Loaded, cursor: int) -> None:
        first_load = self.loaded is None
        self.loaded = loaded
        self.transcript_id = loaded.view.id
        self.sub_title = loaded.view.title
        pane = self.query_one(TranscriptPane)
        pane.show_transcript(loaded.view, loaded.codings.mine, cursor)
        if first_load or not self.query_one(CodebookPanel).codes:
            self.query_one(CodebookPanel).show_codes(loaded.codes)
        pane.focus()
        self.update_status()

    def update_status(self, message: str = "") -> None:
        if self.loaded is None:
            return
        pane = self.query_one(TranscriptPane)
        first, last = pane.selection
        total = len(self.loaded.view.segments)
        selection = f"segments {first + 1}–{last + 1}" if first != last else f"segment {first + 1}"
        who = self.coder or "nobody (start coder with --as NAME to code)"
        self.query_one("#coding-status", Static).update(
            f"{selection} of {total} · coder {who}" + (f" · {message}" if message else "")
        )

    @on(TranscriptPane.CursorMoved)
    def cursor_moved(self, event: TranscriptPane.CursorMoved) -> None:
        if event.codes:
            self.query_one(CodebookPanel).highlight(event.codes[-1])
        self.update_status()

    # --- writing ------------------------------------------------------------------------

    def _can_write(self) -> bool:
        if self.coder is None:
            self.notify("Start coder with --as NAME (or set CODER_USER) to code.", severity="error")
            return False
        return self.loaded is not None

    @work(thread=True, group="write")
    def write(self, change: Callable[[Session], str]) -> None:
        """Run one action in its own transaction, then redraw from the database."""
        outcome = transact(self.app, self.study, self._writing, change,
                           lambda session: self._codings(session, self.transcript_id))
        if outcome is not None:
            message, codings = outcome
            self.app.call_from_thread(self.refresh_codings, codings, message)

    def refresh_codings(self, codings: Codings, message: str) -> None:
        self.loaded = replace(self.loaded, codings=codings)
        self.query_one(TranscriptPane).show_codings(codings.mine)
        self.update_status(message)

    def _code_for_key(self, key: str) -> Code | None:
        return next((c for c in self.loaded.codes if c.key == key), None) if self.loaded else None

    def apply(self, code_id: str) -> None:
        first, last = self.query_one(TranscriptPane).selection
        transcript, coder = self.transcript_id, self.coder

        def change(session: Session) -> str:
            added, _ = toggle_code(session, coder, code_id, transcript, first, last)
            return f"{'applied' if added else 'removed'} {code_id}"

        self.write(change)

    def action_toggle(self, key: str) -> None:
        code = self._code_for_key(key)
        if code is None:
            self.notify(f"No code has key {key}; press c to pick any code.", severity="warning")
        elif self._can_write():
            self.apply(code.code_id)

    def action_pick(self) -> None:
        if self._can_write():
            self.app.push_screen(CodePicker(self.loaded.codes), self._picked)

    def _picked(self, code_id: str | None) -> None:
        if code_id:
            self.apply(code_id)

    def _history(self, step: Callable[[Session, str], Action | None], verb: str) -> None:
        if not self._can_write():
            return
        coder, here = self.coder, self.transcript_id

        def change(session: Session) -> str:
            action = step(session, coder)
            if action is None:
                return f"nothing to {verb}"
            elsewhere = "" if action.transcript_id == here else f" (in transcript {action.transcript_id})"
            return f"{verb} done{elsewhere}"

        self.write(change)

    def action_undo(self) -> None:
        self._history(undo, "undo")

    def action_redo(self) -> None:
        self._history(redo, "redo")

    def action_memo(self) -> None:
        if not self._can_write():
            return
        pane = self.query_one(TranscriptPane)
        mine = pane.covering(pane.cursor)
        if not mine:
            self.notify("No coding of yours under the cursor to write a memo on.", severity="warning")
            return
        coding = mine[-1]
        title = f"Memo on {coding.name}, segments {coding.first + 1}–{coding.last + 1}"

        def save(memo: str | None) -> None:
            if memo is None or memo == coding.memo:
                return

            def change(session: Session) -> str:
                set_memo(session, coding.id, memo, self.coder)
                return "memo saved"

            self.write(change)

        self.app.push_screen(MemoDialog(title, coding.memo), save)

    # --- finding ---------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        pane = self.query_one(TranscriptPane)
        hits = search_texts([s.text for s in self.loaded.view.segments], event.value)
        pane.hits = frozenset(hits)
        event.input.display = False
        pane.focus()
        if hits:
            self.action_hit(1, wrap_to=hits)
            self.update_status(f"{len(hits)} hits for “{event.value}”")
        else:
            pane.refresh()
            self.update_status(f"no hits for “{event.value}”")

    def on_key(self, event) -> None:
        search = self.query_one("#search", Input)
        if event.key == "escape" and search.has_focus:
            search.display = False
            self.query_one(TranscriptPane).focus()
            event.stop()

    def action_hit(self, direction: int, wrap_to: list[int] | None = None) -> None:
        pane = self.query_one(TranscriptPane)
        hits = sorted(wrap_to or pane.hits)
        if not hits:
            self.notify("No search hits; press / to search.", severity="warning")
            return
        if direction > 0:
            target = next((h for h in hits if h > pane.cursor), hits[0])
        else:
            target = next((h for h in reversed(hits) if h < pane.cursor), hits[-1])
        if wrap_to is not None and pane.cursor in hits:
            target = pane.cursor
        pane.set_cursor(target)

    def action_next_uncoded(self) -> None:
        if self.loaded is None:
            return
        pane, view = self.query_one(TranscriptPane), self.loaded.view
        target = next((p for p in range(pane.cursor + 1, len(view.segments))
                       if view.codable(p) and p not in self.loaded.codings.coded), None)
        if target is None:
            self.notify("Every codable segment after the cursor has been coded.")
        else:
            pane.set_cursor(target)

    def action_transcript(self, step: int) -> None:
        if self.loaded is None:
            return
        ids = self.loaded.transcripts
        index = ids.index(self.transcript_id) + step
        if 0 <= index < len(ids):
            self.load(ids[index])
        else:
            self.notify("No more transcripts that way.")

    def action_help(self) -> None:
        rows = [(b.key_display or b.key, b.description) for b in TranscriptPane.BINDINGS]
        rows += [(b.key_display or b.key, b.description) for b in self.BINDINGS if b.key not in DIGITS[1:]]
        self.app.push_screen(HelpDialog(rows))

    def action_back(self) -> None:
        self.app.pop_screen()
