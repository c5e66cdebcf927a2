"""Storage: engine factory, pragmas, schema version and migrations (DESIGN §3)."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from coder.errors import StudyError
from coder.storage.database import make_engine, open_study, resolve_target
from coder.storage.migrations import MIGRATIONS, SCHEMA_VERSION, Step, migrate
from coder.storage.models import Coder
from tests.conftest import REPO

FIXTURE_STUDY = REPO / "tests" / "fixtures" / "study-v1.db"


def test_target_resolution_follows_the_contract(monkeypatch):
    monkeypatch.delenv("CODER_DB", raising=False)
    assert resolve_target(None) == "coder.db"
    monkeypatch.setenv("CODER_DB", "/tmp/x.db")
    assert resolve_target(None) == "/tmp/x.db"
    assert resolve_target("other.db") == "other.db"


def test_sqlite_study_is_private_and_uses_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "s.db"
    study = open_study(str(path))
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with study.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        study.close()


def test_new_study_records_schema_version(study):
    with study.engine.connect() as conn:
        value = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar()
    assert int(value) == SCHEMA_VERSION


def test_foreign_keys_are_enforced(study):
    from coder.storage.models import Participant

    with pytest.raises(IntegrityError, match="(?i)foreign key"):
        with study.session() as session:
            session.add(Participant(transcript_id=999, label="X"))


def test_a_failed_action_leaves_nothing_behind(study):
    with pytest.raises(RuntimeError, match="boom"):  # noqa: PT012  (the session must see the error)
        with study.session() as session:
            session.add(Coder(name="anna"))
            session.flush()
            raise RuntimeError("boom")
    with study.session() as session:
        assert session.exec(select(Coder)).all() == []


def test_reopening_does_not_recreate(study):
    with study.session() as session:
        session.add(Coder(name="anna"))
    again = open_study(study.target)
    try:
        with again.session() as session:
            assert [c.name for c in session.exec(select(Coder))] == ["anna"]
    finally:
        again.close()


def test_study_from_a_newer_coder_is_refused(study):
    with study.engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value='999' WHERE key='schema_version'"))
    with pytest.raises(StudyError, match="newer"):
        migrate(study.engine)


def test_a_database_that_is_not_a_study_is_refused(tmp_path):
    path = tmp_path / "other.db"
    engine = make_engine(str(path))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE something (x INTEGER)"))
    engine.dispose()
    with pytest.raises(StudyError, match="not a coder study"):
        open_study(str(path))


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StudyError, match="cannot open"):
        open_study(str(path))


def test_fixture_study_written_by_version_1_still_opens(tmp_path):
    """The study file committed in tests/fixtures was written by schema version 1."""
    copy = tmp_path / "old.db"
    shutil.copy(FIXTURE_STUDY, copy)
    study = open_study(str(copy))
    try:
        with study.session() as session:
            assert session.exec(select(Coder)).first() is not None
        with study.engine.connect() as conn:
            assert inspect(conn).has_table("assignment")
            assert conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar() == str(
                SCHEMA_VERSION)
    finally:
        study.close()


def test_migration_path_grows_an_old_study_and_keeps_its_data(tmp_path):
    """A future schema step (here: a new column) applies to an old file, data intact."""
    copy = tmp_path / "old.db"
    shutil.copy(FIXTURE_STUDY, copy)
    engine = make_engine(str(copy))
    with engine.connect() as conn:
        coders_before = conn.execute(text("SELECT name FROM coder ORDER BY id")).all()

    def add_column(conn):
        conn.execute(text("ALTER TABLE coder ADD COLUMN email VARCHAR(255)"))

    grown = SCHEMA_VERSION + 1
    steps = (*MIGRATIONS, Step(grown, add_column, "coders get an e-mail address"))
    assert migrate(engine, steps, target=grown) == 1  # the fixture was written by version 1
    assert migrate(engine, steps, target=grown) == grown  # idempotent
    with engine.connect() as conn:
        assert "email" in {c["name"] for c in inspect(conn).get_columns("coder")}
        assert inspect(conn).has_table("assignment")  # the real step 2 ran on the way
        assert inspect(conn).has_table("decision")  # and step 3
        assert conn.execute(text("SELECT name FROM coder ORDER BY id")).all() == coders_before
    engine.dispose()


def test_audit_log_is_append_only(study):
    from coder.storage.audit import record
    from coder.storage.audit_events import CoderAdded

    with study.session() as session:
        record(session, "anna", CoderAdded())
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with study.engine.begin() as conn:
                conn.execute(text(statement))
    with study.engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit_log")).scalars().all() == ["anna"]


def test_a_version_2_study_gains_the_blind_pass_columns(tmp_path):
    """Version 2 had assignments without blind-pass state; step 3 adds it, rows kept."""
    copy = tmp_path / "v2.db"
    shutil.copy(FIXTURE_STUDY, copy)
    engine = make_engine(str(copy))
    migrate(engine, MIGRATIONS[:1], target=2)
    with engine.begin() as conn:  # the table exactly as version 2 wrote it: no blind-pass state yet
        assert not {"done_at", "no_code", "revealed_at"} & {c["name"] for c in inspect(conn).get_columns("assignment")}
        conn.execute(text("INSERT INTO assignment (from_coder_id, to_coder_id, transcript_id, first_segment_id,"
                          " last_segment_id, created_at, created_by) SELECT 1, 1, 1, id, id, '2026-01-01', 'x'"
                          " FROM segment LIMIT 1"))
    assert migrate(engine) == 2
    with engine.connect() as conn:
        assert {"done_at", "no_code", "revealed_at"} <= {c["name"] for c in inspect(conn).get_columns("assignment")}
        assert conn.execute(text("SELECT no_code, done_at FROM assignment")).all() == [(0, None)]
        assert inspect(conn).has_table("decision")
    engine.dispose()


def test_a_url_of_another_database_says_what_coder_opens():
    from coder.storage.database import engine_url

    with pytest.raises(StudyError, match="cannot open mysql:// studies: a study is a SQLite file path or a postgresql:// URL"):
        engine_url("mysql://x/y")
    assert engine_url("postgres://u@h/s") == "postgresql+psycopg://u@h/s"


@pytest.mark.parametrize(("query", "index"), [
    ("SELECT EXISTS (SELECT id FROM transcript WHERE deleted_at IS NOT NULL)", "ix_transcript_deleted_at"),
    ("SELECT id FROM coding WHERE coder_id = 1 AND code_id = 2 AND first_segment_id = 3 AND last_segment_id = 4 "
     "AND pass = 'primary' AND deleted_at IS NULL", "ix_coding_fragment"),
    ("SELECT entry_id FROM undo_step WHERE coder_id = 1 ORDER BY entry_id DESC LIMIT 1", "ix_undo_step_coder"),
])
def test_the_lookups_of_every_key_search_an_index(tmp_path, query, index):
    """Issue 18: what a session, a toggle and an undo ask reads a few index entries, not a
    table a whole study long (the plans as SQLite gives them, on an empty study)."""
    study = open_study(str(tmp_path / "study.db"))
    try:
        with study.engine.connect() as conn:
            plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}"))
    finally:
        study.close()
    assert f"INDEX {index}" in plan and "SCAN" not in plan.replace("SCAN CONSTANT ROW", "")
