"""Sentence spans of plain turns, many Docs at once, exactly as spaCy's sentencizer sets them.

Nine turns in ten need none of coder's rules (`segmentation.needs_rules` decides on the
string), so their sentences are the sentencizer's. The sentencizer walks each Doc in Python,
making a Token object per token, which costs a third of the bare pipeline, and reading the
spans back costs as much again. Here its rule runs on the token arrays of a whole batch of
Docs in a few numpy operations, and the spans are read off the same arrays: per Doc there is
one `to_array` call and no Python loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from coder.ingest.segmentation import Span


@lru_cache(maxsize=1)
def attributes() -> list[int]:
    """The token attributes `plain_spans` reads, in the order of `Doc.to_array`'s columns."""
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, ORTH

    return [ORTH, IS_PUNCT, IS_SPACE, IDX, LENGTH]


def mark_hashes(punct_chars: Iterable[str]) -> np.ndarray:
    """The sentencizer's `punct_chars` as the ORTH hashes `plain_spans` compares tokens with."""
    from spacy.strings import hash_string

    return np.array(sorted(hash_string(char) for char in punct_chars), dtype=np.uint64)


def _sentence_starts(orth: np.ndarray, punct: np.ndarray, first: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Which tokens start a sentence, by the rule of spaCy 3.8's `Sentencizer.predict`.

    A Doc's first token starts one; so does every token that is neither punctuation nor a
    sentence mark (a "word"; a space token is one) when a sentence mark stands between it and
    the word before it in its Doc, or the Doc's start. `first` flags each Doc's first token.
    """
    found = np.searchsorted(marks, orth)  # `marks` is sorted; faster than np.isin
    is_mark = marks[np.minimum(found, len(marks) - 1)] == orth
    words = np.flatnonzero((punct == 0) & ~is_mark)
    seen = np.cumsum(is_mark)  # marks up to and including each token
    before = np.empty_like(seen[words])
    before[1:] = seen[words[:-1]]  # marks up to the word before, in any Doc
    doc_start = np.maximum.accumulate(np.where(first, np.arange(len(first)), 0))[words]
    opens_doc = np.ones(len(words), dtype=bool)
    opens_doc[1:] = words[:-1] < doc_start[1:]
    before[opens_doc] = (seen - is_mark)[doc_start[opens_doc]]  # marks before the Doc
    starts = first.copy()
    starts[words[seen[words] > before]] = True
    return starts


def plain_spans(arrays: Sequence[np.ndarray], marks: np.ndarray) -> list[list[Span]]:
    """For each Doc's `attributes()` array, the character spans of its sentences trimmed of space
    tokens: `segmentation.sentence_spans` after the sentencizer with `marks` (see `mark_hashes`).

    The caller keeps each Doc's array, not the Doc: a batch of live Docs would double the
    tokenizer's time (its memory is then fresh rather than reused).
    """
    lengths = np.array([len(array) for array in arrays], dtype=np.intp)
    if not lengths.sum():
        return [[] for _ in arrays]
    orth, punct, space, idx, length = np.concatenate(arrays).T
    offsets = np.cumsum(lengths) - lengths
    first = np.zeros(len(orth), dtype=bool)
    first[offsets[lengths > 0]] = True
    sentence = np.cumsum(_sentence_starts(orth, punct, first, marks))
    kept = np.flatnonzero(space == 0)
    if not len(kept):
        return [[] for _ in arrays]
    of_kept = sentence[kept]
    change = np.flatnonzero(of_kept[1:] != of_kept[:-1])
    heads = kept[np.concatenate(([0], change + 1))]
    tails = kept[np.concatenate((change, [len(kept) - 1]))]
    doc_of = np.searchsorted(offsets, heads, side="right") - 1
    ends = (idx[tails] + length[tails]).tolist()
    pairs = list(zip(idx[heads].tolist(), ends, strict=True))
    bounds = np.cumsum(np.bincount(doc_of, minlength=len(arrays))).tolist()
    return [pairs[a:b] for a, b in zip([0, *bounds[:-1]], bounds, strict=True)]
