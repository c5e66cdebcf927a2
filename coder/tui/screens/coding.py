"""The coding screen: a transcript, a cursor, digit keys that toggle codes.

Every action is one transaction in the core (`coder.coding`), run in a worker
thread (`coder.tui.actions`); the screen redraws from what the database then holds,
so what is shown has been committed. Reading a transcript is a worker too, which
posts what it read (`TranscriptOpened`, then `TranscriptCompleted` for a long one).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Header, Input, Static

from coder.codebook.study_codebook import active_codes
from coder.coding.actions import Action, next_step, redo, summarize, toggle_code, undo
from coder.coding.queries import (
    CodingRow,
    TranscriptView,
    segment_span,
    transcript_ids,
    transcript_view,
)
from coder.coding.search import FUZZY_PREFIX, TextHits, search_texts
from coder.ingest.formats.timecode import clock
from coder.report.coding_views import MINE, CodingView, view_codings, views_offered
from coder.storage.database import Study
from coder.storage.models import Code
from coder.tui.actions import ActionDone
from coder.tui.screens.coding_base import BACK, ELEMENT, HELP, MEMO, PANEL, PICK, TOGGLE, CodingBase
from coder.tui.screens.dialogs import help_row
from coder.tui.screens.memo_picker import MemoTargetPicker
from coder.tui.widgets.codebook_panel import CodebookPanel
from coder.tui.widgets.plain import Plain
from coder.tui.widgets.transcript_pane import TranscriptPane

#: Segments loaded before the first frame; the rest of a long interview follows.
FIRST_PAGE = 400
#: Seconds within which the same key again undoes in another transcript.
CONFIRM_SECONDS = 10.0


@dataclass(frozen=True)
class Codings:
    """The coder's codings, the positions they cover (for `n`), and what is drawn.

    By default the coder's own only: in full double coding each coder unitizes the
    whole transcript on their own, and the other's work must not steer them. `v`
    shows another `view` (a pair's final coding, another coder's), read-only.
    """

    transcript_id: int
    mine: list[CodingRow]
    coded: frozenset[int]
    shown: list[CodingRow]
    view: CodingView = MINE


@dataclass(frozen=True)
class Loaded:
    """A transcript as loaded once when it opens; its codings are reloaded on every action."""

    view: TranscriptView
    codings: Codings
    transcripts: list[int]
    codes: list[Code]
    #: What `v` can show here, own coding first (`views_offered`: blindness decides).
    views: list[CodingView]


@dataclass(frozen=True)
class Held:
    """An undo or redo not taken: it would change a transcript other than the one on screen."""

    verb: str
    said: str


@dataclass
class TranscriptOpened(Message):
    """A transcript was read to show it: its first screenfuls, when it is long."""

    loaded: Loaded
    cursor: int


@dataclass
class CodingsRead(Message):
    """The codings of the view `v` chose were read."""

    codings: Codings


@dataclass
class TextFound(Message):
    """A search of the transcript on screen (`find_text`) is done; `jump`: go to a hit."""

    transcript_id: int
    found: TextHits
    jump: bool


@dataclass
class TranscriptCompleted(Message):
    """The whole of a long transcript was read, after its first screenfuls were shown."""

    view: TranscriptView


class CodingScreen(CodingBase):
    """Primary coding of one transcript by one coder."""

    AUTO_FOCUS = "#transcript"
    BINDINGS = [
        *TOGGLE,
        ELEMENT,
        PICK,
        MEMO,
        Binding("u", "undo", "Undo"),
        Binding("U", "redo", "Redo", show=False),
        Binding("slash", "search", "Search"),
        Binding("greater_than_sign", "hit(1)", "Next hit", show=False),
        Binding("less_than_sign", "hit(-1)", "Previous hit", show=False),
        Binding("n", "next_uncoded", "Next uncoded"),
        Binding("v", "view", "View: mine / final / coder", show=False),
        Binding("left_square_bracket", "transcript(-1)", "Previous transcript", show=False),
        Binding("right_square_bracket", "transcript(1)", "Next transcript", show=False),
        PANEL,
        HELP,
        BACK,
    ]

    def __init__(self, study: Study, coder: str | None, transcript_id: int, cursor: int = 0, search: str = "") -> None:
        super().__init__(study, coder)
        self.transcript_id = transcript_id
        self.cursor = cursor  # the segment to open on (0-based)
        #: A search to show the hits of when the transcript opens (from the study-wide search).
        self.search_first = search
        self.loaded: Loaded | None = None
        #: An undo or redo held back because it would change another transcript, and when.
        self.held: tuple[str, float] | None = None
        #: What `v` last asked to see; own coding where that is not offered.
        self.view: CodingView = MINE
        #: What the last search in the transcript on screen found.
        self.found: TextHits | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield TranscriptPane(id="transcript")
            yield CodebookPanel(id="codebook")
        yield Input(placeholder=f"search this transcript: words and word starts ({FUZZY_PREFIX}word for fuzzy); "
                                "enter jumps, > and < go on, escape closes", id="search")
        yield Plain("", id="coding-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load(self.transcript_id, self.cursor)

    # --- loading ----------------------------------------------------------------------

    def _codings(self, session: Session, transcript_id: int, offered: list[CodingView]) -> Codings:
        mine = view_codings(session, self.coder, transcript_id, MINE)
        view = self.view if self.view in offered else MINE
        shown = mine if view.mine else view_codings(session, self.coder, transcript_id, view)
        return Codings(transcript_id, mine, frozenset(p for c in mine for p in range(c.first, c.last + 1)), shown, view)

    @work(thread=True, exclusive=True, group="load")
    def load(self, transcript_id: int, cursor: int = 0) -> None:
        """Show the first screenfuls at once, then the rest of a long interview."""
        first_page = max(FIRST_PAGE, cursor + FIRST_PAGE)
        with self.study.reader() as session:
            views = views_offered(session, self.coder, transcript_id)
            loaded = Loaded(
                view=transcript_view(session, transcript_id, limit=first_page),
                codings=self._codings(session, transcript_id, views),
                transcripts=transcript_ids(session), codes=active_codes(session), views=views,
            )
        self.post_message(TranscriptOpened(loaded, cursor))
        if len(loaded.view.segments) == first_page:
            with self.study.reader() as session:
                whole = transcript_view(session, transcript_id)
            self.post_message(TranscriptCompleted(whole))

    def on_transcript_opened(self, message: TranscriptOpened) -> None:
        loaded, cursor = message.loaded, message.cursor
        first_load = self.loaded is None
        self.loaded = loaded
        self.transcript_id = loaded.view.id
        self.sub_title = loaded.view.title
        pane = self.query_one(TranscriptPane)
        pane.show_transcript(loaded.view, loaded.codings.shown, cursor)
        self.found = None  # its hits were positions in the transcript shown before
        if first_load and self.search_first:
            self.find_text(loaded.view, self.search_first)
        if first_load or not self.query_one(CodebookPanel).codes:
            self.query_one(CodebookPanel).show_codes(loaded.codes)
        pane.focus()
        self.update_status()

    def on_transcript_completed(self, message: TranscriptCompleted) -> None:
        view = message.view
        if self.loaded is not None and self.loaded.view.id == view.id:
            self.loaded = replace(self.loaded, view=view)
            self.query_one(TranscriptPane).extend(view)
            if self.found is not None:  # a search made on the first screenfuls covers the rest too
                self.find_text(view, self.found.query, jump=False)
            self.update_status()

    def update_status(self, message: str = "") -> None:
        if self.loaded is None:
            return
        pane = self.query_one(TranscriptPane)
        first, last = pane.selection
        total = len(self.loaded.view.segments)
        selection = segment_span(first, last)
        who = self.coder or "nobody (start coder with --as NAME to code)"
        view = self.loaded.view
        started = view.turns[view.segments[pane.cursor].turn_id].start_time if view.segments else None
        when = f" · {clock(started)}" if started is not None else ""
        shown = self.loaded.codings.view
        viewing = "" if shown.mine else f"viewing {shown.label}, read-only"
        hit = self.found.describe(pane.cursor) if self.found else ""
        self.query_one("#coding-status", Static).update(
            f"{selection} of {total}{when} · coder {who}"
            + "".join(f" · {part}" for part in (hit, viewing, message) if part)
        )

    @on(TranscriptPane.CursorMoved)
    def cursor_moved(self, event: TranscriptPane.CursorMoved) -> None:
        if event.codes:
            self.query_one(CodebookPanel).highlight(event.codes[-1])
        self.update_status()

    # --- writing ------------------------------------------------------------------------

    def commit(self, change: Callable[[Session], str]) -> None:
        transcript, offered = self.transcript_id, self.loaded.views
        self.write(change, lambda session: self._codings(session, transcript, offered))

    def can_write(self) -> bool:
        """Another view than one's own is read-only: say so, and how to get back."""
        if self.loaded is not None and not self.loaded.codings.view.mine:
            self.notify(f"Showing {self.loaded.codings.view.label}, which is read-only: press v until your own "
                        "coding shows to code.", severity="warning")
            return False
        return super().can_write()

    def _redraw(self, codings: Codings) -> bool:
        """Draw `codings`, unless another transcript has opened since they were read."""
        if self.loaded is None or codings.transcript_id != self.loaded.view.id:
            return False
        self.loaded = replace(self.loaded, codings=codings)
        self.query_one(TranscriptPane).show_codings(codings.shown)
        return True

    def on_action_done(self, message: ActionDone[str | Held, Codings]) -> None:
        """Redraw the codings the action left, and say what it did."""
        if not self._redraw(message.shown):
            return
        said = message.result
        if isinstance(said, Held):
            self.held, said = (said.verb, time.monotonic()), said.said
            self.notify(said, severity="warning")
        self.update_status(said)

    def apply(self, code_id: str) -> None:
        first, last = self.query_one(TranscriptPane).selection
        transcript, coder = self.transcript_id, self.coder

        name = self.code_name(code_id)

        def change(session: Session) -> str:
            added, _ = toggle_code(session, coder, code_id, transcript, first, last)
            return f"{'applied' if added else 'removed'} {name}"

        self.commit(change)

    def applied(self) -> set[str]:
        selection = self.query_one(TranscriptPane).selection
        return {c.code_id for c in self.loaded.codings.mine if (c.first, c.last) == selection} if self.loaded else set()

    def _history(self, step: Callable[[Session, str], Action | None], verb: str) -> None:
        """Undo or redo, saying what; a step that would change another transcript waits for the
        same key again, so that nothing changes out of sight unasked."""
        if not self.can_write():
            return
        coder, here, key = self.coder, self.transcript_id, "U" if verb == "redo" else "u"
        asked = self.held is not None and self.held[0] == verb and time.monotonic() - self.held[1] < CONFIRM_SECONDS
        self.held = None

        def change(session: Session) -> str | Held:
            action = next_step(session, coder, redo=verb == "redo")
            if action is None:
                return f"nothing to {verb}"
            done = summarize(session, action)
            what = f"{done.verb} {done.code} on {segment_span(done.first, done.last)}"
            if done.transcript_id != here and not asked:
                return Held(verb, f"The last action to {verb} is in {done.title}: {what}. Press {key} again to "
                                  f"{verb} it there.")
            step(session, coder)
            return f"{'undid' if verb == 'undo' else 'redid'}: {what}" + (
                "" if done.transcript_id == here else f" in {done.title}")

        self.commit(change)

    def action_undo(self) -> None:
        self._history(undo, "undo")

    def action_redo(self) -> None:
        self._history(redo, "redo")

    def _memo_candidates(self) -> list[CodingRow]:
        pane = self.query_one(TranscriptPane)
        covering = pane.covering(pane.cursor)
        if not covering:
            self.notify("No coding of yours under the cursor to write a memo on.", severity="warning")
        return covering

    @staticmethod
    def _memo_title(coding: CodingRow) -> str:
        return f"Memo on {coding.name}, {segment_span(coding.first, coding.last)}"

    def action_memo(self) -> None:
        """A memo on the coding under the cursor; when several are, a picker asks which
        (so this screen needs no `memo_target`)."""
        if not self.can_write():
            return
        covering = self._memo_candidates()
        if len(covering) == 1:
            self.edit_memo(covering[0], self._memo_title(covering[0]))
        elif covering:
            self.app.push_screen(MemoTargetPicker(covering), self._memo_chosen)

    def _memo_chosen(self, coding: CodingRow | None) -> None:
        if coding is not None:
            self.edit_memo(coding, self._memo_title(coding))

    # --- finding ---------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.query_one(TranscriptPane).focus()
        if self.loaded is not None:
            self.find_text(self.loaded.view, event.value)

    @work(thread=True, exclusive=True, group="search")
    def find_text(self, view: TranscriptView, query: str, jump: bool = True) -> None:
        """Search `view` off the UI thread: folding a long interview's text takes a while."""
        self.post_message(TextFound(view.id, search_texts([s.text for s in view.segments], query), jump))

    def on_text_found(self, message: TextFound) -> None:
        """Underline the hits; with `jump`, go to the first after the cursor, unless on one."""
        if self.loaded is None or message.transcript_id != self.loaded.view.id:
            return
        pane, self.found = self.query_one(TranscriptPane), message.found
        pane.hits = frozenset(message.found.indexes)
        pane.refresh()
        if message.jump and message.found.indexes and pane.cursor not in pane.hits:
            self.action_hit(1)
        self.update_status()

    def on_key(self, event) -> None:
        search = self.query_one("#search", Input)
        if event.key == "escape" and search.has_focus:
            search.display = False
            self.query_one(TranscriptPane).focus()
            event.stop()

    def action_hit(self, direction: int) -> None:
        """The next (or previous) hit of the last search, round the end."""
        pane, hits = self.query_one(TranscriptPane), self.found.indexes if self.found else []
        if not hits:
            self.notify("No search hits; press / to search.", severity="warning")
            return
        if direction > 0:
            target = next((h for h in hits if h > pane.cursor), hits[0])
        else:
            target = next((h for h in reversed(hits) if h < pane.cursor), hits[-1])
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

    def action_view(self) -> None:
        """Show the next coding offered here: own, each pair's final coding, each other coder's."""
        if self.loaded is None:
            return
        views = self.loaded.views
        if len(views) == 1:
            self.notify("Only your own coding can be shown in this transcript (no one else coded it, or you still "
                        "code fragments of it blind).")
            return
        self.view = views[(views.index(self.loaded.codings.view) + 1) % len(views)]
        self.read_view(self.transcript_id, views)

    @work(thread=True, exclusive=True, group="view")
    def read_view(self, transcript_id: int, offered: list[CodingView]) -> None:
        with self.study.reader() as session:
            codings = self._codings(session, transcript_id, offered)
        self.post_message(CodingsRead(codings))

    def on_codings_read(self, message: CodingsRead) -> None:
        if self._redraw(message.codings):
            self.update_status("showing your own coding" if message.codings.view.mine else "")

    def action_transcript(self, step: int) -> None:
        if self.loaded is None:
            return
        ids = self.loaded.transcripts
        index = ids.index(self.transcript_id) + step
        if 0 <= index < len(ids):
            self.load(ids[index])
        else:
            self.notify("No more transcripts that way.")

    def help_rows(self) -> list[tuple[str, str]]:
        """The transcript's movement keys first, then this screen's."""
        return [help_row(b) for b in TranscriptPane.BINDINGS] + super().help_rows()
