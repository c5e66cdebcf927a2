"""The study screen: every transcript with its school, participants, size and each
coder's progress; sortable, filterable; enter opens one for coding."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import count

from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Static

from coder.coding.assignments import assign, assignment_pairs
from coder.coding.queries import (
    Progress,
    StudyStatus,
    TranscriptRow,
    coding_progress,
    study_status,
    transcript_overview,
)
from coder.coding.review import review_progress
from coder.coding.speakers import speaker_rows
from coder.coding.transcripts import correct_transcript, delete_transcript
from coder.errors import CoderError
from coder.report.debrief_export import debrief_document, format_for, write_debrief
from coder.storage.database import Study
from coder.storage.purge import purge_transcript
from coder.tui.actions import ActionDone, ActionRefused, ActionScreen
from coder.tui.screens.agreement import AgreementScreen
from coder.tui.screens.blind_coding import BlindScreen
from coder.tui.screens.coding import CodingScreen
from coder.tui.screens.dialogs import (
    AssignDialog,
    AssignRequest,
    ConfirmDialog,
    DebriefDialog,
    DebriefRequest,
)
from coder.tui.screens.find import FindScreen
from coder.tui.screens.retrieval import RetrievalScreen
from coder.tui.screens.review import ReviewScreen
from coder.tui.screens.transcript_form import TranscriptEdit, TranscriptForm
from coder.tui.widgets.plain import Plain
from coder.tui.widgets.table import Table

#: Columns the `s` key sorts by, in turn: (label, key of a row).
SORTS = (
    ("school type", lambda row: row.order),
    ("title", lambda row: row.transcript.title.lower()),
    ("words", lambda row: -row.transcript.words),
    ("progress", lambda row: -row.progress_share),
)


@dataclass(frozen=True)
class Row:
    transcript: TranscriptRow
    progress: Progress | None
    order: int
    #: Fragments decided in review, of those ready for it.
    reviewed: tuple[int, int] = (0, 0)

    def reviewed_text(self) -> str:
        decided, ready = self.reviewed
        return f"{decided}/{ready}" if ready else "—"

    @property
    def progress_share(self) -> float:
        return max((self.progress.share(c) for c in self.progress.coded), default=0.0) if self.progress else 0.0

    def progress_text(self) -> str:
        if not self.progress or not self.progress.coded:
            return "—"
        return " · ".join(f"{coder} {self.progress.share(coder):.0%}" for coder in sorted(self.progress.coded))

    def cells(self) -> tuple[str, ...]:
        t = self.transcript
        return (t.title, t.school_type or "", t.school or "", t.participants, str(t.words), str(t.segments),
                self.progress_text(), self.reviewed_text())

    @cached_property
    def haystack(self) -> str:
        """What the filter looks in, in lower case: made once, for every key typed."""
        t = self.transcript
        return " ".join(str(x) for x in (t.title, t.school, t.school_type, t.participants, t.attributes) if x).lower()



def matching(rows: list[Row], query: str) -> list[Row]:
    """The `rows` that hold every word of `query`, in their order.

    A pass over the rows for each word, so that a key makes no object per row: what a key
    leaves behind, the collector walks, and a full collection of the workbench's objects
    takes 100 ms.
    """
    for word in query.lower().split():
        rows = [row for row in rows if word in row.haystack]
    return rows


#: Tickets in the order the study screen's reads begin (`Overview.read`).
_reads = count()


@dataclass(frozen=True)
class Overview:
    """What the study screen shows: a row per transcript and the study's totals.

    `read` orders overviews by when their reading began: a load that began before an action
    committed may arrive after the action's own reread, and must not show the older study.
    """

    rows: list[Row]
    counts: StudyStatus
    read: int = field(default=0, compare=False)


@dataclass
class StudyRead(Message):
    """The study was read for the screen."""

    overview: Overview


@dataclass
class Filtered(Message):
    """The list was narrowed to what the filter `query` matches."""

    query: str


@dataclass
class PairFound(Message):
    """The pair of coders to review (A, B), or None when nothing was assigned yet."""

    pair: tuple[str, str] | None


class StudyScreen(ActionScreen):
    """The transcripts of the study; enter codes one, `a` opens the agreement screen."""

    AUTO_FOCUS = "#transcripts"
    BINDINGS = [
        Binding("a", "agreement", "Agreement"),
        Binding("b", "blind", "Blind coding"),
        Binding("v", "review", "Review"),
        Binding("c", "retrieve", "By code"),
        Binding("f", "find", "Find"),
        Binding("A", "assign", "Assign"),
        Binding("e", "debrief", "Debrief"),
        Binding("E", "edit", "Correct transcript", show=False),
        Binding("D", "delete", "Delete transcript", show=False),
        Binding("P", "purge", "Purge transcript (withdrawal)", show=False),
        Binding("s", "sort", "Sort"),
        Binding("slash", "filter", "Filter"),
        Binding("r", "reload", "Reload"),
        Binding("q", "app.quit", "Quit"),
    ]

    #: How often a shared study is read again while this screen shows, so the team's progress
    #: moves without a reload by hand; a study file of one's own does not change underneath.
    LIVE_SECONDS = 10.0

    def __init__(self, study: Study, coder: str | None = None) -> None:
        super().__init__(study)
        self.coder = coder
        self.shown: Overview | None = None
        self.rows: list[Row] = []
        self.sort_index = 0
        #: The rows in each sort's order, sorted when first shown so.
        self._orders: dict[int, list[Row]] = {}
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Plain("Loading the study…", id="study-summary")
        yield Input(placeholder="filter by title, school, type or participant; escape clears", id="study-filter")
        yield Table(id="transcripts", shrink={0, 2, 3}, cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#transcripts", DataTable)
        table.add_columns("Transcript", "Type", "School", "Participants", "Words", "Segments", "Coded", "Reviewed")
        if self.study.shared:
            self.set_interval(self.LIVE_SECONDS, self._live)

    def _live(self) -> None:
        if self.is_current:
            self.load()

    def on_screen_resume(self) -> None:
        """Load when shown, and again on coming back from coding (progress has moved).

        Not on mount: when the workbench opens straight onto a transcript, this
        screen waits underneath and should not compete with the coding screen."""
        self.load()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(CodingScreen(self.study, self.coder, int(event.row_key.value)))

    def action_retrieve(self) -> None:
        self.app.push_screen(RetrievalScreen(self.study, self.coder))

    def action_find(self) -> None:
        self.app.push_screen(FindScreen(self.study, self.coder))

    def action_agreement(self) -> None:
        self.app.push_screen(AgreementScreen(self.study))

    def _needs_coder(self) -> bool:
        if self.coder is None:
            self.notify("Start coder with --as NAME (or set CODER_USER) first.", severity="error")
        return self.coder is None

    def action_blind(self) -> None:
        if not self._needs_coder():
            self.app.push_screen(BlindScreen(self.study, self.coder))

    @work(thread=True, exclusive=True, group="review")
    def action_review(self) -> None:
        """Review the pair this coder belongs to (as B, else as A), else the study's first pair."""
        if self._needs_coder():
            return
        with self.study.reader() as session:
            pairs = assignment_pairs(session)
        mine = [p for p in pairs if p[1] == self.coder] + [p for p in pairs if p[0] == self.coder]
        self.post_message(PairFound((mine or pairs or [None])[0]))

    def on_pair_found(self, message: PairFound) -> None:
        if message.pair is None:
            self.notify("Nothing to review: no fragments were assigned yet (A).", severity="warning")
        else:
            self.app.push_screen(ReviewScreen(self.study, self.coder, message.pair))

    def action_assign(self) -> None:
        coders = [self.coder] if self.coder else []
        self.app.push_screen(AssignDialog(coders), self.assign)

    def assign(self, request: AssignRequest | None) -> None:
        if request is None:
            return
        actor = self.coder or request.from_coder

        def change(session: Session) -> str:
            result = assign(session, request.from_coder, request.to_coder, actor, fraction=request.fraction,
                            seed=request.seed, stratify="school_type" if request.stratify else None)
            return f"{request.to_coder} now has {result.assigned} of {request.from_coder}'s fragments ({result.added} new)"

        self.write(change, self._overview)

    def action_debrief(self) -> None:
        self.app.push_screen(DebriefDialog(), self.export_debrief)

    def export_debrief(self, request: DebriefRequest | None) -> None:
        """Build and write the summary off the UI thread, as an action: it reads the whole study."""
        if request is None:
            return

        def change(session: Session) -> str:
            try:
                document = debrief_document(session, format_for(request.path), request.level, request.lang)
                write_debrief(request.path, document)
            except (CoderError, OSError) as exc:
                raise CoderError(f"No summary written: {exc}") from exc
            return f"Wrote the peer-debriefing summary to {request.path}"

        self.write(change, self._overview)

    def _under_cursor(self) -> TranscriptRow | None:
        """The transcript the cursor is on, for an action on it; None (having said why) when it cannot act."""
        table = self.query_one("#transcripts", DataTable)
        if self._needs_coder() or not table.row_count:
            return None
        transcript_id = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        return next(row.transcript for row in self.rows if row.transcript.id == transcript_id)

    def action_edit(self) -> None:
        if (transcript := self._under_cursor()) is not None:
            self._open_form(transcript)

    @work(thread=True, group="read")
    def _open_form(self, transcript: TranscriptRow) -> None:
        """Read the speakers off the UI thread (the study may be a remote PostgreSQL), then show the form."""
        with self.study.reader() as session:
            speakers = speaker_rows(session, str(transcript.id))
        self.app.call_from_thread(self.app.push_screen, TranscriptForm(transcript, speakers), self.correct)

    def correct(self, edit: TranscriptEdit | None) -> None:
        if edit is None:
            return

        def change(session: Session) -> str:
            done = correct_transcript(session, edit.transcript_id, self.coder, edit.metadata, edit.speakers)
            return f"Transcript {edit.transcript_id}: {'; '.join(done)}"

        self.write(change, self._overview)

    def action_delete(self) -> None:
        """Delete the transcript under the cursor, softly, once confirmed: `coder transcript restore` brings it back."""
        if (transcript := self._under_cursor()) is None:
            return

        def change(session: Session) -> str:
            event = delete_transcript(session, str(transcript.id), self.coder, force=True)
            return (f"Deleted transcript {transcript.id} with its {event.codings} codings; "
                    f"`coder transcript restore {transcript.id}` brings it back")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.write(change, self._overview)

        self.app.push_screen(ConfirmDialog(f"Delete '{transcript.title}'? It and its codings leave every list, "
                                           "statistic and summary until it is restored."), confirmed)

    def action_purge(self) -> None:
        """Purge the transcript under the cursor for a participant who withdraws, once confirmed."""
        if (transcript := self._under_cursor()) is None:
            return
        transcript_id, title = transcript.id, transcript.title

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._purge(transcript_id)

        self.app.push_screen(ConfirmDialog(f"Purge '{title}' with every coding, memo and decision on it, for a "
                                           "participant who withdraws? This cannot be undone."), confirmed)

    @work(thread=True, group="write")
    def _purge(self, transcript_id: int) -> None:
        """Not through `write`: a purge is its own transaction, then rewrites the file outside one."""
        try:
            report = purge_transcript(self.study, transcript_id, self.coder)
            with self.study.reader() as session:
                overview = self._overview(session)
        except CoderError as error:
            self.post_message(ActionRefused(error))
            return
        backups = f"; delete the older copies {', '.join(map(str, report.backups))}" if report.backups else ""
        self.post_message(ActionDone(f"Purged transcript {transcript_id}{backups}", overview))

    def on_action_done(self, message: ActionDone[str, Overview]) -> None:
        self.notify(message.result)
        self.show(message.shown)

    def action_reload(self) -> None:
        self.load()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.fill()
        self.notify(f"sorted by {SORTS[self.sort_index][0]}")

    def action_filter(self) -> None:
        box = self.query_one("#study-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#study-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        """Narrow or widen the list as each key is typed: a key costs the rows on screen
        (`Table.show`), so there is no pause to wait for the next one."""
        self.query_text = event.value
        self.fill()
        self.post_message(Filtered(self.query_text))

    @on(Input.Submitted, "#study-filter")
    def filter_done(self) -> None:
        self.query_one("#transcripts", DataTable).focus()

    def on_key(self, event) -> None:
        box = self.query_one("#study-filter", Input)
        if event.key == "escape" and box.display:
            box.value = ""
            box.display = False
            self.query_one("#transcripts", DataTable).focus()
            event.stop()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        """Read the study off the UI thread; the database may be a remote PostgreSQL."""
        with self.study.reader() as session:
            overview = self._overview(session)
        self.post_message(StudyRead(overview))

    def _overview(self, session: Session) -> Overview:
        read = next(_reads)
        progress, reviewed = coding_progress(session), review_progress(session)
        rows = [Row(t, progress.get(t.id), order, reviewed.get(t.id, (0, 0)))
                for order, t in enumerate(transcript_overview(session))]
        return Overview(rows, study_status(session), read)

    def on_study_read(self, message: StudyRead) -> None:
        if message.overview != self.shown:  # a poll that finds nothing new redraws nothing
            self.show(message.overview)

    def show(self, overview: Overview) -> None:
        if self.shown is not None and overview.read < self.shown.read:
            return  # read before what is shown: an older study
        self.shown = overview
        self.rows, counts = overview.rows, overview.counts
        self._orders = {}
        self.query_one("#transcripts", Table).fill([(str(row.transcript.id), row.cells()) for row in self.rows])
        self.fill()
        self.query_one("#study-summary", Static).update(
            f"{counts.transcripts} transcripts · {counts.segments} segments · "
            f"{counts.words} words · {counts.codes} codes"
        )

    def fill(self) -> None:
        """Show the rows the filter matches in the sort's order; the rows stay as drawn, and
        the cursor on its transcript."""
        if self.sort_index not in self._orders:
            self._orders[self.sort_index] = sorted(self.rows, key=SORTS[self.sort_index][1])
        shown = matching(self._orders[self.sort_index], self.query_text)
        self.query_one("#transcripts", Table).show([str(row.transcript.id) for row in shown])
