"""Review and reconciliation (DESIGN §1.6): from two coders' codes to the consensus coding.

Each fragment B finished (or revealed) is a review item: A's primary codes and
B's blind codes on it, side by side. Where they are the same, `accept_agreements`
takes them into the consensus as they are. Where they differ, a reviewer decides:
keep A's, take B's, both, neither, or other codes, with a note, and may move the
fragment's boundaries ("bijgesteld"). `add_missed` adds a fragment A missed
("aangevuld").

A decision writes `consensus` codings beside A's and B's, which stay as they
were. Deciding a fragment again soft-deletes the consensus codings of the
earlier decision and adds new ones; every decision is a `Decision` row and an
audit entry, so the whole history stays readable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from coder.coding.actions import ensure_coder, place_coding, soft_delete
from coder.coding.assignments import pair_assignments
from coder.coding.queries import fragment_codes, segment_positions
from coder.errors import StudyError
from coder.storage.audit import record, record_many
from coder.storage.audit_events import ReviewDecided
from coder.storage.database import LockSpace, serialise
from coder.storage.models import (
    Assignment,
    Code,
    Coder,
    Coding,
    Decision,
    Segment,
    Transcript,
    utcnow,
)
from coder.storage.vocabulary import REVIEW_CHOICES, DecisionKind, FragmentRef, Pass


@dataclass(frozen=True)
class Side:
    """One coder's codes on a fragment, with their memos."""

    codes: tuple[str, ...]
    memos: tuple[str, ...]


@dataclass(frozen=True)
class DecisionView:
    kind: str
    codes: tuple[str, ...]
    note: str
    decided_by: str
    first: int
    last: int


@dataclass(frozen=True)
class ReviewItem:
    """A fragment both coders coded, as the review screen shows it."""

    assignment_id: int
    fragment: FragmentRef
    title: str
    first: int
    last: int
    a: Side
    b: Side
    revealed: bool
    decision: DecisionView | None

    @property
    def transcript_id(self) -> int:
        return self.fragment.transcript_id

    @property
    def agreed(self) -> bool:
        return set(self.a.codes) == set(self.b.codes)

    @property
    def adjusted(self) -> bool:
        return self.decision is not None and (self.decision.first, self.decision.last) != (self.first, self.last)


def _sides(session: Session, coder_id: int, pass_: Pass, fragments: set[FragmentRef], *where) -> dict[FragmentRef, Side]:
    """A coder's codes and memos in one pass on each of `fragments` (`where` narrows the codings read)."""
    return {
        fragment: Side(tuple(code for code, _ in pairs), tuple(memo for _, memo in pairs if memo))
        for fragment, pairs in fragment_codes(session, coder_id, pass_, *where).items() if fragment in fragments
    }


def latest_decisions(session: Session, *where) -> dict[int, Decision]:
    """The decision that holds for each reviewed assignment (of those `where` selects): its latest."""
    rows = session.execute(
        select(Decision).where(Decision.assignment_id.is_not(None), *where).order_by(Decision.id)
    ).scalars()
    return {decision.assignment_id: decision for decision in rows}


def review_items(session: Session, a: str, b: str, assignment_id: int | None = None) -> list[ReviewItem]:
    """Every fragment of A's that B finished or revealed, in reading order; or only the one
    of `assignment_id`, read on its own so that a decision costs the same in any study."""
    only = () if assignment_id is None else (Assignment.id == assignment_id,)
    ready = Assignment.done_at.is_not(None) | Assignment.revealed_at.is_not(None)
    assignments = pair_assignments(session, a, b, ready, *only)
    if not assignments:
        return []
    titles = dict(session.execute(select(Transcript.id, Transcript.title)
                                  .where(Transcript.id.in_({x.transcript_id for x in assignments}))).all())
    fragments = {x.fragment for x in assignments}
    first_row = assignments[0]
    on = () if assignment_id is None else (Coding.transcript_id == first_row.transcript_id,
                                           Coding.first_segment_id == first_row.first_segment_id,
                                           Coding.last_segment_id == first_row.last_segment_id)
    a_sides = _sides(session, first_row.from_coder_id, Pass.PRIMARY, fragments, *on)
    b_sides = _sides(session, first_row.to_coder_id, Pass.BLIND, fragments, *on)
    decisions = latest_decisions(session, *(() if assignment_id is None else (Decision.assignment_id == assignment_id,)))
    segment_ids = {s for _, first, last in fragments for s in (first, last)}
    segment_ids |= {s for d in decisions.values() for s in (d.first_segment_id, d.last_segment_id)}
    position = segment_positions(session, segment_ids)
    empty = Side((), ())
    items = []
    for assignment in assignments:
        title = titles[assignment.transcript_id]
        fragment = assignment.fragment
        decision = decisions.get(assignment.id)
        items.append(ReviewItem(
            assignment.id, fragment, title,
            position[assignment.first_segment_id], position[assignment.last_segment_id],
            a_sides.get(fragment, empty), b_sides.get(fragment, empty), assignment.revealed_at is not None,
            None if decision is None else DecisionView(
                decision.kind, tuple(json.loads(decision.codes)), decision.note, decision.decided_by,
                position[decision.first_segment_id], position[decision.last_segment_id]),
        ))
    return sorted(items, key=lambda item: (item.transcript_id, item.first, item.last))


