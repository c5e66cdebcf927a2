"""Blindness (DESIGN §1.4), enforced where data is read rather than where it is drawn.

A session opened for a coder (`Study.session(viewer=NAME)`) hides from that
coder every other coder's coding that overlaps a fragment the viewer still has
to code blind: assigned to them, not yet finished, not revealed. A
`do_orm_execute` hook adds that rule to every ORM SELECT the session runs, in
joins, aliases and counts too, so no function of the core can hand A's codes or
memos to B by accident. Audit entries about hidden codings are hidden as well,
since they name the code.

The rule lives in SQL and is evaluated at read time: when B finishes or
reveals a fragment, the same session sees A's codes on it from the next query.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, event, exists, or_, select
from sqlalchemy.orm import ORMExecuteState, aliased, with_loader_criteria
from sqlmodel import Session

from coder.storage.models import Assignment, AuditEntry, Coder, Coding, Segment

VIEWER, VIEWER_ID = "viewer", "viewer_id"


def _visible(coding, viewer_id: int) -> ColumnElement[bool]:
    """SQL truth of "`coding` may be shown to the viewer": it is theirs, or it overlaps
    none of their pending blind fragments (by character span, in the same transcript)."""
    first, last = aliased(Segment), aliased(Segment)
    pending = (
        select(Assignment.id)
        .join(first, first.id == Assignment.first_segment_id)
        .join(last, last.id == Assignment.last_segment_id)
        .where(
            Assignment.to_coder_id == viewer_id,
            Assignment.done_at.is_(None),
            Assignment.revealed_at.is_(None),
            Assignment.transcript_id == coding.transcript_id,
            coding.start < last.end,
            coding.end > first.start,
        )
    )
    return or_(coding.coder_id == viewer_id, ~exists(pending))


def _viewer_id(session: Session) -> int | None:
    """The viewer's coder id, looked up once through Core (so the hook does not re-enter
    itself). A viewer not yet in the study is looked up again next time."""
    if VIEWER_ID not in session.info:
        found = session.connection().execute(select(Coder.id).where(Coder.name == session.info[VIEWER])).scalar()
        if found is None:
            return None
        session.info[VIEWER_ID] = found
    return session.info[VIEWER_ID]


def _audit_visible(entry, viewer_id: int) -> ColumnElement[bool]:
    other = aliased(Coding)
    return or_(entry.coding_id.is_(None),
               exists(select(other.id).where(other.id == entry.coding_id, _visible(other, viewer_id))))


def _hide_pending(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    viewer_id = _viewer_id(state.session)
    if viewer_id is None:  # a coder not in the study has nothing assigned
        return
    # Lambdas, so SQLAlchemy caches the compiled rule and binds viewer_id as a parameter.
    state.statement = state.statement.options(
        with_loader_criteria(Coding, lambda cls: _visible(cls, viewer_id), include_aliases=True),
        with_loader_criteria(AuditEntry, lambda cls: _audit_visible(cls, viewer_id), include_aliases=True),
    )


def blind_to_pending(session: Session, viewer: str) -> Session:
    """Scope `session` to what `viewer` may see; returns it for chaining."""
    session.info[VIEWER] = viewer
    event.listen(session, "do_orm_execute", _hide_pending)
    return session
