"""The schema version of a study and the migrations that bring an older study up to it.

A new study gets today's schema from the models; an older one is brought up step
by step, each step in the same transaction, so a failed migration leaves the
study as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, Engine, inspect, text
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
