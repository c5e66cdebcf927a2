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

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import coder.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from coder.errors import StudyError

#: The schema this version of coder writes. Bump it and append a migration
#: whenever a table or column is added.
SCHEMA_VERSION = 8

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
    for name in ("coder", "transcript", "segment", "audit_log"):
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


# --- version 4: facts that lived in the audit log get their own columns --------------

def _blind_sample_v4(metadata: MetaData) -> Table:
    """The `blind_sample` table as version 4 created it: one row per run of `assign`."""
    return Table(
        "blind_sample", metadata,
        Column("id", Integer, primary_key=True),
        Column("from_coder_id", Integer, ForeignKey("coder.id"), nullable=False, index=True),
        Column("to_coder_id", Integer, ForeignKey("coder.id"), nullable=False, index=True),
        Column("fraction", Float),
        Column("seed", Integer),
        Column("stratify", String(32)),
        Column("chosen", Boolean, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("created_by", String(120), nullable=False),
    )


def _add_samples_and_no_code_notes(conn: Connection) -> None:
    """Version 4: each `assign` run is a `blind_sample` row its assignments point at, and
    "no code applies" keeps its note on the assignment.

    Both facts were only in the audit log before; they are carried over from it,
    an assignment going to the first draw of its pair made at or after it.
    """
    samples = _blind_sample_v4(_frozen_metadata())
    samples.create(conn)
    conn.exec_driver_sql("ALTER TABLE assignment ADD COLUMN no_code_note TEXT NOT NULL DEFAULT ''")
    conn.exec_driver_sql("ALTER TABLE assignment ADD COLUMN sample_id INTEGER REFERENCES blind_sample (id)")
    conn.exec_driver_sql("CREATE INDEX ix_assignment_sample_id ON assignment (sample_id)")
    _carry_over_samples(conn, samples)
    for detail in _audit_details(conn, "blind.no_code"):
        conn.execute(text("UPDATE assignment SET no_code_note = :note WHERE id = :id"),
                     {"note": detail.get("note") or "", "id": detail["assignment"]})


def _audit_details(conn: Connection, kind: str) -> list[dict]:
    """The JSON detail of every audit row of `kind`, oldest first, with its time and actor."""
    audit = Table("audit_log", MetaData(), Column("id", Integer), Column("at", DateTime(timezone=True)),
                  Column("actor", String(120)), Column("kind", String(64)), Column("detail", Text))
    rows = conn.execute(select(audit.c.at, audit.c.actor, audit.c.detail).where(audit.c.kind == kind).order_by(audit.c.id))
    return [{"at": at, "actor": actor, **json.loads(detail)} for at, actor, detail in rows]


def _carry_over_samples(conn: Connection, samples: Table) -> None:
    coder_ids = dict(conn.execute(text("SELECT name, id FROM coder")).all())
    draws: dict[tuple[int, int], list[tuple[int, object]]] = {}
    for detail in _audit_details(conn, "assignment.add"):
        pair = (coder_ids[detail["from_coder"]], coder_ids[detail["to_coder"]])
        sample_id = conn.execute(samples.insert().values(
            from_coder_id=pair[0], to_coder_id=pair[1], fraction=detail.get("fraction"),
            seed=detail.get("seed") if detail.get("fraction") is not None else None,  # no draw when all were given
            stratify=detail.get("stratify"), chosen=bool(detail.get("chosen")), created_at=detail["at"],
            created_by=detail["actor"],
        )).inserted_primary_key[0]
        draws.setdefault(pair, []).append((sample_id, detail["at"]))
    assignment = _assignment_v2(_frozen_metadata())  # its columns as typed then, so times compare as times
    assignments = conn.execute(select(assignment.c.id, assignment.c.from_coder_id, assignment.c.to_coder_id,
                                      assignment.c.created_at).order_by(assignment.c.id))
    for assignment_id, giver, taker, created in assignments.all():
        later = [sample_id for sample_id, at in draws.get((giver, taker), []) if at >= created]
        if later:
            conn.execute(text("UPDATE assignment SET sample_id = :s WHERE id = :id"), {"s": later[0], "id": assignment_id})


# --- version 5: times of turns, deleted transcripts, transcript attributes -----------

def _transcript_attribute_v5(metadata: MetaData) -> Table:
    """The `transcript_attribute` table as version 5 created it."""
    return Table(
        "transcript_attribute", metadata,
        Column("id", Integer, primary_key=True),
        Column("transcript_id", Integer, ForeignKey("transcript.id"), nullable=False, index=True),
        Column("name", String(255), nullable=False),
        Column("value", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("created_by", String(120)),
        Column("deleted_at", DateTime(timezone=True)),
    )


def _add_times_deletions_and_attributes(conn: Connection) -> None:
    """Version 5: a turn's start time, soft-deleted transcripts, free transcript
    attributes, and the index every per-coder read of a transcript uses."""
    when = DateTime(timezone=True).compile(dialect=conn.dialect)
    seconds = Float().compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE turn ADD COLUMN start_time {seconds}")
    conn.exec_driver_sql(f"ALTER TABLE transcript ADD COLUMN deleted_at {when}")
    conn.exec_driver_sql("ALTER TABLE transcript ADD COLUMN deleted_by INTEGER REFERENCES coder (id)")
    _transcript_attribute_v5(_frozen_metadata()).create(conn)
    conn.exec_driver_sql("CREATE INDEX ix_coding_transcript_coder ON coding (transcript_id, coder_id)")


# --- version 6: undo and redo stacks as rows -----------------------------------------

#: The audit kinds of version 6 that are steps: the coding actions, an undo and a redo.
_ACTIONS_V6 = ("coding.add", "coding.remove", "coding.memo")
_UNDO_V6, _REDO_V6 = "coding.undo", "coding.redo"


def _undo_step_v6(metadata: MetaData) -> Table:
    """The `undo_step` table as version 6 created it."""
    return Table(
        "undo_step", metadata,
        Column("entry_id", Integer, ForeignKey("audit_log.id"), primary_key=True, autoincrement=False),
        Column("coder_id", Integer, ForeignKey("coder.id"), nullable=False),
        Column("below", Integer, ForeignKey("undo_step.entry_id")),
        Column("other_top", Integer, ForeignKey("undo_step.entry_id")),
        Index("ix_undo_step_coder", "coder_id", "entry_id"),
    )


def _add_undo_steps(conn: Connection) -> None:
    """Version 6: each coder's undo and redo stacks as linked `undo_step` rows, built from the audit log."""
    steps = _undo_step_v6(_frozen_metadata())
    steps.create(conn)
    rows = _replayed_steps(conn)
    if rows:
        conn.execute(steps.insert(), rows)


def _replayed_steps(conn: Connection) -> list[dict]:
    """The step rows of every coding action, undo and redo in the log, replayed as version 5 did:
    an action goes on the undo stack and clears the redo stack, an undo moves the undo top to
    the redo stack, a redo moves it back."""
    coder_ids = dict(conn.execute(text("SELECT name, id FROM coder")).all())
    kinds = (*_ACTIONS_V6, _UNDO_V6, _REDO_V6)
    entries = conn.execute(text("SELECT id, actor, kind FROM audit_log WHERE kind IN :kinds ORDER BY id")
                           .bindparams(bindparam("kinds", expanding=True)), {"kinds": kinds})
    stacks: dict[str, tuple[list[int], list[int]]] = {}
    rows = []
    for entry, actor, kind in entries:
        undo, redo = stacks.setdefault(actor, ([], []))
        own, other = (redo, undo) if kind == _UNDO_V6 else (undo, redo)
        if kind in (_UNDO_V6, _REDO_V6) and other:
            other.pop()
        elif kind not in (_UNDO_V6, _REDO_V6):
            redo.clear()
        rows.append({"entry_id": entry, "coder_id": coder_ids[actor], "below": own[-1] if own else None,
                     "other_top": other[-1] if other else None})
        own.append(entry)
    return rows


# --- version 7: indexes the hot queries' plans asked for -------------------------------

def _add_fragment_and_deletion_indexes(conn: Connection) -> None:
    """Version 7: a fragment's codings (a toggle's lookup searched all of its coder's codings),
    and whether any transcript is deleted (asked by every session; the column sits after
    `text`, so a scan read through every transcript's text)."""
    conn.exec_driver_sql("CREATE INDEX ix_coding_fragment ON coding (first_segment_id, last_segment_id)")
    conn.exec_driver_sql("CREATE INDEX ix_transcript_deleted_at ON transcript (deleted_at)")


# --- version 8: an index no query needs ---------------------------------------------------

def _drop_segment_transcript_index(conn: Connection) -> None:
    """Version 8: `segment (transcript_id)` repeats the first column of the unique
    `(transcript_id, position)` index, which every query by transcript uses already; keeping
    it cost a fifth of an import's segment inserts."""
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_segment_transcript_id")


#: Ordered migrations. Version 1 is the first schema; each later version appends a
#: `Step` with its own frozen, portable DDL (CREATE TABLE written out above, ALTER
#: TABLE ... ADD ...). A new study gets the current schema from `create_all` and skips them.
MIGRATIONS: tuple[Step, ...] = (
    Step(2, _add_assignments, "assignments of fragments to a second coder"),
    Step(3, _add_blind_state_and_decisions, "blind-pass state and reconciliation decisions"),
    Step(4, _add_samples_and_no_code_notes, "blind samples as rows, and the note on 'no code applies'"),
    Step(5, _add_times_deletions_and_attributes, "turn start times, deleted transcripts, transcript attributes"),
    Step(6, _add_undo_steps, "undo and redo stacks as linked rows"),
    Step(7, _add_fragment_and_deletion_indexes, "indexes for a fragment's codings and for deleted transcripts"),
    Step(8, _drop_segment_transcript_index, "one index fewer on segments, which the unique one covers"),
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


#: The triggers `_protect_audit_log` creates, and what each dialect drops them with.
_AUDIT_TRIGGER_DROPS = {
    "sqlite": ("DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"),
    "postgresql": ("DROP TRIGGER audit_log_append_only ON audit_log",),
}


@contextmanager
def audit_log_unprotected(conn: Connection) -> Iterator[None]:
    """Lift the audit log's append-only triggers for the statements inside, in the caller's transaction.

    For the one deliberate exception to "nothing is lost": purging a withdrawn participant's
    transcript (`storage.purge`), whose audit rows must go with it. The triggers are created
    again before the transaction commits; DDL is transactional in both databases, so a failure
    in between rolls the drop back too.
    """
    for statement in _AUDIT_TRIGGER_DROPS.get(conn.dialect.name, ()):
        conn.exec_driver_sql(statement)
    yield
    for statement in _AUDIT_TRIGGERS.get(conn.dialect.name, []):
        if statement.startswith("CREATE TRIGGER"):
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
