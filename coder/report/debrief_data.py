"""The peer-debriefing summary's content (DESIGN §1.7): gathered once, rendered as
Markdown or HTML by `debrief_markdown` and `debrief_html`.

Everything here is plain data taken from the study, so both formats say the same
thing and a test can check the figures against the database and `coder agreement`.

The final coding the counts and quotes come from: the consensus where a fragment
was reviewed (including fragments added in review), and the first coder's own
coding where it was not (fragments outside the blind sample, or not yet decided).

Coders flag a memo or note for the summary by writing a tag in it: `#debrief`
brings it to "memos for the debriefing", `#question` (or `#vraag`) to "open
questions", and `#exemplary` (or `#voorbeeld`) on a coding's memo makes that
fragment the first choice for the theme's quotes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from coder.codebook.study_codebook import active_codes
from coder.coding.queries import StudyStatus, study_status, transcript_segments
from coder.coding.review import ReviewItem, pair_progress, review_items
from coder.report.codings_export import coding_rows
from coder.stats.agreement import Report, agreement
from coder.stats.units import pick_coders, study_ratings
from coder.storage.audit import audit_trail
from coder.storage.models import Coding, Transcript, utcnow

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
class Sample:
    """How much was double coded: A's fragments, those assigned to B, finished and revealed."""

    fragments: int
    assigned: int
    finished: int
    revealed: int
    seed: int | None
    stratified: bool


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


def final_coding(rows: list[dict], first_coder: str, reviewed: set[tuple[int, int, int]]) -> list[dict]:
    """The consensus where a fragment was reviewed, the first coder's coding elsewhere."""
    return [
        row for row in rows
        if row["pass"] == "consensus"
        or (row["pass"] == "primary" and row["coder"] == first_coder
            and (row["transcript_id"], row["first_segment"], row["last_segment"]) not in reviewed)
    ]


def _sample(session: Session, coders: tuple[str, str], fragments: int) -> Sample:
    progress = next((p for p in pair_progress(session) if (p.first_coder, p.second_coder) == coders), None)
    draws = [line.detail for line in audit_trail(session, kind="assignment.add")
             if (line.detail.get("from_coder"), line.detail.get("to_coder")) == coders]
    last = draws[-1] if draws else {}
    counts = (progress.assigned, progress.finished, progress.revealed) if progress else (0, 0, 0)
    return Sample(fragments, *counts, last.get("seed"), bool(last.get("stratify")))


def _glance(session: Session, sample: Sample) -> Glance:
    dates = sorted(d for d in session.execute(select(Transcript.date)).scalars() if d)
    first, last = session.execute(
        select(func.min(Coding.created_at), func.max(Coding.created_at))
    ).one()
    return Glance(study_status(session), (dates[0], dates[-1]) if dates else None,
                  (first, last) if first else None, sample)


def _fragments(rows: list[dict]) -> dict[tuple[int, int, int], list[dict]]:
    grouped: dict[tuple[int, int, int], list[dict]] = {}
    for row in rows:
        grouped.setdefault((row["transcript_id"], row["first_segment"], row["last_segment"]), []).append(row)
    return grouped


def _table(final: list[dict], themes: list[str], school_types: tuple[str, ...]) -> dict[str, dict[str, tuple[int, int]]]:
    """Per theme and school type: fragments, and distinct respondents who speak in them."""
    fragments: dict[tuple[str, str], set] = {}
    people: dict[tuple[str, str], set] = {}
    for row in final:
        key = (row["theme"], row["school_type"] or "unknown")
        fragments.setdefault(key, set()).add((row["transcript_id"], row["first_segment"], row["last_segment"]))
        roles = row["role"].split("+")
        for label, role in zip(row["speaker"].split("+"), roles, strict=False):
            if role != "interviewer":
                people.setdefault(key, set()).add((row["transcript_id"], label))
    return {theme: {st: (len(fragments.get((theme, st), ())), len(people.get((theme, st), ())))
                    for st in school_types} for theme in themes}


def _quotes(final: list[dict], agreed: set[tuple[int, int, int]], exemplary_fragments: set[tuple[int, int, int]],
            theme: str) -> dict[str, list[Quote]]:
    """Up to QUOTES_PER_CELL per school type: exemplary first, then agreed by both coders, then longest."""
    by_school: dict[str, list[tuple[tuple, Quote]]] = {}
    for fragment, rows in _fragments([r for r in final if r["theme"] == theme]).items():
        row = rows[0]
        exemplary = fragment in exemplary_fragments
        why = "exemplary" if exemplary else "agreed" if fragment in agreed else "longest"
        quote = Quote(row["text"], row["transcript"], row["speaker"], row["role"], row["school_type"] or "unknown",
                      tuple(dict.fromkeys(r["code_id"] for r in rows)), why)
        rank = (not exemplary, fragment not in agreed, -len(row["text"]), fragment)
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


def _notes(session: Session, rows: list[dict], tags: tuple[str, ...]) -> list[Note]:
    notes = [Note("memo", r["coder"], r["transcript"], without_tags(r["memo"]))
             for r in rows if r["memo"] and has_tag(r["memo"], tags)]
    for line in audit_trail(session, kind="review") + audit_trail(session, kind="blind.no_code"):
        text = line.detail.get("note") or ""
        if text and has_tag(text, tags):
            source = "no code" if line.kind == "blind.no_code" else "decision"
            notes.append(Note(source, line.actor, line.transcript or "", without_tags(text)))
    return list(dict.fromkeys(notes))


def build_debrief(session: Session, level: str = "theme", coders: tuple[str, str] | None = None) -> Debrief:
    """Everything the summary says, from the study as it is now."""
    pair = pick_coders(session, coders)
    report = agreement(study_ratings(session, "fragments", level, pair), level)
    items = review_items(session, *pair)
    reviewed = {(i.transcript_id, i.first, i.last) for i in items if i.decision is not None}
    agreed = {(i.transcript_id, i.first, i.last) for i in items if i.decision and i.decision.kind == "agreed"}
    rows = coding_rows(session)
    final = final_coding(rows, pair[0], reviewed)
    codes = active_codes(session)
    themes = [c for c in codes if c.parent_id is None]
    exemplary = {fragment for fragment, group in _fragments(rows).items()
                 if any(has_tag(r["memo"], EXEMPLARY_TAGS) for r in group)}  # a memo of either pass
    primary = {(r["transcript_id"], r["first_segment"], r["last_segment"])
               for r in rows if r["pass"] == "primary" and r["coder"] == pair[0]}
    glance = _glance(session, _sample(session, pair, len(primary)))
    school_types = tuple(glance.status.transcripts_by_school_type)
    disputes = _disputes(session, items)
    return Debrief(
        generated_at=utcnow(), level=level, coders=pair, report=report, glance=glance,
        school_types=school_types,
        table=_table(final, [t.code_id for t in themes], school_types),
        themes=[ThemeSection(t.code_id, t.name, t.definition, _quotes(final, agreed, exemplary, t.code_id)) for t in themes],
        disputes=disputes, most_disputed=_most_disputed(disputes),
        flagged=_notes(session, rows, DEBRIEF_TAGS), questions=_notes(session, rows, QUESTION_TAGS),
        code_names={c.code_id: c.name for c in codes},
    )