@dataclass(frozen=True)
class AddedItem:
    """A fragment the review added ("aangevuld"), as its latest decision holds it."""

    decision_id: int
    transcript_id: int
    title: str
    first: int
    last: int
    codes: tuple[str, ...]
    note: str
    decided_by: str


def added_fragments(session: Session, transcript_ids: set[int]) -> list[AddedItem]:
    """The fragments the review added in these transcripts, in reading order.

    Adding to a fragment again writes a new decision with every code; the latest holds.
    """
    latest: dict[tuple[int, int, int], Decision] = {}
    for decision in session.execute(
        select(Decision).where(Decision.kind == DecisionKind.ADDED, Decision.transcript_id.in_(transcript_ids))
        .order_by(Decision.id)
    ).scalars():
        latest[(decision.transcript_id, decision.first_segment_id, decision.last_segment_id)] = decision
    position = segment_positions(session, {s for _, first, last in latest for s in (first, last)})
    titles = dict(session.execute(select(Transcript.id, Transcript.title)).all())
    items = [AddedItem(d.id, d.transcript_id, titles[d.transcript_id], position[d.first_segment_id],
                       position[d.last_segment_id], tuple(json.loads(d.codes)), d.note, d.decided_by)
             for d in latest.values()]
    return sorted(items, key=lambda item: (item.transcript_id, item.first, item.last))


def _consensus_on(session: Session, transcript_id: int, first_id: int, last_id: int) -> list[Coding]:
    return list(session.execute(
        select(Coding).where(Coding.transcript_id == transcript_id, Coding.first_segment_id == first_id,
                             Coding.last_segment_id == last_id, Coding.pass_ == Pass.CONSENSUS,
                             Coding.deleted_at.is_(None))
    ).scalars())


def _codes_for(kind: str, item: ReviewItem, codes: tuple[str, ...] | None) -> tuple[str, ...]:
    chosen = {
        DecisionKind.AGREED: item.a.codes, DecisionKind.KEEP_A: item.a.codes, DecisionKind.TAKE_B: item.b.codes,
        DecisionKind.BOTH: tuple(dict.fromkeys(item.a.codes + item.b.codes)), DecisionKind.NEITHER: (),
    }
    if kind == DecisionKind.OTHER:
        if not codes:
            raise StudyError("choose at least one code, or decide 'neither'")
        return tuple(dict.fromkeys(codes))
    if kind not in chosen:
        raise StudyError(f"a review decision is one of {', '.join(REVIEW_CHOICES)}, not '{kind}'")
    return chosen[kind]


def _write(session: Session, actor: str, decision: Decision, replaced: list[Coding],
           first: int, last: int) -> Decision:
    """Replace the fragment's consensus codings by the decision's codes, and record it."""
    added = [place_coding(session, actor, code, decision.transcript_id, first, last, pass_=Pass.CONSENSUS).id
             for code in json.loads(decision.codes)]
    for coding in replaced:
        soft_delete(session, coding, actor)
    session.add(decision)
    session.flush()
    record(session, actor, ReviewDecided(
        decision_kind=decision.kind, decision=decision.id, assignment=decision.assignment_id,
        codes=tuple(json.loads(decision.codes)), note=decision.note, first=first, last=last,
        added=tuple(added), removed=tuple(c.id for c in replaced),
    ), transcript_id=decision.transcript_id)
    return decision


