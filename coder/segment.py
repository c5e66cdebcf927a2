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

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.attrs import ORTH
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
ELLIPSES = frozenset({"...", "…", "....", ".."})


@Language.component("merge_annotations")
def merge_annotations(doc: Doc) -> Doc:
    """Make each bracketed annotation a single token so nothing splits inside it."""
    spans = [
        doc.char_span(m.start(), m.end(), alignment_mode="expand")
        for m in ANNOTATION.finditer(doc.text)
    ]
    with doc.retokenize() as retokenizer:
        for span in spans:
            if span is not None and len(span) > 1:
                retokenizer.merge(span)
    return doc


def _starts_upper(text: str) -> bool:
    return text[:1].isupper()


@Language.component("interview_boundaries")
def interview_boundaries(doc: Doc) -> Doc:
    """Adjust the sentencizer's boundaries for spoken Dutch (see module docstring)."""
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
    """Character spans of the sentences in `doc`, trimmed of surrounding whitespace."""
    spans = []
    text = doc.text
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


def segment_texts(texts: Iterable[str], batch_size: int = 256) -> Iterator[list[Span]]:
    """Sentence spans for each text (one per turn), streamed through `nlp.pipe`."""
    for doc in pipeline().pipe(texts, batch_size=batch_size):
        yield sentence_spans(doc)


def segment_text(text: str) -> list[Span]:
    """Sentence spans of one turn's text."""
    return next(segment_texts([text]))
