"""Reads do not take the write lock (DESIGN §3): a command that only reads runs beside a writer.

On SQLite a writer's transaction begins IMMEDIATE (two writers queue instead of
deadlocking on a lock upgrade); a reader's begins DEFERRED and, in WAL mode, reads
its snapshot while the writer works. A long export reads one snapshot, on
PostgreSQL too (REPEATABLE READ, READ ONLY). A write that waits past the busy
timeout is a `StudyBusy`, a `CoderError` the screens and the command line report.

The writer here is a raw sqlite3 connection in the middle of a write transaction,
as another coder's workbench or a `coder import` would be.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from coder.coding.actions import add_coding
from coder.errors import CoderError, StudyBusy
from coder.storage import database
from coder.storage.models import Coder, Coding
from tests.test_cli import run

#: Short enough that a test which waits for the lock fails quickly, long enough for a slow machine.
TIMEOUT_MS = 1500


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", TIMEOUT_MS)


@contextmanager
def writer_at_work(path: str) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock, with a change it has not committed."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO coder (name, created_at) VALUES ('someone-else', CURRENT_TIMESTAMP)")
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def coded(sample):
    study, t = sample
    with study.session() as session:
        add_coding(session, "anna", "mutual-trust", t, 2, 3, memo="vertrouwen")
        add_coding(session, "bram", "mutual-trust", t, 2, 3)
    return study


#: The write lock is SQLite's (PostgreSQL reads never wait for writers): these run on SQLite only.
sqlite_only = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)


@pytest.mark.parametrize("command", [
    ["status"], ["status", "--json"], ["log"], ["export", "codings"], ["export", "codings", "--format", "json"],
    ["export", "debrief"], ["export", "qdpx", "-o", "{tmp}/study.qdpx"], ["codebook", "export"],
    ["codebook", "export", "--format", "yaml", "-o", "{tmp}/codebook.yaml"],
])
@sqlite_only
def test_reading_commands_run_while_another_coder_writes(capsys, coded, tmp_path, command):
    with writer_at_work(coded.target):
        started = time.monotonic()
        code, out, err = run(capsys, "--db", coded.target, *(part.format(tmp=tmp_path) for part in command))
        waited = time.monotonic() - started
    assert (code, err.count("locked")) == (0, 0), err
    assert waited < TIMEOUT_MS / 1000, "the command waited for the writer"
    assert "someone-else" not in out  # what the writer has not committed is not read


def test_a_reader_sees_one_snapshot_while_others_commit(coded):
    """A long export counts the same codings from its first query to its last."""
    with coded.reader() as reading:
        before = reading.exec(select(func.count()).select_from(Coding)).one()
        with coded.session() as writing:
            t = writing.exec(select(Coding.transcript_id)).first()
            add_coding(writing, "bram", "interdependence", t, 4, 4)
        during = reading.exec(select(func.count()).select_from(Coding)).one()
    with coded.reader() as reading:
        after = reading.exec(select(func.count()).select_from(Coding)).one()
    assert (before, during, after) == (2, 2, 3)


def test_a_reader_cannot_write(coded):
    with pytest.raises(DBAPIError, match="(?i)read-?only"), coded.reader() as session:  # noqa: PT012  (the flush must fail inside)
        session.add(Coder(name="sneaky"))
        session.flush()
    with coded.reader() as session:
        assert session.exec(select(Coder).where(Coder.name == "sneaky")).first() is None


def test_a_reader_is_blind_like_a_session(coded):
    with coded.reader(viewer="bram") as session:
        assert session.exec(select(func.count()).select_from(Coding)).one() == 2  # nothing assigned to bram


@sqlite_only
def test_a_write_kept_waiting_past_the_busy_timeout_is_a_clear_error(coded):
    with writer_at_work(coded.target), pytest.raises(StudyBusy, match=r"is busy: .* try again") as raised:
        with coded.session() as session:
            session.add(Coder(name="waiting"))
    assert isinstance(raised.value, CoderError)
    with coded.reader() as session:
        assert session.exec(select(Coder).where(Coder.name == "waiting")).first() is None


@sqlite_only
def test_a_busy_study_is_one_line_at_the_command_line(capsys, coded):
    with writer_at_work(coded.target):
        code, _, err = run(capsys, "--db", coded.target, "roles", "--uncodable", "interviewer")
    assert code == 1 and err.startswith("coder: error: ") and "busy" in err and "Traceback" not in err
