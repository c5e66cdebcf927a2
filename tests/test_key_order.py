"""Keys pressed fast are done in the order they were pressed, one after another (issue #19.11).

When each key started its own thread behind a lock, `1 u` pressed 25 times gave 23 adds,
2 removes and 21 undos: waiting threads are not woken in the order they came. Each screen
now has one queue (`coder.tui.actions.ActionQueue`); this presses the keys faster than the
database answers and reads the audit log back. The queue is the screen's, whatever the
backend, so one backend (SQLite) shows it.
"""

from __future__ import annotations

from sqlmodel import select
from textual.message import Message

from coder.codebook.codebook_file import read_codebook
from coder.codebook.study_codebook import apply_codebook
from coder.ingest.importer import import_transcripts
from coder.storage.models import AuditEntry, Coding, Transcript
from coder.tui.actions import ActionDone, ActionRefused
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.coding import CodingScreen, TranscriptOpened
from tests.conftest import SHIPPED_CODEBOOK, TRANSCRIPT, write

PRESSES = 8


async def test_code_and_undo_pressed_fast_run_in_key_order(empty, tmp_path):
    study = empty
    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "test")
    import_transcripts(study, [write(tmp_path, "t.txt", TRANSCRIPT)], "test")
    with study.session() as session:
        transcript_id = session.exec(select(Transcript.id)).one()
    app = WorkbenchApp(study, "anna")
    async with drive(app, size=(120, 30)) as pilot:
        await app.push_screen(CodingScreen(study, "anna", transcript_id))
        await pilot.wait_for(TranscriptOpened)
        await pilot.press("down", "down")  # the teacher's first segment
        await pilot.press(*["1", "u"] * PRESSES)
        outcomes = [await pilot.wait_for(Message, lambda m: isinstance(m, ActionDone | ActionRefused))
                    for _ in range(2 * PRESSES)]
    assert not [m for m in outcomes if isinstance(m, ActionRefused)]
    with study.session() as session:
        kinds = session.exec(select(AuditEntry.kind).where(AuditEntry.actor == "anna", AuditEntry.kind.like("coding.%"))
                             .order_by(AuditEntry.id)).all()
        codings = session.exec(select(Coding)).all()
    assert kinds == ["coding.add", "coding.undo"] * PRESSES
    assert len(codings) == PRESSES and all(c.deleted_at is not None for c in codings)
