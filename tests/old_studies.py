"""Studies as older versions of coder wrote them, for the migration tests.

The SQLite fixtures were written by that version's own code (see their
`make_study_v*.py`). PostgreSQL has no committed file, so a version-1 study is built
there from the tables the version-1 fixture holds, less what later versions
added to those tables (`ADDED_LATER`).
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from coder.storage.database import is_url, make_engine
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures"
STUDY_V1 = FIXTURES / "study-v1.db"
STUDY_V3 = FIXTURES / "study-v3.db"


#: Columns and indexes that steps after version 1 add to version-1 tables.
ADDED_LATER = (
    "DROP INDEX ix_coding_transcript_coder",
    "DROP INDEX ix_coding_fragment",
    "DROP INDEX ix_transcript_deleted_at",
    "ALTER TABLE turn DROP COLUMN start_time",
    "ALTER TABLE transcript DROP COLUMN deleted_at",
    "ALTER TABLE transcript DROP COLUMN deleted_by",
)


#: What steps 6 and 7 added, undone: a study as version 5 left it, with its audit log as it was.
AFTER_VERSION_5 = (
    "DROP TABLE undo_step",
    "DROP INDEX ix_coding_fragment",
    "DROP INDEX ix_transcript_deleted_at",
    "UPDATE meta SET value = '5' WHERE key = 'schema_version'",
)


def as_version_5(engine: Engine) -> None:
    """Turn a study of today's schema into the version-5 study it would have been."""
    with engine.begin() as conn:
        for statement in AFTER_VERSION_5:
            conn.exec_driver_sql(statement)


def tables_of(path: Path) -> set[str]:
    """The tables of a committed fixture, read as an immutable file (no -wal or -shm left beside it)."""
    with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def version_1_study(target: str) -> Engine:
    """An empty-of-codings study at schema version 1 in `target` (a SQLite path or an empty PostgreSQL database)."""
    if not is_url(target):
        shutil.copy(STUDY_V1, target)
        return make_engine(target)
    engine = make_engine(target)
    version_1 = [SQLModel.metadata.tables[name] for name in sorted(tables_of(STUDY_V1))]
    with engine.begin() as conn:
        SQLModel.metadata.create_all(conn, tables=version_1)
        for statement in ADDED_LATER:
            conn.exec_driver_sql(statement)
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('schema_version', '1')"))
    return engine
