"""From a study to spans for unitizing agreement (DESIGN §4, `coder agreement --mode unitizing`).

The coders' own fragments, as character spans, on the transcripts both coded: the same
transcripts as the segments mode (`units.double_coded`: each coder of the pair has a live
coding there, in the primary or the blind pass). A coding's span is its `start`..`end`; its
code is the code at the chosen level (a core element counts as its theme at `level="theme"`).

Interviewer turns are cut out. The continuum of a transcript is the text of its segments
that may be units, laid end to end: every non-interviewer segment's characters, in order.
Interviewer text is left out because nobody may code it (it is never a unit, DESIGN §4),
so leaving it in would count as agreement a gap that both coders had to leave; the speaker
labels and line breaks between segments go too, as they belong to no segment. A span is
mapped onto that continuum (the characters it covers that remain), so a fragment that runs
across an interviewer's interjection becomes one span of the two coded stretches, and a
span that covers nothing that remains drops out. Document lengths are the continuum's.
The document of a transcript is its title (with its id where two titles are the same).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlmodel import Session

from coder.stats.unitizing import AlphaU, Continuum, Span, UAlpha, alpha_u, continuum, u_alpha
from coder.stats.units import UnitFilter, double_coded, interviewer_segments, level_codes, pick_coders
from coder.storage.models import Segment, Transcript

#: No filter: every transcript both coders coded.
EVERYTHING = UnitFilter()


@dataclass(frozen=True)
class StudyUnitizing:
    """Unitizing agreement of a coder pair in a study, with the spans it was computed on."""

    coders: tuple[str, ...]
    level: str
    data: Continuum
    alpha_u: AlphaU
    u_alpha: UAlpha


def kept_ranges(segments: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """The [start, end) character ranges that stay on the continuum, sorted and disjoint."""
    ordered = sorted(segments)
    return (np.array([start for start, _ in ordered], dtype=np.int64),
            np.array([end for _, end in ordered], dtype=np.int64))


def onto_continuum(offsets: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Transcript character offsets as offsets on the continuum of the kept ranges: the kept
    characters before each offset, Σ clip(x − start, 0, end − start), by one binary search each."""
    x = np.asarray(offsets, dtype=np.int64)
    before = np.concatenate([[0], np.cumsum(ends - starts)])
    at = np.searchsorted(starts, x, side="right") - 1  # the last range that starts at or before x
    inside = np.clip(x - starts[np.maximum(at, 0)], 0, (ends - starts)[np.maximum(at, 0)])
    return np.where(at >= 0, before[np.maximum(at, 0)] + inside, 0)


def study_spans(session: Session, coders: tuple[str, str], level: str = "theme",
                where: UnitFilter = EVERYTHING) -> Continuum:
    """The pair's spans on the continuum of the transcripts both coded (see the module's docstring)."""
    columns, mapping = level_codes(session, level)
    codings, shared = double_coded(session, coders, where.transcript_ids(session))
    interviewer = interviewer_segments(session, shared)
    ranges: dict[int, list[tuple[int, int]]] = {transcript: [] for transcript in shared}
    for segment, transcript, start, end in session.execute(
        select(Segment.id, Segment.transcript_id, Segment.start, Segment.end).where(Segment.transcript_id.in_(shared))
    ):
        if segment not in interviewer:
            ranges[transcript].append((start, end))
    titles = dict(session.execute(select(Transcript.id, Transcript.title).where(Transcript.id.in_(shared))).all())
    repeated = Counter(titles.values())
    names = {t: title if repeated[title] == 1 else f"{title} #{t}" for t, title in titles.items()}
    kept = {transcript: kept_ranges(found) for transcript, found in ranges.items()}
    marked: dict[int, list[tuple[str, str, int, int]]] = {}
    for coder, rows in codings.items():
        for transcript, _, _, _, _, code, start, end in rows:
            if transcript in shared:
                marked.setdefault(transcript, []).append((coder, mapping[code], start, end))
    spans = []
    for transcript, found in marked.items():
        offsets = onto_continuum(np.array([(start, end) for *_, start, end in found]).ravel(), *kept[transcript])
        spans += [Span(names[transcript], coder, code, int(low), int(high))
                  for (coder, code, _, _), low, high in zip(found, offsets[0::2], offsets[1::2], strict=True) if high > low]
    lengths = {names[t]: int((kept[t][1] - kept[t][0]).sum()) for t in sorted(shared, key=lambda t: names[t])}
    return continuum(spans, {name: length for name, length in lengths.items() if length > 0},
                     coders=coders, codes=columns)


def study_unitizing(session: Session, level: str = "theme", coders: tuple[str, str] | None = None,
                    where: UnitFilter = EVERYTHING) -> StudyUnitizing:
    """αu and the uα family of a coder pair's own fragments (DESIGN §4, unitizing)."""
    pair = pick_coders(session, coders)
    data = study_spans(session, pair, level, where)
    return StudyUnitizing(pair, level, data, alpha_u(data), u_alpha(data))
