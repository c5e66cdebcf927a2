"""Fuzzy finding with rapidfuzz: text in a transcript, and codes in the codebook.

Textual's own `Matcher` is meant for short command names and took 80 s over
20,000 fragments; rapidfuzz's `process.extract` does the same in milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from coder.storage.models import Code

#: Below this partial-ratio score (0-100) a segment is not a hit.
TEXT_THRESHOLD = 80


def search_texts(texts: Sequence[str], query: str, threshold: int = TEXT_THRESHOLD) -> list[int]:
    """Indexes of the texts that contain `query` or something close to it, in text order.

    `partial_ratio` scores the best-matching substring, so a word typed with a
    typo still finds the sentence it is in.
    """
    query = query.strip()
    if not query:
        return []
    hits = process.extract(
        query, texts, scorer=fuzz.partial_ratio, processor=utils.default_process,
        score_cutoff=threshold, limit=None,
    )
    return sorted(index for _, _, index in hits)


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
