"""Coding actions: applying a code to a fragment and taking it off again.

Each function works inside the caller's session, so one user action is one
transaction; each records itself in the audit log. A removed coding is
soft-deleted (`deleted_at`, `deleted_by`), never deleted.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from coder.audit import record
from coder.errors import StudyError
from coder.models import PASSES, Code, Coder, Coding, Segment, utcnow


def ensure_coder(session: Session, name: str) -> Coder:
    """The coder row for `name`, created on first use."""
    coder = session.execute(select(Coder).where(Coder.name == name)).scalar_one_or_none()
    if coder is None:
        coder = Coder(name=name)
        session.add(coder)
        session.flush()
        record(session, name, "coder.add")
    return coder


def _segment(session: Session, transcript_id: int, position: int) -> Segment:
    segment = session.execute(
        select(Segment).where(Segment.transcript_id == transcript_id, Segment.position == position)
    ).scalar_one_or_none()
    if segment is None:
        raise StudyError(f"transcript {transcript_id} has no segment {position}")
    return segment


def add_coding(
    session: Session,
    coder: str,
    code_id: str,
    transcript_id: int,
    first: int,
    last: int,
    *,
    pass_: str = "primary",
    memo: str = "",
) -> Coding:
    """Apply code `code_id` to the fragment of segment positions `first..last`."""
    if pass_ not in PASSES:
        raise StudyError(f"pass must be one of {', '.join(PASSES)}, not '{pass_}'")
    if last < first:
        first, last = last, first
    code = session.execute(
        select(Code).where(Code.code_id == code_id, Code.retired_at.is_(None))
    ).scalar_one_or_none()
    if code is None:
        raise StudyError(f"no code '{code_id}' in the study's codebook")
    start, end = _segment(session, transcript_id, first), _segment(session, transcript_id, last)
    coding = Coding(
        coder_id=ensure_coder(session, coder).id, code_id=code.id, transcript_id=transcript_id,
        first_segment_id=start.id, last_segment_id=end.id, start=start.start, end=end.end,
        memo=memo, pass_=pass_,
    )
    session.add(coding)
    session.flush()
    record(session, coder, "coding.add", transcript_id=transcript_id, coding_id=coding.id,
           code=code_id, first=first, last=last, pass_=pass_)
    return coding


def remove_coding(session: Session, coding_id: int, actor: str) -> Coding:
    """Soft-delete a coding: it stays in the study, marked as removed by `actor`."""
    coding = session.get(Coding, coding_id)
    if coding is None or coding.deleted_at is not None:
        raise StudyError(f"no live coding {coding_id}")
    coding.deleted_at = utcnow()
    coding.deleted_by = ensure_coder(session, actor).id
    session.add(coding)
    record(session, actor, "coding.remove", transcript_id=coding.transcript_id, coding_id=coding.id)
    return coding
