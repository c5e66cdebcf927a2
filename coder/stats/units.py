"""From a study to agreement units (DESIGN §4): which units, and who gave each what.

- *fragments* mode: the units are coder A's fragments (primary pass); B's codes on
  a unit are the codes B gave exactly that fragment in the blind pass.
- *segments* mode: every non-interviewer segment of the transcripts both coders
  coded; a coder's codes on a segment are the codes of every coding covering it.
- *unitizing* mode compares the spans themselves, on the same transcripts as the
  segments mode (`study_spans`).

At `level="theme"` a core element counts as its theme; at `level="code"` every
code counts on its own. Interviewer turns are never units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import func, select
from sqlmodel import Session

from coder.codebook.study_codebook import active_codes, code_themes
from coder.coding.assignments import assignment_pairs, pair_assignments
from coder.coding.queries import FIRST, LAST, live_codings, with_speaker
from coder.coding.review import review_items
from coder.errors import StudyError
from coder.stats.agreement import Ratings
from coder.stats.ratings_file import build_ratings
from coder.storage.models import (
    Assignment,
    Code,
    Coder,
    Coding,
    Decision,
    Participant,
    Segment,
    Transcript,
    TranscriptAttribute,
)
from coder.storage.vocabulary import INTERVIEWER, DecisionKind, Pass

#: The modes that compare codes on units (`study_ratings`), and all modes of `coder agreement`.
RATING_MODES = ("fragments", "segments")
UNITIZING = "unitizing"
MODES = (*RATING_MODES, UNITIZING)
LEVELS = ("theme", "code")


@dataclass(frozen=True)
class UnitFilter:
    """Which part of the study to compare: transcripts (by id or title), school types, and
    attributes as (name, value) pairs that must all hold ("set", "Pilot"; "Age", "42")."""

    transcripts: tuple[str, ...] = ()
    school_types: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()

    def transcript_ids(self, session: Session) -> list[int]:
        query = select(Transcript.id, Transcript.title)
        if self.school_types:
            query = query.where(Transcript.school_type.in_(self.school_types))
        for name, value in self.attributes:
            query = query.where(Transcript.id.in_(select(TranscriptAttribute.transcript_id).where(
                TranscriptAttribute.name == name, TranscriptAttribute.value == value,
                TranscriptAttribute.deleted_at.is_(None))))
        rows = session.execute(query).all()
        if self.transcripts:
            rows = [(i, t) for i, t in rows if str(i) in self.transcripts or t in self.transcripts]
        return [i for i, _ in rows]


def level_codes(session: Session, level: str) -> tuple[tuple[str, ...], dict[int, str]]:
    """The code columns at `level`, and each code row's column (its theme at theme level)."""
    if level not in LEVELS:
        raise StudyError(f"level must be one of {', '.join(LEVELS)}, not '{level}'")
    columns = tuple(c.code_id for c in active_codes(session) if level == "code" or c.parent_id is None)
    if level == "theme":
        return columns, code_themes(session)
    return columns, dict(session.execute(select(Code.id, Code.code_id)).all())


def code_names(session: Session) -> dict[str, str]:
    """Every active code's codebook name by its id: how the faces name codes."""
    return {code.code_id: code.name for code in active_codes(session)}


def coder_pairs(session: Session) -> list[tuple[str, str]]:
    """The coder pairs a reader can choose from: those with assignments, in the order they
    began, else the study's two coders (none when it has more and no assignments)."""
    pairs = assignment_pairs(session)
    if pairs:
        return pairs
    names = list(session.execute(select(Coder.name).order_by(Coder.id)).scalars())
    return [(names[0], names[1])] if len(names) == 2 else []


def pick_coders(session: Session, coders: tuple[str, str] | None) -> tuple[str, str]:
    """The coder pair: as given, else the first pair with assignments, else the study's
    two coders in the order they started."""
    names = list(session.execute(select(Coder.name).order_by(Coder.id)).scalars())
    if coders:
        missing = [name for name in coders if name not in names]
        if missing:
            raise StudyError(f"no coder named {', '.join(missing)} in this study (coders: {', '.join(names) or 'none'})")
        return coders
    pairs = coder_pairs(session)
    if pairs:
        return pairs[0]
    raise StudyError(
        f"this study has {len(names)} coders ({', '.join(names) or 'none'}); name the pair with --coders A,B"
    )


def interviewer_segments(session: Session, transcript_ids: Iterable[int]) -> set[int]:
    """The ids of the segments the interviewer speaks: never units (DESIGN §4)."""
    rows = session.execute(
        with_speaker(select(Segment.id))
        .where(Participant.role == INTERVIEWER, Segment.transcript_id.in_(list(transcript_ids)))
    )
    return set(rows.scalars())


