"""Withdrawal of consent (DESIGN §7, issue #14): `coder purge` leaves no byte of a transcript."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlmodel import select

from coder.coding.actions import history, undo
from coder.coding.queries import transcript_codings
from coder.stats.agreement import agreement, report_json
from coder.stats.units import UnitFilter, study_ratings
from coder.storage.audit import audit_trail, record
from coder.storage.audit_events import ProjectImported
from coder.storage.database import open_study
from coder.storage.models import (
    Assignment,
    AuditEntry,
    Coding,
    Decision,
    Participant,
    Segment,
    Transcript,
    Turn,
)
from coder.storage.purge import plan_purge, purge_transcript
from tests.pg import create_database
from tests.purge_helpers import coded_study
from tests.test_cli import run

GONE, KEPT = "zonnebloem", "regenboog"


def _agreement(session, transcripts: tuple[str, ...] = ()) -> dict:
    ratings = study_ratings(session, "fragments", "theme", ("anna", "bram"), UnitFilter(transcripts))
    return report_json(agreement(ratings, "theme"))


def _study_bytes(path) -> bytes:
    """The study file and its write-ahead log, as bytes on disk, lower-cased."""
    wal = path.with_name(path.name + "-wal")
    return (path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")).lower()


@pytest.fixture(scope="module")
def purged(tmp_path_factory):
    """A SQLite study with two coded transcripts, one of them purged while the study stays open."""
    folder = tmp_path_factory.mktemp("purge")
    path = folder / "study.db"
    study = open_study(str(path))
    ids = coded_study(study, folder, (GONE, KEPT))
    with study.session() as session:  # a project import's warnings name the sources they are about
        record(session, "lead", ProjectImported(path="p.qdpx", sources=2, codings=0, offset_unit="characters",
                                                warnings=tuple(f"{w.capitalize()} interview: no text; skipped"
                                                               for w in (GONE, KEPT))))
    with study.reader() as session:
        kept_before = _agreement(session, (str(ids[KEPT]),))
        rows_before = {model.__name__: len(session.exec(select(model).where(model.transcript_id == ids[KEPT])).all())
                       for model in (Coding, Assignment, Decision, Segment, Turn, Participant)}
    bytes_before = _study_bytes(path)
    plan = plan_purge(study, f"{GONE.capitalize()} interview")
    report = purge_transcript(study, plan.transcript, "lead")
    after = SimpleNamespace(bytes=_study_bytes(path), wal=path.with_name("study.db-wal"))
    with study.reader() as session:
        after.agreement = _agreement(session)
        after.kept = _agreement(session, (str(ids[KEPT]),))
        after.rows = {model.__name__: len(session.exec(select(model).where(model.transcript_id == ids[KEPT])).all())
                      for model in (Coding, Assignment, Decision, Segment, Turn, Participant)}
        after.gone_rows = sum(len(session.exec(select(model).where(model.transcript_id == ids[GONE])).all())
                              for model in (Coding, Assignment, Decision, Segment, Turn, Participant, AuditEntry))
        after.titles = session.exec(select(Transcript.title)).all()
        after.log = audit_trail(session)
    yield SimpleNamespace(ids=ids, plan=plan, report=report, before=bytes_before, kept_before=kept_before,
                          rows_before=rows_before, after=after)
    study.close()


def test_the_purged_actions_leave_the_undo_stacks_and_the_rest_still_undo(tmp_path):
    """anna coded the purged interview first and the kept one after; her kept actions' steps
    pointed down at purged ones, and now undo goes through the kept ones and stops."""
    study = open_study(str(tmp_path / "study.db"))
    try:
        ids = coded_study(study, tmp_path, (GONE, KEPT))
        with study.reader() as session:
            kept = [a.entry_id for a in history(session, "anna")[0] if a.transcript_id == ids[KEPT]]
        purge_transcript(study, ids[GONE], "lead")
        with study.reader() as session:
            assert [a.entry_id for a in history(session, "anna")[0]] == kept
            assert {a.transcript_id for a in history(session, "bram")[0]} == {ids[KEPT]}
        for _ in kept:
            with study.session() as session:
                assert undo(session, "anna").transcript_id == ids[KEPT]
        with study.session() as session:
            assert undo(session, "anna") is None
            assert transcript_codings(session, ids[KEPT], "anna") == []
    finally:
        study.close()


def test_the_purged_text_is_in_no_byte_of_the_file_nor_its_log(purged):
    assert GONE.encode() in purged.before  # the test would see it
    assert GONE.encode() not in purged.after.bytes
    assert b"memo over de" not in purged.after.bytes.replace(b"memo over de " + KEPT.encode(), b"")
    assert purged.report.compacted
    assert not purged.after.wal.exists() or purged.after.wal.stat().st_size == 0


def test_everything_on_the_transcript_goes_and_the_other_stays_as_it_was(purged):
    assert purged.after.gone_rows == 0
    assert purged.after.titles == [f"{KEPT.capitalize()} interview"]
    assert purged.after.rows == purged.rows_before
    assert KEPT.encode() in purged.after.bytes


def test_agreement_on_the_other_transcript_is_unchanged_and_the_study_now_is_that(purged):
    assert purged.after.kept == purged.kept_before
    assert purged.after.agreement == purged.kept_before
    assert purged.kept_before["units"] > 0


def test_the_audit_log_keeps_who_purged_which_id_and_how_much_without_its_text(purged):
    counts = purged.plan.counts
    assert (counts.segments, counts.codings, counts.memos, counts.decisions) == (5, 6, 1, 2)
    entry = next(line for line in purged.after.log if line.kind == "transcript.purge")
    assert entry.actor == "lead" and entry.at is not None
    assert entry.detail["transcript"] == purged.ids[GONE] and entry.detail["codings"] == counts.codings
    assert GONE not in json.dumps([line.detail for line in purged.after.log]).lower()
    assert any(line.transcript == f"{KEPT.capitalize()} interview" for line in purged.after.log)
    project = next(line for line in purged.after.log if line.kind == "project.import")
    assert project.detail["warnings"] == [f"[purged transcript {purged.ids[GONE]}]: no text; skipped",
                                          f"{KEPT.capitalize()} interview: no text; skipped"]


def test_coder_purge_asks_first_and_names_the_backups_that_still_hold_it(capsys, tmp_path):
    path = tmp_path / "s.db"
    study = open_study(str(path))
    ids = coded_study(study, tmp_path, (GONE,))
    study.close()
    backup = tmp_path / "s.db.bak-v4"
    backup.write_bytes(b"an older copy")
    code, out, _ = run(capsys, "--db", str(path), "purge", "--transcript", str(ids[GONE]))  # stdin answers nothing
    assert code != 0 and "Purge it for good?" in out
    code, out, err = run(capsys, "--db", str(path), "purge", "--transcript", str(ids[GONE]), "--yes")
    assert code == 0, err
    assert f"purged    transcript {ids[GONE]}" in out and str(backup) in err
    assert backup.exists()
    assert GONE.encode() not in path.read_bytes().lower()
    code, _, err = run(capsys, "--db", str(path), "purge", "--transcript", "nope", "--yes")
    assert code == 1 and "no transcript 'nope'" in err


def test_a_purge_on_postgresql_deletes_the_rows_and_rewrites_the_tables(pg_admin_url, tmp_path):
    from coder.ingest.importer import import_transcripts
    from tests.conftest import write
    from tests.purge_helpers import interview

    study = open_study(create_database(pg_admin_url, "coder_test_purge"))
    try:
        ids = coded_study(study, tmp_path, (GONE,))
        import_transcripts(study, [write(tmp_path, f"{KEPT}.txt", interview(KEPT))], "lead")
        report = purge_transcript(study, ids[GONE], "lead")
        with study.reader() as session:
            texts = json.dumps([t.text for t in session.exec(select(Transcript)).all()]
                               + [e.detail for e in session.exec(select(AuditEntry)).all()]
                               + [c.memo for c in session.exec(select(Coding)).all()]).lower()
            kinds = [e.kind for e in session.exec(select(AuditEntry)).all()]
        assert report.compacted and report.backups == ()
        assert GONE not in texts and KEPT in texts
        assert kinds.count("transcript.purge") == 1 and "transcript.import" in kinds
    finally:
        study.close()


async def test_the_study_screen_purges_the_transcript_under_the_cursor_once_confirmed(tmp_path):
    from textual.widgets import DataTable

    from coder.ingest.importer import import_transcripts
    from coder.tui.actions import ActionDone
    from coder.tui.app import WorkbenchApp
    from coder.tui.pilot import drive
    from coder.tui.screens.study import StudyRead
    from tests.conftest import write
    from tests.purge_helpers import interview

    path = tmp_path / "s.db"
    study = open_study(str(path))
    import_transcripts(study, [write(tmp_path, f"{w}.txt", interview(w)) for w in (GONE, KEPT)], "lead")
    app = WorkbenchApp(study, "lead")
    async with drive(app, size=(120, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        table = app.screen.query_one("#transcripts", DataTable)
        assert table.get_row_at(1)[0] == f"{GONE.capitalize()} interview"  # sorted by title
        await pilot.press("down", "P", "n")
        assert table.row_count == 2
        await pilot.press("down", "P", "y", until=ActionDone)  # the screen reread the study behind the dialog
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == [f"{KEPT.capitalize()} interview"]
    study.close()
    assert GONE.encode() not in _study_bytes(path)
