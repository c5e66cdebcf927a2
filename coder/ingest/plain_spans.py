"""Sentence spans of plain turns, exactly as spaCy's tokenizer and sentencizer set them,
without making a Doc.

Nine turns in ten need none of coder's rules (`segmentation.needs_rules` decides on the
string), so their sentences are the sentencizer's, and its rule is simple: a sentence starts
at the first "word" after a sentence mark, a word being a token that is neither punctuation
nor a mark (a space token is a word), a mark a token that is one of its `punct_chars`.

spaCy's tokenizer cuts a text at whitespace and tokenizes each run of other characters (a
"chunk") on its own; its cache relies on that. A chunk without a mark character holds no
mark token, so only the chunks with one, and the chunk after one, need their tokens. The
tokenizer gives them once per distinct chunk (`PlainSegmenter.tokens`), and everything else
is read off the string: a tenth of the tokenizer's time, and a Doc is never made. What
spaCy's pipeline would give is what a test compares this with, on every shipped text, both
gold sets and generated ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import TYPE_CHECKING

from coder.ingest.segmentation import trimmed

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from coder.ingest.segmentation import Span

#: What the sentencizer makes of a token: a word can start a sentence, a mark ends one, and
#: punctuation does neither.
WORD, PUNCT, MARK = 0, 1, 2
#: Distinct chunks remembered: a long study has some hundred thousand; past this the memory
#: is cleared and filled again.
CACHE = 500_000
_SPACE = re.compile(r"\s*")
_CHUNK = re.compile(r"\S+")
_REST_OF_CHUNK = re.compile(r"\S*")
_UP_TO_LAST_SPACE = re.compile(r".*\s", re.DOTALL)

def _candidates(marks: frozenset[str]) -> re.Pattern[str]:
    """A pattern for every character that may be a mark: the ASCII marks and everything from
    the lowest other one up. Regex scans a range five times faster than the sentencizer's
    hundred-odd marks (mostly from other scripts), and a Dutch text rarely holds a character
    past U+0589 that is not one."""
    ascii_marks = sorted(char for char in marks if char.isascii())
    lowest = min((char for char in marks if not char.isascii()), default=None)
    rare = f"{re.escape(lowest)}-\U0010ffff" if lowest else ""
    return re.compile(f"[{''.join(map(re.escape, ascii_marks))}{rare}]")


#: (offset in the chunk, WORD / PUNCT / MARK) for each of a chunk's tokens.
ChunkTokens = tuple[tuple[int, int], ...]


class PlainSegmenter:
    """The sentencizer's sentences for texts that need no rules, read off the string.

    `tokenizer` must be the pipeline's own (its exceptions decide which periods are tokens of
    their own) and `punct_chars` the sentencizer's.
    """

    def __init__(self, tokenizer: Callable[[str], Doc], punct_chars: Iterable[str]) -> None:
        self._tokenizer = tokenizer
        self._marks = frozenset(punct_chars)
        self._candidate = _candidates(self._marks)
        self._tokens: dict[str, ChunkTokens] = {}

    def tokens(self, chunk: str) -> ChunkTokens:
        """The tokens of one chunk, as the tokenizer cuts it anywhere in a text."""
        found = self._tokens.get(chunk)
        if found is None:
            if len(self._tokens) >= CACHE:
                self._tokens.clear()
            marks = self._marks
            found = tuple((t.idx, MARK if t.text in marks else PUNCT if t.is_punct else WORD)
                          for t in self._tokenizer(chunk))
            self._tokens[chunk] = found
        return found

    def spans(self, text: str) -> list[Span]:
        """The character spans of `text`'s sentences, trimmed of whitespace."""
        bounds = [0, *self._starts(text), len(text)]
        return [span for start, end in pairwise(bounds) if (span := trimmed(text, start, end))]

    def _starts(self, text: str) -> list[int]:
        """Where each sentence after the first starts: the offset of the first word after a mark."""
        starts: list[int] = []
        pending, position = False, 0  # `pending`: a mark seen, no word after it yet
        while True:
            if pending:
                pending, position = self._word_after(text, position, starts)
                if pending and position == len(text):
                    return starts
            mark = self._next_mark(text, position)
            if mark is None:
                return starts
            start, position = self._chunk_around(text, position, mark)
            for offset, kind in self.tokens(text[start:position]):
                if kind == MARK:
                    pending = True
                elif pending and kind == WORD:
                    starts.append(start + offset)
                    pending = False

    def _next_mark(self, text: str, position: int) -> int | None:
        """Where the first mark character at or after `position` is, if any."""
        while candidate := self._candidate.search(text, position):
            if candidate.group() in self._marks:
                return candidate.start()
            position = candidate.end()
        return None

    @staticmethod
    def _chunk_around(text: str, position: int, i: int) -> tuple[int, int]:
        """Start and end of the chunk holding character `i`, which starts at or after `position`
        (a regex that finds whole chunks with a mark scans five times slower than one that finds
        the mark)."""
        before = _UP_TO_LAST_SPACE.match(text, position, i)
        return (before.end() if before else position), _REST_OF_CHUNK.match(text, i).end()

    def _word_after(self, text: str, position: int, starts: list[int]) -> tuple[bool, int]:
        """Find the word after a mark that ends a chunk at `position`, up to the next chunk
        with a mark; add its offset to `starts`. Returns whether a mark is still pending and
        where the search stopped."""
        while True:
            gap_end = _SPACE.match(text, position).end()
            if gap_end > position and text[position:gap_end] != " ":  # a space token is a word
                starts.append(gap_end)
                return False, gap_end
            position = gap_end
            if text[position : position + 1].isalnum():  # the chunk's first token holds it: a word
                starts.append(position)
                return False, position
            chunk = _CHUNK.match(text, position)
            if chunk is None or self._next_mark(chunk.group(), 0) is not None:
                return True, position
            for offset, kind in self.tokens(chunk.group()):
                if kind == WORD:
                    starts.append(position + offset)
                    return False, chunk.end()
            position = chunk.end()