def _live_codings(session: Session, coder: str, passes: Iterable[str], transcript_ids: list[int]):
    """(transcript, first, last, first position, last position, code row id, start, end) of a
    coder's live codings; start and end are character offsets."""
    return session.execute(
        live_codings(Coding.transcript_id, Coding.first_segment_id, Coding.last_segment_id,
                     FIRST.position, LAST.position, Coding.code_id, Coding.start, Coding.end)
        .where(Coder.name == coder, Coding.pass_.in_(tuple(passes)), Coding.transcript_id.in_(transcript_ids))
    ).all()


def double_coded(session: Session, coders: tuple[str, str], transcript_ids: list[int]) -> tuple[dict, set[int]]:
    """Each coder's own codings (primary and blind pass, see `_live_codings`), and the transcripts
    both coded: those where each has at least one live coding. Segments and unitizing mode compare these."""
    codings = {coder: _live_codings(session, coder, (Pass.PRIMARY, Pass.BLIND), transcript_ids) for coder in coders}
    return codings, set.intersection(*({row[0] for row in rows} for rows in codings.values()))


def unit_key(transcript_id: int, first_segment_id: int, last_segment_id: int) -> str:
    """A unit's name in `Ratings.units`: the same form in both modes."""
    return f"{transcript_id}:{first_segment_id}-{last_segment_id}"


@dataclass(frozen=True)
class UnitText:
    """What a screen shows of a unit: where it is and what was said."""

    key: str
    transcript: str
    first_position: int
    last_position: int
    text: str


def unit_texts(session: Session, keys: Iterable[str]) -> list[UnitText]:
    """The transcript and text of units named by `unit_key`, in the order given."""
    parsed = []
    for key in keys:
        transcript, _, span = key.partition(":")
        first, _, last = span.partition("-")
        parsed.append((key, int(transcript), int(first), int(last)))
    if not parsed:
        return []
    ids = {first for *_, first, _ in parsed} | {last for *_, last in parsed}
    segments = {s.id: s for s in session.execute(select(Segment).where(Segment.id.in_(ids))).scalars()}
    transcripts = {t.id: t for t in session.execute(
        select(Transcript).where(Transcript.id.in_({t for _, t, _, _ in parsed}))).scalars()}
    result = []
    for key, transcript_id, first, last in parsed:
        transcript = transcripts[transcript_id]
        start, end = segments[first], segments[last]
        result.append(UnitText(key, transcript.title, start.position, end.position,
                               transcript.text[start.start : end.end]))
    return result


def fragment_rows(session, coders, mapping, transcript_ids) -> tuple[list[tuple[str, str, str]], int]:
    """Units = A's primary fragments; B's codes = B's blind codes on exactly that fragment.

    When A's fragments were assigned to B, B rated a unit once B finished it; a
    pending unit counts as excluded and a revealed one is left out and counted.
    Without assignments (a project imported with both passes), B rated a unit
    when B has a blind coding on exactly it. Returns the rows and the revealed count.
    """
    interviewer = interviewer_segments(session, transcript_ids)
    assignments = pair_assignments(session, *coders, Assignment.transcript_id.in_(transcript_ids))
    revealed = {unit_key(a.transcript_id, a.first_segment_id, a.last_segment_id)
                for a in assignments if a.revealed_at is not None}
    rows = []
    for coder, passes in ((coders[0], (Pass.PRIMARY,)), (coders[1], (Pass.BLIND,))):
        for transcript, first, last, _, _, code, _, _ in _live_codings(session, coder, passes, transcript_ids):
            if first in interviewer and last in interviewer:
                continue
            rows.append((unit_key(transcript, first, last), coder, mapping[code]))
    units_of_a = {unit for unit, coder, _ in rows if coder == coders[0]}
    if assignments:
        finished = {unit_key(a.transcript_id, a.first_segment_id, a.last_segment_id)
                    for a in assignments if a.done_at is not None and a.revealed_at is None}
        rows = [row for row in rows if row[1] == coders[0] or row[0] in finished]
        rows += [(unit, coders[1], "") for unit in finished]  # "no code applies" is a rating
    return [row for row in rows if row[0] in units_of_a and row[0] not in revealed], len(revealed)


