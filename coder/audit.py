"""The append-only audit trail: who did what, when (DESIGN §3).

Every function that changes a study calls `record` in the same transaction as
the change, so the log and the data can never disagree.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from coder.models import AuditEntry


def record(
    session: Session,
    actor: str,
    kind: str,
    *,
    transcript_id: int | None = None,
    coding_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add one audit row to the current transaction and return it."""
    entry = AuditEntry(
        actor=actor,
        kind=kind,
        transcript_id=transcript_id,
        coding_id=coding_id,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    )
    session.add(entry)
    return entry
