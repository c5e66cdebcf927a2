"""Finding text in transcripts, and codes in the codebook.

Text: exact words and word starts first ("ouders" finds "ouders" and "ouderschap", never
"moment" for "moeder"), case- and diacritics-insensitive; fuzzy (rapidfuzz) only when the
query asks for it with a leading `~`, or when nothing matches exactly, and then the result
says so. A researcher must be able to trust that a hit contains what they typed.

Codes: fuzzy, as a picker should be. Textual's own `Matcher` is meant for short command
names and took 80 s over 20,000 fragments; rapidfuzz's `process.extract` does the same in
milliseconds.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select
from sqlmodel import Session

from coder.coding.queries import transcript_ids, with_speaker
from coder.storage.models import Code, Participant, Segment, Transcript

#: Below this partial-ratio score (0-100) a segment is not a fuzzy hit.
TEXT_THRESHOLD = 80
#: A query that starts with this asks for fuzzy hits (typos, spelling variants).
FUZZY_PREFIX = "~"
#: The combining diacritical marks that accented Latin letters decompose into (NFKD).
_COMBINING = re.compile("[\u0300-\u036f]")
#: Between texts searched as one string: in no transcript, and no word character.
_SEPARATOR = "\x00"


@dataclass(frozen=True)
class TextHits:
    """The indexes of the texts a query found, in text order, and whether they are fuzzy.

    `describe` bisects them, as the status line asks on every cursor move and a short
    word has thousands of hits in a long interview."""

    query: str
    indexes: list[int]
    fuzzy: bool = False

    def describe(self, current: int | None = None) -> str:
        """What the status line says: "hit 2 of 7 for “ouders”" with `current` the second
        hit, else the count; and that the hits are fuzzy when they are."""
        if not self.indexes:
            return f"no hits for “{self.query}”"
        count = len(self.indexes)
        where = bisect_left(self.indexes, current) if current is not None else count
        if where < count and self.indexes[where] == current:
            said = f"hit {where + 1} of {count}"
        else:
            said = f"{count} {'hit' if count == 1 else 'hits'}"
        return f"{said} for “{self.query}”" + (" (fuzzy: nothing matched exactly)" if self.fuzzy else "")


def fold(text: str) -> str:
    """`text` lower-cased and without diacritics ("Één" -> "een"), so "ideeen" finds "ideeën".

    The marks are taken off with one regular expression over the decomposed text (the
    combining block that Latin letters' accents decompose into), not char by char."""
    text = text.casefold()
    return text if text.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def phrase_pattern(query: str) -> re.Pattern[str] | None:
    """The folded query's words in order, any white space between them; the last word may
    go on ("ouders" matches "ouderschap"). None for an empty query. Where a match starts
    is checked apart (`_at_word_start`): a look-behind in the pattern makes the regular
    expression engine try every position and costs three times as much."""
    words = fold(query).split()
    return re.compile(r"\s+".join(re.escape(word) for word in words)) if words else None


def _at_word_start(text: str, start: int) -> bool:
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")


def exact_hits(texts: Sequence[str], query: str) -> list[int]:
    """Indexes of the texts with the query's words at a word start, in text order
    ("ouders" finds "ouders" and "ouderschap", not "grootouders").

    The texts are folded and searched as one string, so that 100,000 segments cost one
    pass in C rather than one Python call each; a match cannot cross from one text into
    the next, as the separator is neither a word character nor white space."""
    pattern = phrase_pattern(query)
    if pattern is None or not texts:
        return []
    whole = fold(_SEPARATOR.join(texts))
    ends = [match.start() for match in re.finditer(_SEPARATOR, whole)]
    return list(dict.fromkeys(bisect_left(ends, match.start()) for match in pattern.finditer(whole)
                              if _at_word_start(whole, match.start())))


def in_context(text: str, query: str, width: int) -> str:
    """`text` on one line in at most `width` characters from a third of the width before the
    query's first word-start match, "…" where cut: a list of hits then shows the word
    searched for near its left, however deep in a long sentence it is and however much
    of the line a narrow table cuts on the right."""
    text = " ".join(text.split())
    pattern, folded = phrase_pattern(query.removeprefix(FUZZY_PREFIX)), fold(text)
    found = next((m.start() for m in pattern.finditer(folded) if _at_word_start(folded, m.start())), 0) if pattern else 0
    # From the start when the word is in the first half anyway, or when folding moved the offsets.
    start = found - width // 3 if found > width // 2 and len(folded) == len(text) else 0
    shown = ("…" if start else "") + text[start + bool(start):start + width]
    return shown[: width - 1] + "…" if start + width < len(text) else shown


def fuzzy_hits(texts: Sequence[str], query: str, threshold: int = TEXT_THRESHOLD) -> list[int]:
    """Indexes of the texts that contain `query` or something close to it, in text order.

    `partial_ratio` scores the best-matching substring, so a word typed with a typo
    still finds the sentence it is in (and "moeder" finds "moment": hence only when asked).
    """
    query = query.strip()
    if not query:
        return []
    hits = process.extract(
        query, texts, scorer=fuzz.partial_ratio, processor=utils.default_process,
        score_cutoff=threshold, limit=None,
    )
    return sorted(index for _, _, index in hits)


def search_texts(texts: Sequence[str], query: str) -> TextHits:
    """Exact hits for `query`; fuzzy ones for `~query`, or when nothing matches exactly."""
    query = query.strip()
    asked = query.startswith(FUZZY_PREFIX)
    words = query.removeprefix(FUZZY_PREFIX).strip()
    if not asked:
        exact = exact_hits(texts, words)
        if exact or not words:
            return TextHits(query, exact)
    return TextHits(query, fuzzy_hits(texts, words), fuzzy=True)


def code_search_text(code: Code, parent: Code | None = None) -> str:
    """What the code picker matches a code by: names, definition, criteria, examples."""
    examples = " ".join(json.loads(code.examples or "[]"))
    parts = [code.name, code.name_en or "", code.code_id, parent.name if parent else "",
             code.definition, code.include, examples]
    return " ".join(part for part in parts if part)


def search_codes(codes: Sequence[Code], query: str, limit: int = 20) -> list[Code]:
    """Codes best matching `query`, best first; a name match beats a definition match."""
    query = query.strip()
    if not query:
        return list(codes)
    by_id = {code.id: code for code in codes}
    names = [f"{code.name} {code.name_en or ''} {code.code_id}" for code in codes]
    texts = [code_search_text(code, by_id.get(code.parent_id)) for code in codes]
    scores: dict[int, float] = {}
    for choices, weight in ((names, 1.0), (texts, 0.8)):
        for _, score, index in process.extract(
            query, choices, scorer=fuzz.partial_ratio, processor=utils.default_process, limit=None,
            score_cutoff=50,
        ):
            scores[index] = max(scores.get(index, 0.0), score * weight)
    ranked = sorted(scores, key=lambda index: (-scores[index], index))
    return [codes[index] for index in ranked[:limit]]


@dataclass(frozen=True)
class StudyHit:
    """A segment a study-wide search found: where it is, who speaks it, what it says."""

    transcript_id: int
    title: str
    position: int
    speaker: str
    text: str


@dataclass(frozen=True)
class StudySearch:
    """Every segment of the study a query found, in the order the study screen lists
    transcripts; `hits` says how many and whether they are fuzzy."""

    hits: TextHits
    found: list[StudyHit]


def search_study(session: Session, query: str) -> StudySearch:
    """Search every transcript's text at once, so exact-before-fuzzy holds for the study.

    Only text and speakers are read, never a coding: what a blind second coder finds here
    they can read in the transcript already."""
    order = {transcript_id: rank for rank, transcript_id in enumerate(transcript_ids(session))}
    rows = sorted(session.execute(
        with_speaker(select(Segment.transcript_id, Segment.position, Segment.start, Segment.end, Participant.label))
    ).all(), key=lambda row: (order.get(row[0], len(order)), row[1]))
    texts = dict(session.execute(select(Transcript.id, Transcript.text)).all())
    titles = dict(session.execute(select(Transcript.id, Transcript.title)).all())
    segments = [StudyHit(tid, titles[tid], position, label, texts[tid][start:end])
                for tid, position, start, end, label in rows]
    hits = search_texts([segment.text for segment in segments], query)
    return StudySearch(hits, [segments[index] for index in hits.indexes])
