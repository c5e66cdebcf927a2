"""Opening a study: the engine factory, SQLite pragmas, and the `Study` that hands out sessions.

A study is one SQLite file by default, or a PostgreSQL database when a team shares
it (DESIGN §3). The same models and portable SQL serve both; the only dialect
specifics are the SQLite pragmas set in a `connect` listener and how a
transaction begins: `BEGIN IMMEDIATE` keeps two SQLite writers from deadlocking,
and a reader (`Study.reader`) begins DEFERRED so that, in WAL mode, it reads its
snapshot beside a writer instead of queueing for the write lock.

Opening an older study brings it to today's schema (DESIGN §3): a SQLite file is
first copied beside itself (`study.db.bak-vN`), a shared PostgreSQL study is
migrated only when asked (`migrate_study`, which is `coder migrate`), never by
whoever happens to open it first.

A study file the user may not write (a colleague's, or one made read-only on
purpose) opens read-only when it is at today's schema: everything that reads
works, and a write is a `StudyError` that says so. coder never changes the mode
of a file it did not create: only a new study file is made private (0600).

No engine is made at import time: callers ask `open_study()` for one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import IntEnum
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DatabaseError, DataError, OperationalError
from sqlmodel import Session

from coder.errors import StudyBusy, StudyError
from coder.storage import migrations
from coder.storage.deletions import leave_out_deleted
from coder.storage.team import connection_identity, install, is_team_study
from coder.storage.visibility import blind_to_pending

DEFAULT_DB = "coder.db"
BUSY_TIMEOUT_MS = 10_000
#: The execution option that marks a connection's transactions as reads only (`Study.reader`).
READING = "coder_reading"


def resolve_target(cli_value: str | None) -> str:
    """DESIGN §3 (contract): `--db`, else `CODER_DB`, else `./coder.db`."""
    return cli_value or os.environ.get("CODER_DB") or DEFAULT_DB


def is_url(target: str) -> bool:
    """A target with a scheme is a database URL; anything else is a SQLite path."""
    return "://" in target


def sqlite_path(target: str) -> Path | None:
    """The file of a SQLite study target; None for a database URL."""
    return None if is_url(target) else Path(target).expanduser()


def engine_url(target: str) -> str:
    """Turn a study target into a SQLAlchemy URL, choosing psycopg 3 for PostgreSQL."""
    if (path := sqlite_path(target)) is not None:
        return f"sqlite:///{path}"
    scheme, rest = target.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    if not scheme.startswith(("postgresql+", "sqlite")):
        raise StudyError(f"cannot open {scheme}:// studies: a study is a SQLite file path or a postgresql:// URL")
    return target


def _create_private_file(path: Path) -> None:
    """Create the SQLite file with mode 0600 before SQLite does: interview data is personal.

    A file that exists keeps its mode: it may be shared with a group on purpose,
    and only its owner may change it anyway.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
    finally:
        os.close(fd)


def sidecar(path: Path, suffix: str) -> Path:
    """A file SQLite keeps beside a study in WAL mode: `-wal` (the log) or `-shm` (its index)."""
    return path.with_name(path.name + suffix)


def _writable(path: Path) -> bool:
    """Whether this user may write `path` (the tests replace it: root may write anything)."""
    return os.access(path, os.W_OK)


def read_only_reason(path: Path) -> str | None:
    """Why this user may only read the SQLite study at `path`; None when they may write it.

    SQLite writes the file, its `-wal` and `-shm` files when they are there, and
    the directory, where it creates and removes them.
    """
    for part in (path, sidecar(path, "-wal"), sidecar(path, "-shm")):
        if part.exists() and not _writable(part):
            return f"you may not write {part}"
    if not _writable(path.parent):
        return f"you may not write its directory {path.parent}"
    return None


def _pragmas(dbapi_connection, *statements: str) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _sqlite_on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for statement in ("PRAGMA foreign_keys=ON", f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}", *statements):
        cursor.execute(statement)
    cursor.close()


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    _pragmas(dbapi_connection, "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL")