def _serialise_review(session: Session, a: str, b: str) -> None:
    """Decisions on a pair's fragments take turns: two reviewers (or one reviewer's two
    windows) deciding at once would both see no decision and both write the consensus."""
    serialise(session, LockSpace.REVIEW, f"pair {a}\n{b}")


def _item(session: Session, assignment_id: int) -> ReviewItem:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise StudyError(f"no assigned fragment {assignment_id}")
    a, b = (session.get(Coder, i).name for i in (assignment.from_coder_id, assignment.to_coder_id))
    _serialise_review(session, a, b)
    for item in review_items(session, a, b, assignment_id):
        return item
    raise StudyError(f"fragment {assignment_id} is not ready for review: {b} has not finished it")


def decide(
    session: Session, actor: str, assignment_id: int, kind: str, note: str = "",
    codes: tuple[str, ...] | None = None, span: tuple[int, int] | None = None,
) -> Decision:
    """Decide a reviewed fragment's consensus codes; `span` (segment positions) adjusts its boundaries."""
    return _decide(session, actor, _item(session, assignment_id), kind, note, codes, span)


def _decide(
    session: Session, actor: str, item: ReviewItem, kind: str, note: str = "",
    codes: tuple[str, ...] | None = None, span: tuple[int, int] | None = None,
) -> Decision:
    if kind == DecisionKind.AGREED and not item.agreed:
        raise StudyError("the coders gave different codes here; decide which ones hold")
    consensus = _codes_for(kind, item, codes)
    first, last = sorted(span or (item.first, item.last))
    replaced = []
    if item.decision is not None:
        old = _segment_ids(session, item.transcript_id, item.decision.first, item.decision.last)
        replaced = _consensus_on(session, item.transcript_id, *old)
    start_id, end_id = _segment_ids(session, item.transcript_id, first, last)
    decision = Decision(
        assignment_id=item.assignment_id, transcript_id=item.transcript_id, first_segment_id=start_id,
        last_segment_id=end_id, kind=kind, codes=json.dumps(list(consensus)), note=note, decided_by=actor,
    )
    return _write(session, actor, decision, replaced, first, last)


def _segment_ids(session: Session, transcript_id: int, first: int, last: int) -> tuple[int, int]:
    ids = dict(session.execute(
        select(Segment.position, Segment.id)
        .where(Segment.transcript_id == transcript_id, Segment.position.in_((first, last)))
    ).all())
    if first not in ids or last not in ids:
        raise StudyError(f"transcript {transcript_id} has no segments {first}..{last}")
    return ids[first], ids[last]


def accept_agreements(session: Session, actor: str, a: str, b: str) -> int:
    """Take every undecided fragment where A and B gave the same codes into the consensus.

    Set-based, as opening the review of a whole study may accept thousands: the decisions,
    their consensus codings and their audit entries each go in with one statement, and
    read exactly as `decide` would have written them one by one.
    """
    _serialise_review(session, a, b)
    items = [item for item in review_items(session, a, b) if item.agreed and item.decision is None]
    if not items:
        return 0
    conn, now = session.connection(), utcnow()
    decided_by = ensure_coder(session, actor).id
    decisions = _insert_returning(conn, Decision, [
        {"assignment_id": item.assignment_id, "transcript_id": item.transcript_id,
         "first_segment_id": item.fragment.first_segment_id, "last_segment_id": item.fragment.last_segment_id,
         "kind": DecisionKind.AGREED, "codes": json.dumps(list(item.a.codes)), "note": "", "decided_by": actor,
         "created_at": now} for item in items])
    code_rows = dict(session.execute(select(Code.code_id, Code.id).where(Code.retired_at.is_(None))).all())
    if retired := {code for item in items for code in item.a.codes} - code_rows.keys():
        raise StudyError(f"the codebook no longer has {', '.join(sorted(retired))}; decide those fragments one by one")
    ends = {item.fragment.first_segment_id for item in items} | {item.fragment.last_segment_id for item in items}
    offsets = {row.id: (row.start, row.end) for row in session.execute(
        select(Segment.id, Segment.start, Segment.end).where(Segment.id.in_(ends)))}
    codings = _insert_returning(conn, Coding, [
        {"coder_id": decided_by, "code_id": code_rows[code], "transcript_id": item.transcript_id,
         "first_segment_id": item.fragment.first_segment_id, "last_segment_id": item.fragment.last_segment_id,
         "start": offsets[item.fragment.first_segment_id][0], "end": offsets[item.fragment.last_segment_id][1],
         "memo": "", "pass": Pass.CONSENSUS, "created_at": now} for item in items for code in item.a.codes])
    added = iter(codings)
    record_many(session, actor, [
        (ReviewDecided(decision_kind=DecisionKind.AGREED, decision=decision, assignment=item.assignment_id,
                       codes=item.a.codes, note="", first=item.first, last=item.last,
                       added=tuple(next(added) for _ in item.a.codes), removed=()), item.transcript_id)
        for item, decision in zip(items, decisions, strict=True)])
    return len(items)


