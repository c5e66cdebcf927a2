"""The blind second pass (DESIGN §1.4): coder B works through the fragments assigned to them.

For each fragment B applies codes (pass `blind`) or says no code applies, and
then finishes it; a finished fragment's blind codes are final, because from then
on B may see A's codes on it. Before finishing, B may reveal A's codes instead:
the reveal is recorded and the fragment leaves the agreement statistics.

Every step is audited. The fragment's state lives on its `Assignment` row, whose
timestamps are set once and never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from coder.coding.actions import toggle_code
from coder.coding.queries import fragment_codes, segment_positions
from coder.errors import StudyError
from coder.storage.audit import record
from coder.storage.audit_events import BlindFinished, CodesRevealed, NoCodeApplies
from coder.storage.database import LockSpace, serialise
from coder.storage.models import Assignment, Coder, Coding, Segment, Transcript, utcnow
from coder.storage.vocabulary import FragmentRef, Pass

PENDING, DONE, NO_CODE, REVEALED = "pending", "done", "no code", "revealed"


@dataclass(frozen=True)
class BlindItem:
    """One assigned fragment as B's queue shows it, with B's own blind codes on it."""

    assignment_id: int
    from_coder: str
    transcript_id: int
    title: str
    first: int
    last: int
    state: str
    codes: tuple[str, ...]

    @property
    def pending(self) -> bool:
        return self.state == PENDING


def _state(assignment: Assignment) -> str:
    if assignment.revealed_at is not None:
        return REVEALED
    if assignment.done_at is not None:
        return NO_CODE if assignment.no_code else DONE
    return PENDING


def _blind_codes(session: Session, coder_id: int, *where) -> dict[FragmentRef, list[str]]:
    """A coder's live blind codes per fragment."""
    return {fragment: [code for code, _ in pairs]
            for fragment, pairs in fragment_codes(session, coder_id, Pass.BLIND, *where).items()}


def _near(assignment: Assignment) -> tuple[ColumnElement[bool], ...]:
    """Where codings of exactly the assigned fragment are: what narrows a read to it."""
    fragment = assignment.fragment
    return Coding.transcript_id == fragment.transcript_id, Coding.first_segment_id == fragment.first_segment_id


def _on_fragment(session: Session, coder_id: int, pass_: Pass, assignment: Assignment) -> list[tuple[str, str]]:
    """A coder's live (code id, memo) pairs in one pass on exactly the assigned fragment, in codebook order."""
    return fragment_codes(session, coder_id, pass_, *_near(assignment)).get(assignment.fragment, [])


def blind_codes(session: Session, assignment: Assignment) -> list[str]:
    """B's live blind codes on exactly the assigned fragment, in codebook order."""
    return [code for code, _ in _on_fragment(session, assignment.to_coder_id, Pass.BLIND, assignment)]


def blind_queue(session: Session, coder: str) -> list[BlindItem]:
    """Every fragment assigned to `coder`, in transcript and reading order."""
    return _items(session, coder)


def blind_item(session: Session, coder: str, assignment_id: int) -> BlindItem:
    """One fragment of `coder`'s queue as `blind_queue` gives it: what a screen rereads after
    a key that changed only that fragment, however long the queue."""
    items = _items(session, coder, assignment_id)
    if not items:
        raise StudyError(f"this fragment is not assigned to {coder}")
    return items[0]


def _items(session: Session, coder: str, assignment_id: int | None = None) -> list[BlindItem]:
    """`coder`'s assigned fragments with their blind codes: all of them, or the one `assignment_id`."""
    first, last, giver = aliased(Segment), aliased(Segment), aliased(Coder)
    query = (
        select(Assignment, giver.name, Transcript.title, first.position, last.position)
        .join(Coder, Coder.id == Assignment.to_coder_id)
        .join(giver, giver.id == Assignment.from_coder_id)
        .join(Transcript, Transcript.id == Assignment.transcript_id)
        .join(first, first.id == Assignment.first_segment_id)
        .join(last, last.id == Assignment.last_segment_id)
        .where(Coder.name == coder)
        .order_by(Assignment.transcript_id, first.position, last.position)
    )
    rows = session.execute(query if assignment_id is None else query.where(Assignment.id == assignment_id)).all()
    near = _near(rows[0][0]) if rows and assignment_id is not None else ()
    codes = _blind_codes(session, rows[0][0].to_coder_id, *near) if rows else {}
    return [
        BlindItem(a.id, giver_name, a.transcript_id, title, first_pos, last_pos, _state(a), tuple(codes.get(a.fragment, ())))
        for a, giver_name, title, first_pos, last_pos in rows
    ]


