"""The peer-debriefing summary's content (DESIGN §1.7): gathered once, rendered as
Markdown or HTML by `debrief_markdown` and `debrief_html`.

Everything here is plain data taken from the study, so both formats say the same
thing and a test can check the figures against the database and `coder agreement`.

The summary covers one coder pair (the first with assignments unless another is
asked for) and says so. The final coding the counts and quotes come from is that
pair's: the consensus where the pair's review decided a fragment (including the
fragments added in review in the pair's transcripts, `units.added_in_review`), and
the first coder's own coding where it did not (fragments outside the blind sample,
or not yet decided). Another pair's review of the same fragments is not mixed in.

Coders flag a memo or note for the summary by writing a tag in it: `#debrief`
brings it to "memos for the debriefing", `#question` (or `#vraag`) to "open
questions", and `#exemplary` (or `#voorbeeld`) on a coding's memo makes that
fragment the first choice for the theme's quotes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from coder.codebook.study_codebook import active_codes
from coder.coding.assignments import pair_assignments
from coder.coding.queries import CodingRecord, StudyStatus, coding_records, study_status, transcript_segments
from coder.coding.review import ReviewItem, latest_decisions, pair_progress, review_items
from coder.stats.agreement import Report, agreement
from coder.stats.study_spans import StudyUnitizing, study_unitizing
from coder.stats.units import (
    ReviewCounts,
    added_in_review,
    code_names,
    coder_pairs,
    pick_coders,
    review_counts,
    study_ratings,
)
from coder.storage.models import Assignment, BlindSample, Coder, Coding, Decision, Transcript, utcnow
from coder.storage.settings import pseudonym_key
from coder.storage.vocabulary import INTERVIEWER, DecisionKind, FragmentRef, Pass

#: At most this many quotes per theme and school type.
QUOTES_PER_CELL = 2
DEBRIEF_TAGS = ("#debrief",)
QUESTION_TAGS = ("#question", "#vraag")
EXEMPLARY_TAGS = ("#exemplary", "#voorbeeld")
_TAG = re.compile(r"\s*#(debrief|question|vraag|exemplary|voorbeeld)\b", re.IGNORECASE)


def has_tag(text: str, tags: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(tag in lowered for tag in tags)


def without_tags(text: str) -> str:
    """A memo as the team should read it: the flags that brought it here taken out."""
    return _TAG.sub("", text).strip()


@dataclass(frozen=True)
class Draw:
    """One random draw that handed fragments on (a `BlindSample` row)."""

    seed: int
    stratified: bool


@dataclass(frozen=True)
class Sample:
    """How much was double coded: A's fragments, those assigned to B, finished and revealed,
    and the random draws the assigned fragments came from (none when all or hand-picked)."""

    fragments: int
    assigned: int
    finished: int
    revealed: int
    draws: tuple[Draw, ...]


@dataclass(frozen=True)
class Glance:
    status: StudyStatus
    interview_dates: tuple[str, str] | None
    coding_dates: tuple[datetime, datetime] | None
    sample: Sample


@dataclass(frozen=True)
class Quote:
    text: str
    transcript: str
    speaker: str
    role: str
    school_type: str
    codes: tuple[str, ...]
    why: str  # "exemplary", "agreed" or "longest"


@dataclass(frozen=True)
class ThemeSection:
    code_id: str
    name: str
    definition: str
    quotes: dict[str, list[Quote]]  # by school type


@dataclass(frozen=True)
class Dispute:
    transcript: str
    first: int
    last: int
    text: str
    a_codes: tuple[str, ...]
    b_codes: tuple[str, ...]
    revealed: bool
    decision: str | None
    decided_codes: tuple[str, ...]
    note: str
    decided_by: str | None
    adjusted: bool


@dataclass(frozen=True)
class Note:
    """A memo or note brought to the summary by a tag."""

    source: str  # "memo", "decision" or "no code"
    author: str
    transcript: str
    text: str


@dataclass(frozen=True)
class Debrief:
    generated_at: datetime
    level: str
    coders: tuple[str, str]
    report: Report
    glance: Glance
    school_types: tuple[str, ...]
    #: theme -> school type -> (fragments, distinct respondents), from the final coding.
    table: dict[str, dict[str, tuple[int, int]]]
    themes: list[ThemeSection]
    disputes: list[Dispute]
    most_disputed: list[tuple[str, int]]
    flagged: list[Note]
    questions: list[Note]
    code_names: dict[str, str]
    #: Every coder pair of the study, the one covered among them.
    pairs: tuple[tuple[str, str], ...]
    review: ReviewCounts
    #: Agreement on the fragments themselves, on the transcripts both coded; None where there are none.
    unitizing: StudyUnitizing | None
    #: The transcripts were imported with a pseudonym key (DESIGN §7): the method says so.
    pseudonymised: bool = False


def final_coding(records: list[CodingRecord], first_coder: str, reviewed: set[FragmentRef],
                 consensus: set[tuple[FragmentRef, str]]) -> list[CodingRecord]:
    """The pair's consensus where it reviewed a fragment, the first coder's coding elsewhere.

    `consensus` holds the (fragment, reviewer) of each decision of the pair that holds: a
    consensus coding is written on the decided span in the reviewer's name.
    """
    return [
        record for record in records
        if (record.pass_ == Pass.CONSENSUS and (record.fragment, record.coder) in consensus)
        or (record.pass_ == Pass.PRIMARY and record.coder == first_coder and record.fragment not in reviewed)
    ]


def pair_final(session: Session, pair: tuple[str, str], items: list[ReviewItem] | None = None,
               records: list[CodingRecord] | None = None) -> list[CodingRecord]:
    """The pair's final coding, as the summary counts it and the coding screen shows it:
    `final_coding` over the pair's review (`items`) and the study's codings (`records`),
    read here when not given."""
    items = review_items(session, *pair) if items is None else items
    records = coding_records(session) if records is None else records
    reviewed = {i.fragment for i in items if i.decision is not None}
    return final_coding(records, pair[0], reviewed, pair_consensus(session, pair, items))


def pair_consensus(session: Session, pair: tuple[str, str], items: list[ReviewItem]) -> set[tuple[FragmentRef, str]]:
    """The (fragment, reviewer) of the decisions that make the pair's consensus: the latest
    decision on each of its reviewed fragments, and the fragments added in its transcripts."""
    decisions = latest_decisions(session)
    held = [decisions[i.assignment_id] for i in items if i.assignment_id in decisions] + added_in_review(session, pair)
    return {(FragmentRef(d.transcript_id, d.first_segment_id, d.last_segment_id), d.decided_by) for d in held}


def _sample(session: Session, coders: tuple[str, str], fragments: int) -> Sample:
    """The pair's blind sample, with the random draws that its assigned fragments came from."""
    progress = next((p for p in pair_progress(session) if (p.first_coder, p.second_coder) == coders), None)
    used = {a.sample_id for a in pair_assignments(session, *coders)}
    draws = session.execute(
        select(BlindSample).where(BlindSample.id.in_(used), BlindSample.seed.is_not(None)).order_by(BlindSample.id)
    ).scalars()
    counts = (progress.assigned, progress.finished, progress.revealed) if progress else (0, 0, 0)
    return Sample(fragments, *counts, tuple(Draw(d.seed, d.stratify is not None) for d in draws))


