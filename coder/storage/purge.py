"""Withdrawal of consent (DESIGN §7): a transcript purged so that no byte of its text is left.

The one deliberate exception to "nothing is lost". Everything that hangs off the transcript —
its participants, turns and segments, the codings of every pass with their memos, the
assignments with their notes, the review decisions, its attributes, and the audit rows about
any of these — is deleted in one transaction, and one `transcript.purge` audit row says who
purged which transcript id when and how much went, without a word of its text. Nothing is
recomputed: agreement and the summary read the study as it now is.

Deleting rows is not enough for the bytes: SQLite leaves deleted cells in its pages and in
its write-ahead log, PostgreSQL leaves dead tuples in its table files. So a SQLite purge runs
with `secure_delete` (deleted content is zeroed), then the file is rebuilt (`VACUUM`) and the
log emptied (`wal_checkpoint(TRUNCATE)`); a PostgreSQL purge rewrites the tables it touched
(`VACUUM FULL`). Backups beside a SQLite file (`study.db.bak-vN`) are the user's files: they
are listed, never deleted.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import OperationalError

from coder.errors import StudyError
from coder.storage.audit import record
from coder.storage.audit_events import ProjectImported, TranscriptPurged
from coder.storage.database import Study, sqlite_path
from coder.storage.lookup import find_transcript
from coder.storage.migrations import audit_log_unprotected
from coder.storage.models import (
    ON_A_TRANSCRIPT,
    Assignment,
    AuditEntry,
    Coding,
    Decision,
    Segment,
    Transcript,
    UndoStep,
)

#: The tables a purge deletes from, children before parents (the foreign keys' order).
_TABLES = tuple(model.__table__ for model in (*ON_A_TRANSCRIPT, Transcript))
_AUDIT, _CODING, _STEP = AuditEntry.__table__, Coding.__table__, UndoStep.__table__


@dataclass(frozen=True)
class PurgePlan:
    """What a purge of one transcript would remove: shown before the user confirms."""

    transcript: int
    title: str
    counts: TranscriptPurged


@dataclass(frozen=True)
class PurgeReport:
    counts: TranscriptPurged
    #: Files beside a SQLite study that may still hold the text (migration backups): the user's to delete.
    backups: tuple[Path, ...]
    #: Whether the file was rebuilt and its log emptied; False when another program kept the study open.
    compacted: bool


def plan_purge(study: Study, name: str) -> PurgePlan:
    """The transcript `name` (an id or a title) and what purging it would remove."""
    with study.reader() as session:
        transcript = find_transcript(session, name, include_deleted=True).id
        conn = session.connection()
        return PurgePlan(transcript, _title(conn, transcript), _counts(conn, transcript))


def _title(conn: Connection, transcript: int) -> str:
    table = Transcript.__table__
    title = conn.execute(select(table.c.title).where(table.c.id == transcript)).scalar_one_or_none()
    if title is None:
        raise StudyError(f"no transcript {transcript} (it may have been purged already)")
    return title


def _rows(conn: Connection, table, *where) -> int:
    return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _audit_rows(transcript: int):
    """The audit rows about a transcript: by its id, or by one of its codings."""
    codings = select(_CODING.c.id).where(_CODING.c.transcript_id == transcript)
    return (_AUDIT.c.transcript_id == transcript) | _AUDIT.c.coding_id.in_(codings)


def _counts(conn: Connection, transcript: int) -> TranscriptPurged:
    """Core statements on the connection: no viewer's blindness may hide a row from the purge."""
    on = {table.name: table.c.transcript_id == transcript for table in _TABLES if "transcript_id" in table.c}
    return TranscriptPurged(
        transcript=transcript,
        segments=_rows(conn, Segment.__table__, on["segment"]),
        codings=_rows(conn, _CODING, on["coding"]),
        memos=_rows(conn, _CODING, on["coding"], _CODING.c.memo != ""),
        assignments=_rows(conn, Assignment.__table__, on["assignment"]),
        decisions=_rows(conn, Decision.__table__, on["decision"]),
        audit_entries=_rows(conn, _AUDIT, _audit_rows(transcript)),
    )


def purge_transcript(study: Study, transcript: int, actor: str) -> PurgeReport:
    """Remove transcript `transcript` and everything on it, in one transaction, then scrub the bytes."""
    with study.session() as session:
        conn = session.connection()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
        counts = _delete(conn, transcript)
        record(session, actor, counts)
    compacted = _compact(study)
    return PurgeReport(counts, _backups(study), compacted)


def _delete(conn: Connection, transcript: int) -> TranscriptPurged:
    title, counts = _title(conn, transcript), _counts(conn, transcript)
    _take_off_undo_stacks(conn, transcript)
    with audit_log_unprotected(conn):
        conn.execute(delete(_AUDIT).where(_audit_rows(transcript)))
        _redact_project_warnings(conn, title, transcript)
    for table in _TABLES:
        key = table.c.id if table.name == "transcript" else table.c.transcript_id
        conn.execute(delete(table).where(key == transcript))
    return counts


def _take_off_undo_stacks(conn: Connection, transcript: int) -> None:
    """The transcript's actions leave every coder's undo and redo stacks: a step that pointed
    at one of them (the step under it, or the other stack's top) points past it instead."""
    purged = set(conn.execute(select(_STEP.c.entry_id).where(
        _STEP.c.entry_id.in_(select(_AUDIT.c.id).where(_audit_rows(transcript))))).scalars())
    if not purged:
        return
    steps = {step: (below, other) for step, below, other in conn.execute(
        select(_STEP.c.entry_id, _STEP.c.below, _STEP.c.other_top))}

    def past(step: int | None) -> int | None:
        while step in purged:
            step = steps[step][0]
        return step

    for step, (below, other) in steps.items():
        if step not in purged and (below in purged or other in purged):
            conn.execute(update(_STEP).where(_STEP.c.entry_id == step).values(below=past(below), other_top=past(other)))
    conn.execute(delete(_STEP).where(_STEP.c.entry_id.in_(purged)))


def _redact_project_warnings(conn: Connection, title: str, transcript: int) -> None:
    """A project import's warnings name the sources they are about: the purged title goes from them."""
    rows = conn.execute(select(_AUDIT.c.id, _AUDIT.c.detail).where(_AUDIT.c.kind == ProjectImported.KIND))
    for entry, detail in rows.all():
        data = json.loads(detail)
        warnings = [warning.replace(title, f"[purged transcript {transcript}]") for warning in data.get("warnings", [])]
        if warnings != data.get("warnings", []):
            data["warnings"] = warnings
            conn.execute(update(_AUDIT).where(_AUDIT.c.id == entry).values(
                detail=json.dumps(data, ensure_ascii=False, sort_keys=True)))


def _compact(study: Study) -> bool:
    """Rewrite what held the deleted rows, outside any transaction (VACUUM cannot run in one)."""
    if study.engine.dialect.name == "sqlite":
        raw = study.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("VACUUM")
            busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return not busy
        except sqlite3.OperationalError:
            return False
        finally:
            raw.close()
    try:
        with study.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            quote = conn.dialect.identifier_preparer.quote
            conn.exec_driver_sql(f"VACUUM (FULL) {', '.join(quote(t.name) for t in (*_TABLES, _AUDIT))}")
    except OperationalError:
        return False
    return True


def _backups(study: Study) -> tuple[Path, ...]:
    path = sqlite_path(study.target)
    return () if path is None else tuple(sorted(path.parent.glob(f"{path.name}.bak-v*")))
