"""Splitting a speaker turn into segments (sentences) with spaCy.

The pipeline is `spacy.blank("nl")` with rule-based parts only, so it needs no
model download:

1. tokenizer exceptions for Dutch abbreviations that the blank tokenizer splits
   ("jan.", "mw.", "incl.", "z.g.a.n." ...), so their period ends no sentence;
2. `merge_annotations`: transcriber annotations in square brackets ("[pauze]",
   "[onverstaanbaar]", "[00:12:34]") become one token each;
3. the standard `sentencizer`;
4. `interview_boundaries`: an annotation after a sentence end stays with that
   sentence; an ellipsis ends a sentence only before a capital ("ik dacht... nou ja"
   is one sentence); "enz."/"etc." before a capital does end one.

Turns are segmented one by one (never the whole transcript at once), so a segment
can never cross a speaker turn.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy takes seconds to import: only segmenting loads it (see `pipeline`)
    from spacy.language import Language
    from spacy.tokens import Doc

#: Abbreviations whose period must not end a sentence. Words that are also plain
#: Dutch words with a period after them ("zo.", "ma.", "min.") are left out.
ABBREVIATIONS = (
    "a.s. a.u.b. b.v. bijv. blz. bv. ca. d.m.v. d.w.z. e.a. e.d. enz. etc. evt. excl. "
    "gem. i.c.m. i.o.m. i.p.v. i.v.m. incl. jl. m.b.t. m.b.v. m.i. m.n. max. mbt. n.a.v. "
    "nl. nr. o.a. o.b.v. o.i.d. ong. p. resp. s.v.p. t.a.v. t.b.v. t.g.v. t.o.v. t.z.t. "
    "vgl. vnl. vs. z.g.a.n. z.s.m. zgn. "
    "dhr. mevr. mw. mr. dr. drs. ir. ing. prof. "
    "jan. feb. mrt. apr. jun. jul. aug. sep. sept. okt. nov. dec. di. wo. do. vr. za."
).split()
#: Abbreviations that often close a list at the end of a sentence.
LIST_ENDINGS = frozenset({"enz.", "etc.", "e.d.", "e.a.", "o.i.d."})
ANNOTATION = re.compile(r"\[[^\[\]\n]{1,60}\]")
TIMESTAMP = re.compile(r"\d{1,2}:\d{2}")
#: Turns per task sent to a worker process: large enough to amortise the transfer.
PARALLEL_CHUNK = 2000
ELLIPSES = frozenset({"...", "…", "....", ".."})
_NEEDS_RULES = re.compile(r"\[|\.\.|…|(?:enz|etc|e\.d|e\.a|o\.i\.d)\.", re.IGNORECASE)


def merge_annotations(doc: Doc) -> Doc:
    """Make each bracketed annotation a single token so nothing splits inside it."""
    spans = [
        doc.char_span(m.start(), m.end(), alignment_mode="expand")
        for m in ANNOTATION.finditer(doc.text)
    ]
    if not spans:
        return doc
    with doc.retokenize() as retokenizer:
        for span in spans:
            if span is not None and len(span) > 1:
                retokenizer.merge(span)
    return doc


def _starts_upper(text: str) -> bool:
    return text[:1].isupper()


def interview_boundaries(doc: Doc) -> Doc:
    """Adjust the sentencizer's boundaries for spoken Dutch (see module docstring)."""
    if not _NEEDS_RULES.search(doc.text):
        return doc  # most turns: nothing to adjust, skip the walk over every token
    for i in range(1, len(doc)):
        token, previous = doc[i], doc[i - 1]
        if token.is_sent_start and ANNOTATION.fullmatch(token.text) and not TIMESTAMP.search(token.text):
            # "Dat klopt. [pauze] Maar ..." : the pause closes the sentence before it;
            # a timestamp instead opens the sentence that follows it.
            token.is_sent_start = False
            if i + 1 < len(doc):
                doc[i + 1].is_sent_start = True
        elif previous.text in ELLIPSES or previous.text.endswith(("...", "…")):
            token.is_sent_start = _starts_upper(token.text)
        elif previous.text.lower() in LIST_ENDINGS and _starts_upper(token.text):
            token.is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The segmentation pipeline, built once per process (building it takes ~0.3 s)."""
    import spacy
    from spacy.attrs import ORTH
    from spacy.language import Language

    Language.component("merge_annotations", func=merge_annotations)
    Language.component("interview_boundaries", func=interview_boundaries)
    nlp = spacy.blank("nl")
    for abbreviation in ABBREVIATIONS:
        for form in {abbreviation, abbreviation.capitalize()}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    nlp.add_pipe("merge_annotations")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("interview_boundaries")
    return nlp


Span = tuple[int, int]


def sentence_spans(doc: Doc) -> list[Span]:
    """Character spans of the sentences in `doc`, trimmed of surrounding whitespace.

    Reads the sentence starts off the tokens rather than through `doc.sents`,
    which builds a Span per sentence and costs twice as much on short turns.
    """
    if not len(doc):
        return []
    starts = [token.idx for token in doc if token.is_sent_start]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    text = doc.text
    spans = []
    for start, end in zip(starts, starts[1:] + [len(text)], strict=True):
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
    return spans


def _segment_chunk(texts: Sequence[str]) -> list[list[Span]]:
    return [sentence_spans(doc) for doc in pipeline().pipe(texts, batch_size=256)]


def _can_fork() -> bool:
    """Forking is safe only while this process runs a single thread (not, say, the TUI)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def segment_texts(texts: Iterable[str], processes: int = 1) -> Iterator[list[Span]]:
    """Sentence spans for each text (one per turn), in order.

    With `processes` > 1 and more than one chunk of text, chunks go to forked
    worker processes that inherit the built pipeline (no start-up cost) and send
    back only the spans; the caller keeps producing texts (reading files) while
    they work. spaCy's own `n_process` sends whole Docs back and is several times
    slower than one process here.
    """
    iterator = iter(texts)
    first = list(islice(iterator, PARALLEL_CHUNK))
    if len(first) < PARALLEL_CHUNK or processes <= 1 or not _can_fork():
        yield from _segment_chunk(first)
        for doc in pipeline().pipe(iterator, batch_size=256):
            yield sentence_spans(doc)
        return
    yield from _segment_in_workers(first, iterator, processes)


def _segment_in_workers(first: list[str], rest: Iterator[str], processes: int) -> Iterator[list[Span]]:
    pipeline()  # build it before forking, so every worker inherits it
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(_segment_chunk, first)]
        while chunk := list(islice(rest, PARALLEL_CHUNK)):
            futures.append(pool.submit(_segment_chunk, chunk))
        for future in futures:
            yield from future.result()
    finally:
        pool.shutdown(cancel_futures=True)


def segment_text(text: str) -> list[Span]:
    """Sentence spans of one turn's text."""
    return next(segment_texts([text]))