def segment_ratings(session, coders, columns, mapping, transcript_ids) -> Ratings:
    """Units = every non-interviewer segment of transcripts both coders coded (none revealed).

    Built with array operations, as a study of 100,000 segments has as many units: each
    coding marks its run of segments through a difference array per code column.
    """
    codings, shared = double_coded(session, coders, transcript_ids)
    # Segments carry no codes, and `shared` holds only transcripts whose codings the session
    # may see, so they are read through Core: the ORM's row handling would cost more than the rest.
    rows = session.connection().execute(
        with_speaker(select(Segment.id, Segment.transcript_id, Segment.position,
                           func.coalesce(Participant.role == INTERVIEWER, False)))
        .where(Segment.transcript_id.in_(shared)).order_by(Segment.transcript_id, Segment.position))
    table = np.array(list(map(tuple, rows.all())), dtype=np.int64).reshape(-1, 4)
    segments, spoken = table[:, :3], table[:, 3] == 0
    keys = segments[:, 1] << 32 | segments[:, 2]
    column = {code: index for index, code in enumerate(columns)}
    matrices = []
    for coder in coders:
        marks = [(t, first, last, column[mapping[code]]) for t, _, _, first, last, code, _, _ in codings[coder]
                 if t in shared and mapping.get(code) in column]
        runs = np.array(marks, dtype=np.int64).reshape(-1, 4)
        starts = np.searchsorted(keys, runs[:, 0] << 32 | runs[:, 1])
        ends = np.searchsorted(keys, runs[:, 0] << 32 | runs[:, 2]) + 1
        diff = np.zeros((len(keys) + 1, len(columns)), dtype=np.int64)
        np.add.at(diff, (starts, runs[:, 3]), 1)
        np.add.at(diff, (ends, runs[:, 3]), -1)
        matrices.append(np.cumsum(diff, axis=0)[:-1] > 0)
    units = tuple(unit_key(t, sid, sid) for sid, t in segments[spoken, :2].tolist())
    return Ratings(coders=coders, units=units, codes=tuple(columns), a=matrices[0][spoken], b=matrices[1][spoken],
                   categories=len(columns) + 1)


def study_ratings(
    session: Session,
    mode: str = "fragments",
    level: str = "theme",
    coders: tuple[str, str] | None = None,
    where: UnitFilter = UnitFilter(),
) -> Ratings:
    """The ratings of a coder pair in a study, ready for `agreement.agreement`."""
    if mode not in RATING_MODES:
        raise StudyError(f"codes on units are compared in mode {' or '.join(RATING_MODES)}, not '{mode}'")
    pair = pick_coders(session, coders)
    columns, mapping = level_codes(session, level)
    transcript_ids = where.transcript_ids(session)
    if mode != "fragments":
        return segment_ratings(session, pair, columns, mapping, transcript_ids)
    rows, revealed = fragment_rows(session, pair, mapping, transcript_ids)
    ratings = build_ratings(rows, pair, codes=columns, categories=len(columns) + 1)
    return replace(ratings, revealed=revealed)


@dataclass(frozen=True)
class ReviewCounts:
    """What the review did to a pair's fragments, reported beside kappa in fragments mode.

    `ready`: fragments the second coder finished or revealed; `decided`: those with a decision;
    `adjusted` ("bijgesteld"): decided with boundaries other than the assigned fragment's;
    `added` ("aangevuld"): fragments the first coder missed, added in review, in the
    transcripts where the pair has assigned fragments (an added fragment names no pair).
    """

    ready: int
    decided: int
    adjusted: int
    added: int


def added_in_review(session: Session, coders: tuple[str, str], transcript_ids: Iterable[int] | None = None) -> list[Decision]:
    """The fragments added in review ("aangevuld") that count for a pair, the latest decision on each span.

    An added fragment names no pair; it counts for a pair in the transcripts where the pair
    has assigned fragments (of those in `transcript_ids`, when given).
    """
    paired = {a.transcript_id for a in pair_assignments(session, *coders)}
    if transcript_ids is not None:
        paired &= set(transcript_ids)
    latest: dict[tuple[int, int, int], Decision] = {}
    for decision in session.execute(
        select(Decision).where(Decision.kind == DecisionKind.ADDED, Decision.transcript_id.in_(paired)).order_by(Decision.id)
    ).scalars():
        latest[(decision.transcript_id, decision.first_segment_id, decision.last_segment_id)] = decision
    return list(latest.values())


def review_counts(session: Session, coders: tuple[str, str], where: UnitFilter = UnitFilter()) -> ReviewCounts:
    """The review's decisions, boundary adjustments and added fragments for a coder pair."""
    transcript_ids = set(where.transcript_ids(session))
    items = [item for item in review_items(session, *coders) if item.transcript_id in transcript_ids]
    return ReviewCounts(ready=len(items), decided=sum(item.decision is not None for item in items),
                        adjusted=sum(item.adjusted for item in items),
                        added=len(added_in_review(session, coders, transcript_ids)))
