"""Opening a study: the engine factory, SQLite pragmas, and the `Study` that hands out sessions.

A study is one SQLite file by default, or a PostgreSQL database when a team shares
it (DESIGN §3). The same models and portable SQL serve both; the only dialect
specifics are the SQLite pragmas set in a `connect` listener and the
`BEGIN IMMEDIATE` that keeps two SQLite writers from deadlocking.

No engine is made at import time: callers ask `open_study()` for one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from coder.errors import StudyError
from coder.storage.migrations import migrate
from coder.storage.visibility import blind_to_pending

DEFAULT_DB = "coder.db"
BUSY_TIMEOUT_MS = 10_000


def resolve_target(cli_value: str | None) -> str:
    """DESIGN §3 (contract): `--db`, else `CODER_DB`, else `./coder.db`."""
    return cli_value or os.environ.get("CODER_DB") or DEFAULT_DB


def is_url(target: str) -> bool:
    """A target with a scheme is a database URL; anything else is a SQLite path."""
    return "://" in target


def engine_url(target: str) -> str:
    """Turn a study target into a SQLAlchemy URL, choosing psycopg 3 for PostgreSQL."""
    if not is_url(target):
        return f"sqlite:///{Path(target).expanduser()}"
    scheme, rest = target.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return target


def _create_private_file(path: Path) -> None:
    """Create the SQLite file with mode 0600 before SQLite does: interview data is personal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front, so two coders writing to one file
    # wait for each other (busy timeout) instead of failing on lock upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(target: str) -> Engine:
    """Build the engine for a study target (a path or a URL), with SQLite pragmas set."""
    url = engine_url(target)
    if url.startswith("sqlite:///"):
        _create_private_file(Path(url.removeprefix("sqlite:///")))
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StudyError(
            f"cannot open {target}: the PostgreSQL driver is missing "
            "(install coder with the 'postgres' extra: coder-qda[postgres])"
        ) from exc


@dataclass
class Study:
    """An open study: its engine and how it was named. Sessions come from `session()`.

    A study opened for a `viewer` (the coder at the keyboard) gives only sessions
    that are blind to what that coder still codes blind.
    """

    target: str
    engine: Engine
    viewer: str | None = None

    def as_viewer(self, name: str) -> Study:
        """The same open study, seen by coder `name`."""
        return replace(self, viewer=name)

    @contextmanager
    def session(self, viewer: str | None = None) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error.

        Every user action goes through one of these, so it is one transaction.
        A session for a `viewer` (the coder at the keyboard) cannot read other
        coders' codes on fragments the viewer still codes blind (`blindness`).
        """
        viewer = viewer or self.viewer
        with Session(self.engine, expire_on_commit=False) as session:
            if viewer is not None:
                blind_to_pending(session, viewer)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def open_study(target: str | None = None) -> Study:
    """Open (creating or migrating as needed) the study named by `target` or the defaults."""
    resolved = resolve_target(target)
    engine = make_engine(resolved)
    try:
        migrate(engine)
    except DatabaseError as exc:
        engine.dispose()
        raise StudyError(f"cannot open study {resolved}: {exc.orig}") from exc
    except StudyError:
        engine.dispose()
        raise
    return Study(target=resolved, engine=engine)
