"""Blindness (DESIGN §1.4), enforced where data is read rather than where it is drawn.

A session opened for a coder (`Study.session(viewer=NAME)`) hides from that
coder every other coder's coding that overlaps a fragment the viewer still has
to code blind: assigned to them, not yet finished, not revealed. A
`do_orm_execute` hook adds that rule to every ORM SELECT the session runs, in
joins, aliases and counts too, so no function of the core can hand A's codes or
memos to B by accident. What else carries A's (or another pair's) judgement of
such a fragment is hidden with it: audit entries about hidden codings, other
coders' blind-pass and review entries, review decisions, and other coders'
assignments with their "no code applies" notes.

The rule lives in SQL and is evaluated at read time: when B finishes or
reveals a fragment, the same session sees A's codes on it from the next query.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, event, exists, or_, select
from sqlalchemy.orm import ORMExecuteState, aliased, with_loader_criteria
from sqlmodel import Session

from coder.storage.models import Assignment, AuditEntry, Coder, Coding, Decision, Segment

VIEWER, VIEWER_ID = "viewer", "viewer_id"
_ASSIGNMENT = Assignment.__table__
#: Audit families whose entries carry the codes or notes of a fragment (DESIGN §1.4).
FRAGMENT_FAMILIES = ("blind", "review")


def _pending_overlap(viewer_id: int, transcript_id, start, end) -> ColumnElement[bool]:
    """SQL truth of "the span `start..end` of `transcript_id` overlaps a fragment the viewer
    still has to code blind" (assigned to them, neither finished nor revealed).

    Assignments are read through a plain table alias, not the ORM entity, so the rule
    that hides other coders' assignments does not apply to its own subquery.
    """
    pending, first, last = _ASSIGNMENT.alias(), aliased(Segment), aliased(Segment)
    return exists(
        select(pending.c.id)
        .join(first, first.id == pending.c.first_segment_id)
        .join(last, last.id == pending.c.last_segment_id)
        .where(
            pending.c.to_coder_id == viewer_id,
            pending.c.done_at.is_(None),
            pending.c.revealed_at.is_(None),
            pending.c.transcript_id == transcript_id,
            start < last.end,
            end > first.start,
        )
    )


def _visible(coding, viewer_id: int) -> ColumnElement[bool]:
    """`coding` may be shown to the viewer: it is theirs, or it overlaps none of their
    pending blind fragments (by character span, in the same transcript)."""
    return or_(coding.coder_id == viewer_id,
               ~_pending_overlap(viewer_id, coding.transcript_id, coding.start, coding.end))


def _segment_offset(segment_id, column: str):
    """The character offset of a segment, for rows that point at segments rather than
    holding a span; correlated to the row however deep the rule nests it."""
    segment = aliased(Segment)
    return (select(getattr(segment, column)).where(segment.id == segment_id)
            .correlate_except(segment).scalar_subquery())


def _decision_visible(decision, viewer_id: int, viewer: str) -> ColumnElement[bool]:
    """A decision names the consensus codes and the reviewer's note: hidden like a coding."""
    return or_(decision.decided_by == viewer, ~_pending_overlap(
        viewer_id, decision.transcript_id,
        _segment_offset(decision.first_segment_id, "start"), _segment_offset(decision.last_segment_id, "end")))


def _assignment_visible(assignment, viewer_id: int) -> ColumnElement[bool]:
    """Another coder's finished assignment carries their "no code applies" and its note; the
    viewer's own assignments, and the ones they handed on, are always theirs to see."""
    return or_(assignment.to_coder_id == viewer_id, assignment.from_coder_id == viewer_id,
               ~_pending_overlap(
                   viewer_id, assignment.transcript_id,
                   _segment_offset(assignment.first_segment_id, "start"),
                   _segment_offset(assignment.last_segment_id, "end")))


def _viewer_id(session: Session) -> int | None:
    """The viewer's coder id, looked up once through Core (so the hook does not re-enter
    itself). A viewer not yet in the study is looked up again next time."""
    if VIEWER_ID not in session.info:
        found = session.connection().execute(select(Coder.id).where(Coder.name == session.info[VIEWER])).scalar()
        if found is None:
            return None
        session.info[VIEWER_ID] = found
    return session.info[VIEWER_ID]


def _audit_visible(entry, viewer_id: int, viewer: str) -> ColumnElement[bool]:
    """Entries about a coding are hidden with it. Entries of the blind pass and the review
    carry codes and notes of a fragment but no span, so another coder's are hidden on
    every transcript where the viewer still has a pending fragment: stricter than the
    span rule, and lifted as soon as the viewer has finished there."""
    other, pending = aliased(Coding), _ASSIGNMENT.alias()
    about_a_visible_coding = or_(entry.coding_id.is_(None), exists(
        select(other.id).where(other.id == entry.coding_id, _visible(other, viewer_id))))
    about_a_fragment = or_(*(entry.kind.startswith(f"{family}.") for family in FRAGMENT_FAMILIES))
    pending_here = exists(select(pending.c.id).where(
        pending.c.to_coder_id == viewer_id, pending.c.transcript_id == entry.transcript_id,
        pending.c.done_at.is_(None), pending.c.revealed_at.is_(None)))
    return and_(about_a_visible_coding, or_(entry.actor == viewer, ~about_a_fragment, ~pending_here))


def _hide_pending(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    viewer_id, viewer = _viewer_id(state.session), state.session.info[VIEWER]
    if viewer_id is None:  # a coder not in the study has nothing assigned
        return
    # Lambdas, so SQLAlchemy caches the compiled rule and binds viewer_id as a parameter.
    state.statement = state.statement.options(
        with_loader_criteria(Coding, lambda cls: _visible(cls, viewer_id), include_aliases=True),
        with_loader_criteria(AuditEntry, lambda cls: _audit_visible(cls, viewer_id, viewer), include_aliases=True),
        with_loader_criteria(Decision, lambda cls: _decision_visible(cls, viewer_id, viewer), include_aliases=True),
        with_loader_criteria(Assignment, lambda cls: _assignment_visible(cls, viewer_id), include_aliases=True),
    )


def blind_to_pending(session: Session, viewer: str) -> Session:
    """Scope `session` to what `viewer` may see; returns it for chaining."""
    session.info[VIEWER] = viewer
    event.listen(session, "do_orm_execute", _hide_pending)
    return session
