"""The shortcut for plain turns gives what the full rules give (issue 18, point 4).

`segment_texts` runs coder's rules only on a turn that `needs_rules` says could use them,
and reads the others' sentences off the string (`plain_spans`). Here every text also goes
through the whole pipeline, every rule on every turn: if a rule reacts to something the
shortcut's check misses, or the string reading cuts where spaCy's tokenizer and sentencizer
would not, the spans differ on some text and this fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.segmentation_f1 import read_conllu
from coder.ingest.segmentation import build_pipeline, needs_rules, pipeline, segment_texts, sentence_spans
from coder.ingest.transcript_formats import read_transcript
from tests.test_segmentation_quality import turn_gold

TRANSCRIPTS = sorted((Path(__file__).resolve().parent.parent / "transcripts").glob("*.txt"))
#: Texts at the edges of the sentencizer's rule and of the arrays: empty, only spaces,
#: marks before the first word, runs of spaces, a space token after a mark, no mark at all.
EDGES = [
    "", " ", "   \n  ", ".", "?!", "... ja", "? Ja. Nee", "Ja.  Nee.", "Ja.\n\nNee", "Ja .Nee",
    "zonder punt", "Eén woord", "Ja. ", " Ja.", "Nou, ja; goed: prima", "Wat?Nee!", "1. 2. 3.",
    "Hij zei: \"Ja.\" Toen", "Ja.\tNee.", "Ja (of nee). Goed", "Ja! - Nee", "Dat is 't. Ja",
]


def full_rules(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Every text through the whole pipeline: every rule, whether the text needs it or not."""
    return [sentence_spans(doc) for doc in pipeline().pipe(texts)]


def transcript_turns() -> list[str]:
    parsed = [read_transcript(path) for path in TRANSCRIPTS]
    return [p.text[t.start : t.end] for p in parsed for t in p.turns]


TEXTS = [
    pytest.param(transcript_turns, id="shipped transcripts"),
    pytest.param(lambda: [gold.text for gold in turn_gold()], id="own gold turns"),
    pytest.param(lambda: [gold.text for gold in read_conllu()], id="LassySmall dev paragraphs"),
    pytest.param(lambda: [gold.text for gold in read_conllu(by_document=True)], id="LassySmall dev documents"),
    pytest.param(lambda: EDGES, id="edges"),
]


@pytest.mark.parametrize("texts", TEXTS)
def test_the_shortcut_gives_the_full_rules_spans(texts):
    texts = texts()
    assert list(segment_texts(texts)) == full_rules(texts)


@pytest.mark.parametrize("texts", TEXTS)
def test_the_word_attributes_left_out_change_no_sentence(texts):
    """The pipeline's words get only the attributes its rules read (`LEXEME_ATTRIBUTES`); with
    all of spaCy's, every rule acts alike."""
    texts = texts()
    every = build_pipeline(every_attribute=True)
    assert full_rules(texts) == [sentence_spans(doc) for doc in every.pipe(texts)]


def test_the_shortcut_is_taken_for_most_turns():
    """Else the test above would compare the full rules with themselves."""
    turns = transcript_turns()
    assert sum(not needs_rules(text) for text in turns) > len(turns) / 2


#: Pieces of text at the edges of the tokenizer and the sentencizer: every kind of mark,
#: abbreviations and exceptions that hold a period, brackets and quotes, digits, Unicode
#: spaces (a space token unless it is one plain space) and marks of other scripts.
PIECES = [
    "Ja", "nee", "Jan", "O.J.", "bijv.", "enz.", "dr.", "'t", "3.5", "1.", "www.x.nl", "e-mail", "café",
    ".", "?", "!", "?!", "...", "…", ",", ";", ":", "(", ")", '"', "'", "-", "«", "»", "„", "”", "’",
    "।", "。", "！", "؟", "_", "§", "%", "€5", "[", "]", "]]", "[pauze]", "[00:12:34]", "[?]",
    " ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u3000",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_the_shortcut_gives_the_full_rules_spans_on_generated_texts(text):
    assert list(segment_texts([text])) == full_rules([text])


def test_plain_texts_in_one_batch_keep_their_own_sentences():
    """`plain_spans` reads a batch of Docs as one array: a mark at one Doc's end must not make
    a sentence start in the next, nor an empty Doc shift the ones after it."""
    texts = ["Ja.", "nee", "", "Nou", "   ", "Goed. Prima"]
    assert list(segment_texts(texts)) == [[(0, 3)], [(0, 3)], [], [(0, 3)], [], [(0, 5), (6, 11)]]
