"""Text that users and colleagues wrote is shown as text on every screen, never read as markup (issue #19.5)."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable, Static

from coder.codebook.codebook_file import read_codebook
from coder.codebook.study_codebook import apply_codebook
from coder.coding.actions import add_coding
from coder.coding.assignments import assign
from coder.ingest.importer import import_transcripts
from coder.storage.models import Transcript
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.blind_coding import BlindScreen, QueueRead
from coder.tui.screens.coding import CodingScreen, TranscriptOpened
from coder.tui.screens.study import StudyRead
from tests.conftest import SHIPPED_CODEBOOK, TRANSCRIPT, write

HOSTILE_TITLE = "Interview [/] [b]vet[/b] [link=x]"
HOSTILE_CODER = "[/]"


def hostile_study(study, tmp_path) -> int:
    text = TRANSCRIPT.replace("title: Proefinterview", f"title: '{HOSTILE_TITLE}'").replace(
        "Goed hoor.", "Goed hoor [pauze] [/] [red]rood[/red].")
    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "test")
    import_transcripts(study, [write(tmp_path, "x.txt", text)], "test")
    with study.session() as session:
        transcript_id = session.exec(select(Transcript.id)).one()
    with study.session() as session:
        add_coding(session, "anna", "interdependence", transcript_id, 2, 3, memo="[/] memo")
    with study.session() as session:
        assign(session, "anna", HOSTILE_CODER, "lead")
    return transcript_id


async def test_titles_coders_and_text_with_brackets_are_shown_literally(empty, tmp_path):
    transcript_id = hostile_study(empty, tmp_path)
    app = WorkbenchApp(empty, HOSTILE_CODER)
    async with drive(app, size=(160, 40)) as pilot:
        await pilot.wait_for(StudyRead)
        table = app.screen.query_one("#transcripts", DataTable)
        assert HOSTILE_TITLE in str(table.get_row_at(0)[0]).replace("\\[", "[")
        await app.push_screen(CodingScreen(empty, HOSTILE_CODER, transcript_id))
        await pilot.wait_for(TranscriptOpened)
        await pilot.press("1")  # a notification naming the coder and the code
        await pilot.pause()
        status = str(app.screen.query_one("#coding-status", Static).render())
        assert app.is_running and status
        await app.push_screen(BlindScreen(empty, HOSTILE_CODER))
        await pilot.wait_for(QueueRead)
        summary = str(app.screen.query_one("#blind-summary", Static).render())
        assert HOSTILE_TITLE in summary
    assert app.return_code in (None, 0)