def _sqlite_on_connect_read_only(dbapi_connection, _record) -> None:
    # A file we may not write keeps the journal mode its owner gave it.
    _pragmas(dbapi_connection)


def _sqlite_on_begin(conn: Connection) -> None:
    # A writer's IMMEDIATE takes the write lock up front, so two coders writing to
    # one file wait for each other (busy timeout) instead of failing on lock upgrade.
    # A reader's plain BEGIN takes no lock until it reads, and then only a WAL
    # snapshot; query_only makes sure it never needs the upgrade.
    reading = bool(conn.get_execution_options().get(READING))
    conn.exec_driver_sql(f"PRAGMA query_only={int(reading)}")
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def reading_engine(engine: Engine) -> Engine:
    """The same engine (and pool) for transactions that only read, each one snapshot of the study.

    SQLite: DEFERRED and query-only (see `_sqlite_on_begin`). PostgreSQL reads
    never wait for writers anyway; REPEATABLE READ gives a long export one
    snapshot instead of one per statement, and READ ONLY refuses a write.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{READING: True})
    return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)


def make_engine(target: str, *, read_only: bool = False) -> Engine:
    """Build the engine for a study target (a path or a URL), with SQLite pragmas set.

    A `read_only` SQLite engine opens the existing file with `mode=ro`, and
    every transaction on it is a reader's (`_sqlite_on_begin`). A WAL reader
    needs the `-shm` file. When it is there, someone has the study open, and we
    read beside them. When it is not, nobody has, and the file is read as
    `immutable`, without locks, as it stands: SQLite cannot create `-wal` and
    `-shm` in a directory we may not write, and where it can, it would leave them
    behind, ours, in the way of the file's owner. The owner's new work goes to
    their `-wal` and is not seen; only if they checkpoint it into the file during
    a long read could that read fail (SQLite: "malformed") or mix old and new.
    """
    url = engine_url(target)
    if url.startswith("sqlite:///"):
        timeout = {"timeout": BUSY_TIMEOUT_MS / 1000}
        path = Path(url.removeprefix("sqlite:///"))
        if read_only:
            query = {"mode": "ro", "uri": "true"}
            if not sidecar(path, "-shm").exists():
                query["immutable"] = "1"
            file_uri = URL.create("sqlite", database=path.absolute().as_uri(), query=query)
            engine = create_engine(file_uri, connect_args=timeout, execution_options={READING: True})
            event.listen(engine, "connect", _sqlite_on_connect_read_only)
        else:
            try:
                _create_private_file(path)
            except OSError as exc:
                raise StudyError(f"cannot create a study at {target}: {exc.strerror}") from exc
            engine = create_engine(url, connect_args=timeout)
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


class LockSpace(IntEnum):
    """What `serialise` makes transactions take turns on (the first key of a PostgreSQL advisory lock)."""

    CODER = 1
    #: A pair's review, or the fragments added to one transcript: the consensus written there.
    REVIEW = 2


def serialise(session: Session, space: LockSpace, key: str) -> None:
    """Make this transaction wait for any other that serialises the same `key`, until it ends.

    An action that reads and then writes on what it read (toggling a code, undoing the last
    action, a coder's first use, handing fragments to a coder) must not run beside another
    one on the same thing: two processes of one coder would both add the code, both undo the
    same action. On SQLite a writer holds the file's write lock from its first statement
    (`BEGIN IMMEDIATE`), so nothing is needed. On PostgreSQL writers run side by side at READ
    COMMITTED; this takes a transaction-scoped advisory lock, and the statements after it see
    what the other transaction committed. Keys are hashed to 32 bits: a collision only waits.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": int(space), "key": digest})


@dataclass
class Study:
    """An open study: its engine and how it was named. Sessions come from `session()`.

    A study opened for a `viewer` (the coder at the keyboard) gives only sessions
    that are blind to what that coder still codes blind.
    """

    target: str
    engine: Engine
    viewer: str | None = None
    #: Why this user may only read the study (`read_only_reason`); None when they may write it.
    read_only: str | None = None
    #: In team mode, who the connection acts as (its database role); None elsewhere.
    identity: str | None = None

    @property
    def shared(self) -> bool:
        """A study in PostgreSQL, which other coders may change while this one has it open."""
        return self.engine.dialect.name == "postgresql"

    def as_viewer(self, name: str) -> Study:
        """The same open study, seen by coder `name`."""
        return replace(self, viewer=name)

    @contextmanager
    def session(self, viewer: str | None = None) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error.

        Every user action goes through one of these, so it is one transaction.
        A session for a `viewer` (the coder at the keyboard) cannot read other
        coders' codes on fragments the viewer still codes blind (`blindness`).
        On SQLite it takes the write lock when it begins; a SQLite study another
        process keeps locked past the busy timeout is a `StudyBusy`.
        """
        with self._transaction(self.engine, viewer) as session:
            yield session

    @contextmanager
    def reader(self, viewer: str | None = None) -> Iterator[Session]:
        """A transaction that only reads: one snapshot of the study, taken beside any writer.

        What only reads (status, log, exports, a screen's redraw) uses this, so a
        long export neither waits for a coder at work nor makes them wait, and it
        sees the study as it was when it began from its first query to its last.
        Writing in it is refused by the database. On a `read_only` study every
        session is a reader, and a write is a `StudyError` that says why.
        """
        with self._transaction(reading_engine(self.engine), viewer) as session:
            yield session

    @contextmanager
    def _transaction(self, bind: Engine, viewer: str | None) -> Iterator[Session]:
        viewer = viewer or self.viewer
        with Session(bind, expire_on_commit=False) as session:
            leave_out_deleted(session)
            if viewer is not None:
                blind_to_pending(session, viewer)
            try:
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                if (problem := self._problem(exc)) is None:
                    raise
                raise problem from exc
            except DataError as exc:  # what no reader checked: a value PostgreSQL cannot store
                session.rollback()
                raise StudyError(f"the study cannot store a value given ({str(exc.orig).splitlines()[0]}); "
                                 "nothing was written") from exc
            except BaseException:
                session.rollback()
                raise

    def _problem(self, exc: OperationalError) -> StudyError | None:
        """What a SQLite failure means to the user, when it is one they can act on."""
        code = getattr(exc.orig, "sqlite_errorcode", None)
        if code is not None and code & 0xFF == sqlite3.SQLITE_BUSY:
            return StudyBusy(f"{self.target} is busy: another coder or command has kept it locked for "
                             f"{BUSY_TIMEOUT_MS / 1000:g} s; try again in a moment")
        if code is not None and code & 0xFF == sqlite3.SQLITE_READONLY and self.read_only:
            return StudyError(f"this study is read-only for you: {self.read_only}; nothing was written")
        return None

    def close(self) -> None:
        self.engine.dispose()


@dataclass(frozen=True)
class Upgrade:
    """What opening or migrating did to a study's schema."""

    target: str
    #: The version the study was at (0 for a study created just now).
    before: int
    after: int
    #: The copy made before migrating a SQLite study; None when nothing was migrated, or on PostgreSQL.
    backup: Path | None = None


def open_study(target: str | None = None, *, create: bool = True) -> Study:
    """Open the study named by `target` or the defaults, bringing a SQLite study up to date.

    Only `create=True` makes a new study (DESIGN §3: only `init`, `import` and `demo`
    do): with `create=False` a SQLite path that does not exist, or an empty database,
    is a `StudyError` and nothing is created, not even the directories leading to it.
    An older PostgreSQL study is refused with what to run: it is shared, so its owner
    migrates it (`migrate_study`).
    """
    study, _ = _open(resolve_target(target), create=create, migrate_shared=False)
    return study


def migrate_study(target: str | None = None) -> Upgrade:
    """Bring an existing study, SQLite or PostgreSQL, to today's schema (`coder migrate`)."""
    study, upgrade = _open(resolve_target(target), create=False, migrate_shared=True)
    try:
        if upgrade.before != upgrade.after and is_team_study(study.engine):
            install(study.engine)  # the grants and policies, over the tables the steps added too
    finally:
        study.close()
    return upgrade


def _open(target: str, *, create: bool, migrate_shared: bool) -> tuple[Study, Upgrade]:
    path = sqlite_path(target)
    if path is not None and path.is_dir():
        raise StudyError(f"{target} is a folder; name a study file in it (such as {Path(target) / 'coder.db'})")
    if not create and path is not None and not path.exists():
        raise StudyError(f"no study at {target} (create one with `coder init`, or name another with --db)")
    read_only = read_only_reason(path) if path is not None and path.exists() else None
    engine = make_engine(target, read_only=read_only is not None)
    try:
        upgrade = _bring_up_to_date(engine, target, create=create, migrate_shared=migrate_shared, read_only=read_only)
    except DatabaseError as exc:
        engine.dispose()
        raise StudyError(f"cannot open study {target}: {exc.orig}") from exc
    except StudyError:
        engine.dispose()
        raise
    return Study(target=target, engine=engine, read_only=read_only, identity=connection_identity(engine)), upgrade


def _bring_up_to_date(engine: Engine, target: str, *, create: bool, migrate_shared: bool,
                      read_only: str | None) -> Upgrade:
    """Create, check or migrate the schema; a SQLite study is backed up before its first step.

    A study the user may not write can only be checked: creating or migrating it is refused.
    """
    # Read at call time, so a test can plan a step past today's schema.
    steps, current = migrations.MIGRATIONS, migrations.SCHEMA_VERSION
    with reading_engine(engine).connect() as conn:
        version = migrations.stored_version(conn)
        empty = version is None and not inspect(conn).get_table_names()
    if version == current:  # the usual case writes nothing, so opening waits for no writer
        return Upgrade(target, current, current)
    if empty and not create:
        where = engine.url.render_as_string() if is_url(target) else target
        raise StudyError(f"no study in {where}: it is empty (create one with `coder init`)")
    if read_only and empty:
        raise StudyError(f"cannot create a study in {target}: it is read-only for you ({read_only})")
    if read_only and version is not None and version < current:
        raise StudyError(f"this study has schema version {version} and needs migrating to {current}, but it is "
                         f"read-only for you ({read_only}); ask its owner to run `coder migrate`")
    backup = None
    if version is not None and version < current:
        path = sqlite_path(target)
        if path is None and not migrate_shared:
            raise StudyError(f"this study has schema version {version}; run `coder migrate` "
                             f"(ask the study's owner) to bring it to {current}")
        if path is not None:
            backup = backup_sqlite(path, version)
    before = migrations.migrate(engine, steps, current)
    return Upgrade(target, before, current, backup)


def backup_path(path: Path, version: int) -> Path:
    """`PATH.bak-vN`, or `PATH.bak-vN.1`, `.2`, ... when an earlier backup holds that name.

    An existing backup is never overwritten: it may be the only copy of the study
    as it was before an earlier, interrupted migration.
    """
    candidate = path.with_name(f"{path.name}.bak-v{version}")
    number = 0
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.bak-v{version}.{number}")
    return candidate


def backup_sqlite(path: Path, version: int, attempts: int = 5) -> Path:
    """Copy a SQLite study beside itself, byte for byte and mode 0600, before it is migrated.

    The write-ahead log is folded into the file first, and the copy is read while a
    read transaction on the bare file holds off any checkpoint, so it is one
    consistent state of the study (SQLite's backup API would do that too, but it
    rewrites the header, and a backup should be the very file that was there).
    """
    destination = backup_path(path, version)
    source = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        for _ in range(attempts):
            source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_master")  # starts the read snapshot
            if _wal_is_empty(path):
                _copy_private(path, destination)
                source.execute("COMMIT")
                return destination
            source.execute("ROLLBACK")  # a coder wrote in between: fold that in too and try again
    finally:
        source.close()
    raise StudyError(f"cannot back up {path} before migrating it: it is busy; close coder elsewhere and try again")


def _wal_is_empty(path: Path) -> bool:
    wal = sidecar(path, "-wal")
    return not wal.exists() or wal.stat().st_size == 0


def _copy_private(source: Path, destination: Path) -> None:
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "wb") as out, open(source, "rb") as data:
        shutil.copyfileobj(data, out)
        out.flush()
        os.fsync(out.fileno())