def _glance(session: Session, sample: Sample) -> Glance:
    dates = sorted(d for d in session.execute(select(Transcript.date)).scalars() if d)
    first, last = session.execute(
        select(func.min(Coding.created_at), func.max(Coding.created_at))
    ).one()
    return Glance(study_status(session), (dates[0], dates[-1]) if dates else None,
                  (first, last) if first else None, sample)


def _fragments(records: list[CodingRecord]) -> dict[FragmentRef, list[CodingRecord]]:
    grouped: dict[FragmentRef, list[CodingRecord]] = {}
    for record in records:
        grouped.setdefault(record.fragment, []).append(record)
    return grouped


def _table(final: list[CodingRecord], themes: list[str],
           school_types: tuple[str, ...]) -> dict[str, dict[str, tuple[int, int]]]:
    """Per theme and school type: fragments, and distinct respondents who speak in them."""
    fragments: dict[tuple[str, str], set] = {}
    people: dict[tuple[str, str], set] = {}
    for record in final:
        key = (record.theme, record.school_type or "unknown")
        fragments.setdefault(key, set()).add(record.fragment)
        for speaker in record.speakers:
            if speaker.role != INTERVIEWER:
                people.setdefault(key, set()).add((record.fragment.transcript_id, speaker.label))
    return {theme: {st: (len(fragments.get((theme, st), ())), len(people.get((theme, st), ())))
                    for st in school_types} for theme in themes}