def _own(session: Session, coder: str, assignment_id: int) -> Assignment:
    """`coder`'s assignment, refused when it is someone else's."""
    assignment = session.get(Assignment, assignment_id)
    owner = session.get(Coder, assignment.to_coder_id) if assignment else None
    if assignment is None or owner.name != coder:
        raise StudyError(f"this fragment is not assigned to {coder}")
    return assignment


def _assignment(session: Session, coder: str, assignment_id: int) -> Assignment:
    """`coder`'s pending assignment, refused when it is someone else's or already finished.

    Every blind action passes here, after the coder's other actions (`serialise`): in two
    windows at once, a finish and a code on the same fragment would both see it pending.
    """
    serialise(session, LockSpace.CODER, coder)
    assignment = _own(session, coder, assignment_id)
    if _state(assignment) != PENDING:
        raise StudyError(f"this fragment is already {_state(assignment)}; blind codes on it are final")
    return assignment


def first_codes(session: Session, coder: str, assignment_id: int) -> list[tuple[str, str]]:
    """The first coder's (code id, memo) pairs on exactly `coder`'s assigned fragment, once
    `coder` has finished or revealed it; refused while it is pending, so that a screen
    cannot show them early even in a session opened without a viewer."""
    assignment = _own(session, coder, assignment_id)
    if _state(assignment) == PENDING:
        raise StudyError("finish or reveal this fragment first; until then the first coder's codes stay hidden")
    return _on_fragment(session, assignment.from_coder_id, Pass.PRIMARY, assignment)


def toggle_blind_code(session: Session, coder: str, assignment_id: int, code_id: str) -> bool:
    """Apply or take back one blind code on a pending fragment; True when applied."""
    assignment = _assignment(session, coder, assignment_id)
    position = segment_positions(session, {assignment.first_segment_id, assignment.last_segment_id})
    first, last = position[assignment.first_segment_id], position[assignment.last_segment_id]
    added, _ = toggle_code(session, coder, code_id, assignment.transcript_id, first, last, pass_=Pass.BLIND)
    return added


def finish(session: Session, coder: str, assignment_id: int) -> list[str]:
    """B is done with a fragment: its blind codes become final. Returns them."""
    assignment = _assignment(session, coder, assignment_id)
    codes = blind_codes(session, assignment)
    if not codes:
        raise StudyError("apply at least one code, or mark that no code applies")
    assignment.done_at = utcnow()
    session.add(assignment)
    record(session, coder, BlindFinished(assignment=assignment.id, codes=tuple(codes)),
           transcript_id=assignment.transcript_id)
    return codes


def no_code_applies(session: Session, coder: str, assignment_id: int, note: str = "") -> None:
    """B finishes a fragment by saying none of the codebook's codes applies to it."""
    assignment = _assignment(session, coder, assignment_id)
    if blind_codes(session, assignment):
        raise StudyError("this fragment has blind codes; take them back before marking that no code applies")
    assignment.done_at = utcnow()
    assignment.no_code = True
    assignment.no_code_note = note
    session.add(assignment)
    record(session, coder, NoCodeApplies(assignment=assignment.id, note=note), transcript_id=assignment.transcript_id)


def reveal(session: Session, coder: str, assignment_id: int) -> None:
    """Show A's codes on a fragment B has not finished; it then leaves the statistics."""
    assignment = _assignment(session, coder, assignment_id)
    assignment.revealed_at = utcnow()
    session.add(assignment)
    record(session, coder, CodesRevealed(assignment=assignment.id, codes_so_far=tuple(blind_codes(session, assignment))),
           transcript_id=assignment.transcript_id)
