"""The schema version of a study and the migrations that bring an older study up to it.

A new study gets today's schema from the models; an older one is brought up step
by step, each step in the same transaction, so a failed migration leaves the
study as it was.

Each step's DDL is frozen as it was at its version (DESIGN §3): the tables it
creates are written out here on their own `MetaData`, never taken from today's
models, so a later change to a model cannot change what an old step does. The
models of version N must equal what the steps up to N build; a test compares a
migrated study's schema with a new one's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import coder.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from coder.errors import StudyError

#: The schema this version of coder writes. Bump it and append a migration
#: whenever a table or column is added.
SCHEMA_VERSION = 3

Migration = Callable[[Connection], None]


@dataclass(frozen=True)
class Step:
    """One schema change: `apply` brings a study from `version - 1` to `version`."""

    version: int
    apply: Migration
    description: str


def _frozen_metadata() -> MetaData:
    """A MetaData holding the version-1 tables the frozen steps point their foreign keys at.

    Only their keys are written out: these tables are never created from here.
    """
    metadata = MetaData()
    for name in ("coder", "transcript", "segment"):
        Table(name, metadata, Column("id", Integer, primary_key=True))
    return metadata


def _assignment_v2(metadata: MetaData) -> Table:
    """The `assignment` table as version 2 created it (coder assign, commit 1985520)."""
    return Table(
        "assignment", metadata,
        Column("id", Integer, primary_key=True),
        Column("from_coder_id", Integer, ForeignKey("coder.id"), nullable=False, index=True),
        Column("to_coder_id", Integer, ForeignKey("coder.id"), nullable=False, index=True),
        Column("transcript_id", Integer, ForeignKey("transcript.id"), nullable=False, index=True),
        Column("first_segment_id", Integer, ForeignKey("segment.id"), nullable=False),
        Column("last_segment_id", Integer, ForeignKey("segment.id"), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("created_by", String(120), nullable=False),
        UniqueConstraint("to_coder_id", "transcript_id", "first_segment_id", "last_segment_id"),
    )


def _decision_v3(metadata: MetaData) -> Table:
    """The `decision` table as version 3 created it (the blind pass and review, commit c31a193)."""
    return Table(
        "decision", metadata,
        Column("id", Integer, primary_key=True),
        Column("assignment_id", Integer, ForeignKey("assignment.id"), nullable=True, index=True),
        Column("transcript_id", Integer, ForeignKey("transcript.id"), nullable=False, index=True),
        Column("first_segment_id", Integer, ForeignKey("segment.id"), nullable=False),
        Column("last_segment_id", Integer, ForeignKey("segment.id"), nullable=False),
        Column("kind", String(16), nullable=False),
        Column("codes", Text, nullable=False),
        Column("note", Text, nullable=False),
        Column("decided_by", String(120), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )


def _add_assignments(conn: Connection) -> None:
    """Version 2: fragments assigned to a second coder."""
    _assignment_v2(_frozen_metadata()).create(conn)


def _add_blind_state_and_decisions(conn: Connection) -> None:
    """Version 3: blind-pass state on assignments, and the reconciliation decisions."""
    metadata = _frozen_metadata()
    _assignment_v2(metadata)  # the key `decision.assignment_id` points at
    when = DateTime(timezone=True).compile(dialect=conn.dialect)
    flag = Boolean().compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE assignment ADD COLUMN done_at {when}")
    conn.exec_driver_sql(f"ALTER TABLE assignment ADD COLUMN no_code {flag} NOT NULL DEFAULT false")
    conn.exec_driver_sql(f"ALTER TABLE assignment ADD COLUMN revealed_at {when}")
    _decision_v3(metadata).create(conn)


#: Ordered migrations. Version 1 is the first schema; each later version appends a
#: `Step` with its own frozen, portable DDL (CREATE TABLE written out above, ALTER
#: TABLE ... ADD ...). A new study gets the current schema from `create_all` and skips them.
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


def _wait_for_other_migrators(conn: Connection) -> int | None:
    """Two `coder migrate` at once on PostgreSQL: the second waits, then reads the version again.

    (SQLite needs nothing: its `BEGIN IMMEDIATE` already lets one writer in at a time.)
    """
    conn.exec_driver_sql("LOCK TABLE meta IN SHARE ROW EXCLUSIVE MODE")
    return stored_version(conn)


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
        if before is not None and before < target and conn.dialect.name == "postgresql":
            before = _wait_for_other_migrators(conn)
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