def _quotes(final: list[CodingRecord], agreed: set[FragmentRef], exemplary_fragments: set[FragmentRef],
            theme: str) -> dict[str, list[Quote]]:
    """Up to QUOTES_PER_CELL per school type: exemplary first, then agreed by both coders, then longest."""
    by_school: dict[str, list[tuple[tuple, Quote]]] = {}
    for fragment, records in _fragments([r for r in final if r.theme == theme]).items():
        first = records[0]
        exemplary = fragment in exemplary_fragments
        why = "exemplary" if exemplary else "agreed" if fragment in agreed else "longest"
        quote = Quote(first.text, first.transcript, "+".join(s.label for s in first.speakers),
                      "+".join(s.role or "" for s in first.speakers), first.school_type or "unknown",
                      tuple(dict.fromkeys(r.code_id for r in records)), why)
        rank = (not exemplary, fragment not in agreed, -len(first.text), fragment)
        by_school.setdefault(quote.school_type, []).append((rank, quote))
    return {school: [q for _, q in sorted(quotes, key=lambda pair: pair[0])[:QUOTES_PER_CELL]]
            for school, quotes in by_school.items()}


def _disputes(session: Session, items: list[ReviewItem]) -> list[Dispute]:
    texts: dict[int, tuple[str, list]] = {}
    disputes = []
    for item in items:
        if item.agreed:
            continue
        if item.transcript_id not in texts:
            segments = transcript_segments(session, item.transcript_id)
            text = session.get(Transcript, item.transcript_id).text
            texts[item.transcript_id] = (text, segments)
        text, segments = texts[item.transcript_id]
        d = item.decision
        disputes.append(Dispute(
            item.title, item.first, item.last, text[segments[item.first].start:segments[item.last].end],
            item.a.codes, item.b.codes, item.revealed, d.kind if d else None, d.codes if d else (),
            without_tags(d.note) if d else "", d.decided_by if d else None, item.adjusted,
        ))
    return disputes


def _most_disputed(disputes: list[Dispute]) -> list[tuple[str, int]]:
    """Codes by how many disputes they are in on one side only."""
    counts = Counter(code for d in disputes for code in set(d.a_codes) ^ set(d.b_codes))
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def _notes(session: Session, records: list[CodingRecord], tags: tuple[str, ...]) -> list[Note]:
    """Memos, review notes and "no code applies" notes that carry one of `tags`, oldest first."""
    notes = [Note("memo", r.coder, r.transcript, r.memo) for r in records]
    decisions = session.execute(
        select(Decision.decided_by, Transcript.title, Decision.note)
        .join(Transcript, Transcript.id == Decision.transcript_id).order_by(Decision.id)
    )
    notes += [Note("decision", who, title, note) for who, title, note in decisions]
    no_code = session.execute(
        select(Coder.name, Transcript.title, Assignment.no_code_note)
        .join(Coder, Coder.id == Assignment.to_coder_id).join(Transcript, Transcript.id == Assignment.transcript_id)
        .where(Assignment.no_code).order_by(Assignment.done_at, Assignment.id)
    )
    notes += [Note("no code", who, title, note) for who, title, note in no_code]
    flagged = [replace(note, text=without_tags(note.text)) for note in notes if note.text and has_tag(note.text, tags)]
    return list(dict.fromkeys(flagged))


def build_debrief(session: Session, level: str = "theme", coders: tuple[str, str] | None = None) -> Debrief:
    """Everything the summary says, from the study as it is now."""
    pair = pick_coders(session, coders)
    report = agreement(study_ratings(session, "fragments", level, pair), level)
    items = review_items(session, *pair)
    agreed = {i.fragment for i in items if i.decision and i.decision.kind == DecisionKind.AGREED}
    records = coding_records(session)
    final = pair_final(session, pair, items, records)
    codes = active_codes(session)
    themes = [c for c in codes if c.parent_id is None]
    exemplary = {fragment for fragment, group in _fragments(records).items()
                 if any(has_tag(r.memo, EXEMPLARY_TAGS) for r in group)}  # a memo of either pass
    primary = {r.fragment for r in records if r.pass_ == Pass.PRIMARY and r.coder == pair[0]}
    glance = _glance(session, _sample(session, pair, len(primary)))
    school_types = tuple(glance.status.transcripts_by_school_type)
    disputes = _disputes(session, items)
    unitizing = study_unitizing(session, level, pair)
    return Debrief(
        generated_at=utcnow(), level=level, coders=pair, report=report, glance=glance,
        school_types=school_types,
        table=_table(final, [t.code_id for t in themes], school_types),
        themes=[ThemeSection(t.code_id, t.name, t.definition, _quotes(final, agreed, exemplary, t.code_id)) for t in themes],
        disputes=disputes, most_disputed=_most_disputed(disputes),
        flagged=_notes(session, records, DEBRIEF_TAGS), questions=_notes(session, records, QUESTION_TAGS),
        code_names=code_names(session), pairs=tuple(coder_pairs(session)), review=review_counts(session, pair),
        unitizing=unitizing if unitizing.data.documents else None,
        pseudonymised=pseudonym_key(session) is not None,
    )
