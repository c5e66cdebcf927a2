"""The append-only audit trail: who did what, when (DESIGN §3).

Every function that changes a study calls `record` in the same transaction as
the change, so the log and the data can never disagree. What may be recorded,
and with which payload, is the catalogue in `audit_events`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import false, insert, select
from sqlmodel import Session

from coder.storage.audit_events import Event, decode_event
from coder.storage.deletions import INCLUDE_DELETED
from coder.storage.models import AuditEntry, Transcript, utcnow


def record(
    session: Session,
    actor: str,
    event: Event,
    *,
    transcript_id: int | None = None,
    coding_id: int | None = None,
) -> AuditEntry:
    """Add one audit row for `event` to the current transaction and return it."""
    entry = AuditEntry(**_row(actor, event, transcript_id, coding_id))
    session.add(entry)
    return entry


def _row(actor: str, event: Event, transcript_id: int | None, coding_id: int | None = None) -> dict[str, Any]:
    return {"actor": actor, "kind": event.kind, "transcript_id": transcript_id, "coding_id": coding_id,
            "detail": json.dumps(event.detail(), ensure_ascii=False, sort_keys=True, default=str)}


def record_many(session: Session, actor: str, events: list[tuple[Event, int | None]]) -> None:
    """Add the audit rows of many (event, transcript id) pairs with one statement, for a bulk
    write (accepting a review's agreements) whose rows would cost more one by one."""
    if events:
        now = utcnow()
        session.connection().execute(insert(AuditEntry.__table__),
                                     [_row(actor, event, transcript_id) | {"at": now} for event, transcript_id in events])


def read_event(entry: AuditEntry) -> Event:
    """The typed event an audit row records."""
    return decode_event(entry.kind, json.loads(entry.detail))


@dataclass(frozen=True)
class LogLine:
    """One audit entry as `coder log` prints it."""

    at: datetime
    actor: str
    kind: str
    transcript: str | None
    detail: dict[str, Any]


def audit_trail(
    session: Session, *, actor: str | None = None, transcript: str | None = None, kind: str | None = None,
) -> list[LogLine]:
    """The audit log, oldest first, filtered by who, which transcript (id or title) and kind.

    `kind` matches a whole kind (`review.keep_a`) or a family (`review`).
    """
    query = (
        select(AuditEntry, Transcript.title)
        .outerjoin(Transcript, Transcript.id == AuditEntry.transcript_id)
        .order_by(AuditEntry.id)
        .execution_options(**{INCLUDE_DELETED: True})  # the log keeps the history of deleted transcripts
    )
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if transcript is not None:
        by_id = Transcript.id == int(transcript) if transcript.isdigit() else false()
        query = query.where(by_id | (Transcript.title == transcript))
    if kind is not None:
        query = query.where((AuditEntry.kind == kind) | AuditEntry.kind.startswith(f"{kind}."))
    return [
        LogLine(entry.at, entry.actor, entry.kind, title, json.loads(entry.detail))
        for entry, title in session.execute(query)
    ]
