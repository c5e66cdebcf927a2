"""Opening a study: the engine factory, SQLite pragmas, schema version and migrations.

A study is one SQLite file by default, or a PostgreSQL database when a team shares
it (DESIGN §3). The same models and portable SQL serve both; the only dialect
specifics are the SQLite pragmas set in a `connect` listener and the
`BEGIN IMMEDIATE` that keeps two SQLite writers from deadlocking.

No engine is made at import time: callers ask `open_study()` for one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Column, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, SQLModel

from coder import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from coder.blindness import blind_to_pending
from coder.errors import StudyError

#: The schema this version of coder writes. Bump it and append a migration
#: whenever a table or column is added.
SCHEMA_VERSION = 3
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


# --- schema version and migrations -------------------------------------------------

Migration = Callable[[Connection], None]


@dataclass(frozen=True)
class Step:
    """One schema change: `apply` brings a study from `version - 1` to `version`."""

    version: int
    apply: Migration
    description: str


def _add_assignments(conn: Connection) -> None:
    SQLModel.metadata.tables["assignment"].create(conn)


def _add_blind_state_and_decisions(conn: Connection) -> None:
    """Version 3: blind-pass state on assignments, and the reconciliation decisions."""
    table = SQLModel.metadata.tables["assignment"]
    _add_column(conn, table.c.done_at)
    _add_column(conn, table.c.no_code, "NOT NULL DEFAULT false")
    _add_column(conn, table.c.revealed_at)
    SQLModel.metadata.tables["decision"].create(conn)


def _add_column(conn: Connection, column: Column, constraints: str = "") -> None:
    """ALTER TABLE ... ADD a model column, its type compiled for this database.

    `constraints` gives a NOT NULL column the DEFAULT its existing rows take. A
    column already there is left alone: an earlier step that creates its table
    from today's model has made it already.
    """
    if column.name in {c["name"] for c in inspect(conn).get_columns(column.table.name)}:
        return
    kind = column.type.compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE {column.table.name} ADD COLUMN {column.name} {kind} {constraints}".rstrip())


#: Ordered migrations. Version 1 is the first schema; each later version appends a
#: `Step` with portable DDL (CREATE TABLE from the model, ALTER TABLE ... ADD ...).
#: A new study gets the current schema from `create_all` and skips them.
MIGRATIONS: tuple[Step, ...] = (
    Step(2, _add_assignments, "assignments of fragments to a second coder"),
    Step(3, _add_blind_state_and_decisions, "blind-pass state and reconciliation decisions"),
)


_APPEND_ONLY = "the audit log is append-only"
_AUDIT_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END",
        f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION coder_audit_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION coder_audit_append_only()",
    ],
}


def _protect_audit_log(conn: Connection) -> None:
    """Make the database itself refuse to change or remove audit rows."""
    for statement in _AUDIT_TRIGGERS.get(conn.dialect.name, []):
        conn.exec_driver_sql(statement)


def stored_version(conn: Connection) -> int | None:
    """The schema version recorded in the study, or None for an empty database."""
    if not inspect(conn).has_table("meta"):
        return None
    row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
    return int(row[0]) if row else None


def _set_version(conn: Connection, version: int) -> None:
    updated = conn.execute(
        text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(version)}
    )
    if updated.rowcount == 0:
        conn.execute(
            text("INSERT INTO meta (key, value) VALUES ('schema_version', :v)"), {"v": str(version)}
        )


def migrate(
    engine: Engine, steps: tuple[Step, ...] = MIGRATIONS, target: int = SCHEMA_VERSION
) -> int:
    """Create a new study or bring an older one up to `target`, in one transaction.

    Returns the version the study was at before. A study written by a newer coder
    is refused rather than guessed at.
    """
    with engine.begin() as conn:
        before = stored_version(conn)
        if before is None:
            if inspect(conn).get_table_names():
                raise StudyError(f"{engine.url.render_as_string()}: not a coder study")
            SQLModel.metadata.create_all(conn)
            _protect_audit_log(conn)
            _set_version(conn, target)
            return 0
        if before > target:
            raise StudyError(
                f"this study has schema version {before}, newer than this coder "
                f"understands ({target}); update coder to open it"
            )
        for step in steps:
            if before < step.version <= target:
                step.apply(conn)
        _set_version(conn, target)
        return before


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
