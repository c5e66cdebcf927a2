"""The study screen: every transcript with its school, participants and size."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from coder.db import Study
from coder.study import StudyStatus, TranscriptRow, study_status, transcript_overview
from coder.tui.agreement_screen import AgreementScreen
from coder.tui.coding_screen import CodingScreen


class StudyScreen(Screen):
    """The transcripts of the study; enter codes one, `a` opens the agreement screen."""

    BINDINGS = [
        Binding("a", "agreement", "Agreement"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, study: Study, coder: str | None = None) -> None:
        super().__init__()
        self.study = study
        self.coder = coder

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the study…", id="study-summary")
        yield DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(CodingScreen(self.study, self.coder, int(event.row_key.value)))

    def action_agreement(self) -> None:
        self.app.push_screen(AgreementScreen(self.study))

    def on_mount(self) -> None:
        table = self.query_one("#transcripts", DataTable)
        table.add_columns("Transcript", "Type", "School", "Participants", "Words", "Segments")
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        """Read the study off the UI thread; the database may be a remote PostgreSQL."""
        with self.study.session() as session:
            rows = transcript_overview(session)
            counts = study_status(session)
        self.app.call_from_thread(self.show, rows, counts)

    def show(self, rows: list[TranscriptRow], counts: StudyStatus) -> None:
        table = self.query_one("#transcripts", DataTable)
        table.clear()
        for row in rows:
            table.add_row(
                row.title, row.school_type or "", row.school or "", row.participants,
                str(row.words), str(row.segments), key=str(row.id),
            )
        self.query_one("#study-summary", Static).update(
            f"{counts.transcripts} transcripts · {counts.segments} segments · "
            f"{counts.words} words · {counts.codes} codes"
        )
