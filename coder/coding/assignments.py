"""Handing coder A's fragments to coder B for blind second coding (DESIGN §1.4).

`assign` gives B all of A's fragments, or a reproducible random sample of them,
stratified by school type if asked. Run again with a larger sample, it adds
fragments and leaves the ones B already has where they are, so B's work is never
reshuffled.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from coder.coding.actions import ensure_coder
from coder.coding.queries import FIRST, LAST, live_codings
from coder.errors import StudyError
from coder.storage.audit import record
from coder.storage.audit_events import FragmentsAssigned
from coder.storage.database import LockSpace, serialise
from coder.storage.models import Assignment, BlindSample, Coder, Coding, Transcript, utcnow
from coder.storage.vocabulary import FragmentRef, Pass

STRATA = ("school_type",)



@dataclass(frozen=True)
class AssignResult:
    """Per stratum: fragments A has, B had before, and B got now."""

    strata: dict[str, tuple[int, int, int]]

    @property
    def added(self) -> int:
        return sum(added for _, _, added in self.strata.values())

    @property
    def assigned(self) -> int:
        return sum(before + added for _, before, added in self.strata.values())


def primary_fragments(session: Session, coder: str) -> list[tuple[FragmentRef, str]]:
    """A coder's distinct primary fragments in transcript order, each with its school type."""
    rows = session.execute(
        live_codings(Coding.transcript_id, Coding.first_segment_id, Coding.last_segment_id, Transcript.school_type)
        .join(Transcript, Transcript.id == Coding.transcript_id)
        .where(Coder.name == coder, Coding.pass_ == Pass.PRIMARY)
        .order_by(Coding.transcript_id, FIRST.position, LAST.position)
    )
    return list(dict.fromkeys((FragmentRef(t, first, last), school_type or "unknown") for t, first, last, school_type in rows))


def pair_assignments(session: Session, from_coder: str, to_coder: str, *where) -> list[Assignment]:
    """The fragments `from_coder` handed to `to_coder`, narrowed by `where`, oldest first."""
    giver, taker = aliased(Coder), aliased(Coder)
    return list(session.execute(
        select(Assignment)
        .join(giver, giver.id == Assignment.from_coder_id)
        .join(taker, taker.id == Assignment.to_coder_id)
        .where(giver.name == from_coder, taker.name == to_coder, *where)
        .order_by(Assignment.id)
    ).scalars())


def assigned_fragments(session: Session, from_coder: str, to_coder: str) -> set[FragmentRef]:
    return {a.fragment for a in pair_assignments(session, from_coder, to_coder)}


def _add(session: Session, sample: BlindSample, fragments: list[FragmentRef]) -> None:
    """Hand the fragments over in one statement: a whole study's sample is thousands of rows."""
    if not fragments:
        return
    now = utcnow()
    session.connection().execute(insert(Assignment.__table__), [
        {"from_coder_id": sample.from_coder_id, "to_coder_id": sample.to_coder_id, "transcript_id": transcript_id,
         "first_segment_id": first, "last_segment_id": last, "created_by": sample.created_by,
         "sample_id": sample.id, "created_at": now, "no_code": False, "no_code_note": ""}
        for transcript_id, first, last in sorted(fragments)])


def _new_sample(session: Session, from_coder: str, to_coder: str, actor: str, **how) -> BlindSample:
    """The row that says how this run of `assign` chose its fragments."""
    sample = BlindSample(from_coder_id=ensure_coder(session, from_coder).id,
                         to_coder_id=ensure_coder(session, to_coder).id, created_by=actor, **how)
    session.add(sample)
    session.flush()
    return sample


def assign_fragments(session: Session, from_coder: str, to_coder: str, actor: str, fragments: list[FragmentRef]) -> int:
    """Give `to_coder` exactly these of `from_coder`'s fragments (those not already given).

    For a sample drawn elsewhere, e.g. the demo study's recorded one. Returns how many were added.
    """
    if from_coder == to_coder:
        raise StudyError("a coder cannot be the blind second coder of their own fragments")
    serialise(session, LockSpace.CODER, to_coder)  # two runs at once would give the same fragments twice
    theirs = {fragment for fragment, _ in primary_fragments(session, from_coder)}
    foreign = [f for f in fragments if f not in theirs]
    if foreign:
        raise StudyError(f"{len(foreign)} of these fragments are not {from_coder}'s (no primary coding on them)")
    new = sorted(set(fragments) - assigned_fragments(session, from_coder, to_coder))
    sample = _new_sample(session, from_coder, to_coder, actor, chosen=True)
    _add(session, sample, new)
    record(session, actor, FragmentsAssigned(from_coder=from_coder, to_coder=to_coder, added=len(new),
                                             sample=sample.id, chosen=True))
    return len(new)


def assign(
    session: Session, from_coder: str, to_coder: str, actor: str, *,
    fraction: float | None = None, seed: int = 0, stratify: str | None = None,
) -> AssignResult:
    """Give `to_coder` all of `from_coder`'s fragments, or `fraction` of them (per stratum).

    Each stratum's sample is drawn with its own generator seeded from `seed` and
    the stratum, so the same seed gives the same fragments on any machine.
    """
    if from_coder == to_coder:
        raise StudyError("a coder cannot be the blind second coder of their own fragments")
    if fraction is not None and not 0 < fraction <= 1:
        raise StudyError(f"the sample must be more than 0% and at most 100%, not {fraction:.0%}")
    if stratify is not None and stratify not in STRATA:
        raise StudyError(f"can only stratify by {', '.join(STRATA)}, not '{stratify}'")
    serialise(session, LockSpace.CODER, to_coder)  # two runs at once would give the same fragments twice
    fragments = primary_fragments(session, from_coder)
    if not fragments:
        raise StudyError(f"{from_coder} has no fragments to assign (no primary codings)")
    already = assigned_fragments(session, from_coder, to_coder)
    sample = _new_sample(session, from_coder, to_coder, actor, fraction=fraction, stratify=stratify,
                         seed=seed if fraction is not None else None)
    strata: dict[str, list[FragmentRef]] = {}
    for fragment, school_type in fragments:
        strata.setdefault(school_type if stratify else "all", []).append(fragment)
    summary = {}
    for name, members in sorted(strata.items()):
        have = [f for f in members if f in already]
        target = len(members) if fraction is None else round(fraction * len(members))
        candidates = [f for f in members if f not in already]
        picked = random.Random(f"{seed}:{name}").sample(candidates, min(max(target - len(have), 0), len(candidates)))
        _add(session, sample, picked)
        summary[name] = (len(members), len(have), len(picked))
    result = AssignResult(summary)
    record(session, actor, FragmentsAssigned(from_coder=from_coder, to_coder=to_coder, added=result.added,
                                             sample=sample.id, fraction=fraction, seed=sample.seed,
                                             stratify=stratify, assigned=result.assigned))
    return result


def assignment_pairs(session: Session) -> list[tuple[str, str]]:
    """Every (first coder, second coder) pair that has assignments, in the order they began."""
    giver, taker = aliased(Coder), aliased(Coder)
    rows = session.execute(
        select(giver.name, taker.name)
        .select_from(Assignment)
        .join(giver, giver.id == Assignment.from_coder_id)
        .join(taker, taker.id == Assignment.to_coder_id)
        .order_by(Assignment.id)
    )
    return list(dict.fromkeys(tuple(row) for row in rows))