def _insert_returning(conn, model, rows: list[dict]) -> list[int]:
    """Insert rows in one statement and return their new ids, in the rows' order."""
    table = model.__table__
    query = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(query, rows).scalars())


def add_missed(
    session: Session, actor: str, transcript_id: int, first: int, last: int,
    codes: tuple[str, ...], note: str = "",
) -> Decision:
    """Add a fragment A missed to the consensus ("aangevuld").

    Adding to a fragment added before keeps its codes and adds these; a reviewed
    fragment is refused, as its codes are decided with the review's own keys.
    """
    if not codes:
        raise StudyError("choose at least one code for the fragment")
    first, last = min(first, last), max(first, last)
    serialise(session, LockSpace.REVIEW, f"added to transcript {transcript_id}")
    start_id, end_id = _segment_ids(session, transcript_id, first, last)
    earlier = session.execute(
        select(Decision).where(Decision.transcript_id == transcript_id, Decision.first_segment_id == start_id,
                               Decision.last_segment_id == end_id).order_by(Decision.id.desc())
    ).scalars().first()
    if earlier is not None and earlier.assignment_id is not None:
        raise StudyError(f"segments {first + 1}–{last + 1} are a reviewed fragment; decide its codes instead")
    kept = json.loads(earlier.codes) if earlier is not None else []
    decision = Decision(
        transcript_id=transcript_id, first_segment_id=start_id, last_segment_id=end_id, kind=DecisionKind.ADDED,
        codes=json.dumps(list(dict.fromkeys([*kept, *codes]))), note=note, decided_by=actor,
    )
    return _write(session, actor, decision, _consensus_on(session, transcript_id, start_id, end_id), first, last)


def review_progress(session: Session) -> dict[int, tuple[int, int]]:
    """Per transcript: (fragments decided, fragments ready for review) over every coder pair."""
    ready = session.execute(
        select(Assignment.id, Assignment.transcript_id)
        .where((Assignment.done_at.is_not(None)) | (Assignment.revealed_at.is_not(None)))
    ).all()
    decided = latest_decisions(session)
    progress: dict[int, tuple[int, int]] = {}
    for assignment_id, transcript_id in ready:
        done, total = progress.get(transcript_id, (0, 0))
        progress[transcript_id] = (done + (assignment_id in decided), total + 1)
    return progress


@dataclass(frozen=True)
class PairProgress:
    """How far one coder pair is with the blind pass and its review."""

    first_coder: str
    second_coder: str
    assigned: int
    finished: int
    revealed: int
    decided: int

    @property
    def pending(self) -> int:
        return self.assigned - self.finished - self.revealed


def pair_progress(session: Session) -> list[PairProgress]:
    """Per coder pair with assignments: assigned, finished blind, revealed, decided in review."""
    giver, taker = aliased(Coder), aliased(Coder)
    decided = latest_decisions(session)
    counts: dict[tuple[str, str], list[int]] = {}
    for assignment, a, b in session.execute(
        select(Assignment, giver.name, taker.name)
        .join(giver, giver.id == Assignment.from_coder_id)
        .join(taker, taker.id == Assignment.to_coder_id)
        .order_by(Assignment.id)
    ):
        row = counts.setdefault((a, b), [0, 0, 0, 0])
        row[0] += 1
        row[1] += assignment.done_at is not None and assignment.revealed_at is None
        row[2] += assignment.revealed_at is not None
        row[3] += assignment.id in decided
    return [PairProgress(a, b, *row) for (a, b), row in counts.items()]
