"""Splitting a speaker turn into segments (sentences) with spaCy.

The pipeline is `spacy.blank("nl")` with rule-based parts only, so it needs no
model download:

1. tokenizer exceptions for Dutch abbreviations that the blank tokenizer splits
   ("jan.", "mw.", "incl.", "z.g.a.n." ...), so their period ends no sentence;
2. `merge_annotations`: transcriber annotations in square brackets ("[pauze]",
   "[onverstaanbaar]", "[00:12:34]") become one token each;
3. the standard `sentencizer`;
4. `interview_boundaries`: an annotation after a sentence end stays with that
   sentence, and so does a stage direction such as "(lacht)"; an ellipsis, also
   "(...)", ends a sentence only before a capital ("ik dacht... nou ja" is one
   sentence); "enz."/"etc." and a unit after a number ("1.40 m.") before a capital do
   end one; a blank line always ends one; and quotes, brackets and dashes after a
   sentence end go where a Dutch reader puts them (see `_quote_boundary`).

spaCy's own Dutch exceptions come from legal abbreviations, and some are plain Dutch
words ("al.", "dat.", "vol.", "u."), so their period would end no sentence; the
pipeline drops those (`PLAIN_WORDS`).

Turns are segmented one by one (never the whole transcript at once), so a segment
can never cross a speaker turn.

Nine turns in ten hold nothing the rules react to, and `needs_rules` tells so from the
string: its sentences are read off the string, as spaCy's tokenizer and sentencizer would
set them, without making a Doc (`plain_spans`). The other turns go through every component.
A test holds the two ways equal on the shipped transcripts, the gold sets and generated
texts, so a rule the check misses fails it.

The work per turn is bounded, whatever the file holds (see `_pieces`): spaCy's tokenizer
peels marks off a word one at a time and rescans the rest, so its time grows faster than
the square of a word's length (2,000 "(" in a row take a second, 40,000 minutes). A word
longer than `MAX_WORD` is therefore cut into segments of its own without spaCy, a turn
longer than `MAX_PIECE` is segmented in pieces, and a sentence longer than `MAX_SEGMENT`
is cut at a space.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy takes seconds to import: only segmenting loads it (see `pipeline`)
    from spacy.language import Language
    from spacy.tokens import Doc

    from coder.ingest.plain_spans import PlainSegmenter

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
BLANK_LINE = re.compile(r"\n\s*\n")
UNIT = re.compile(r"[mgl]\.")  # metre, gram, litre; not "v." as in "40 v. Chr."
#: The longest segment: a run this long without a sentence end is cut at its last space before
#: it. 2,000 characters are some 300 spoken words, over three times the longest sentence in
#: UD Dutch LassySmall (570); a longer run is a transcript without punctuation, which a coder
#: could not select in parts otherwise.
MAX_SEGMENT = 2000
#: The longest word handed to spaCy: Dutch compounds and web addresses stay far below it, and
#: below it spaCy takes a millisecond a word however many marks it holds.
MAX_WORD = 200
#: The longest text handed to spaCy at once (its own limit is 1,000,000 characters); a longer
#: turn is segmented in pieces cut at a line break or a space.
MAX_PIECE = 100_000
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")
_SPACES = " \t\n"
ELLIPSES = frozenset({"...", "…", "....", ".."})
#: Words in spaCy's Dutch abbreviation list that are, far more often, a plain Dutch word
#: (or a unit, which Dutch writes without a period) before a sentence's final period:
#: "Ik ben er al.", "Dan dat.", "Dank u.", "Het zat vol.", "10 kg.".
PLAIN_WORDS = frozenset(
    "al app bel best dat ex hand kon mand me min pan pas pers red top u ver vol kg gr".split()
)
#: Characters of a token that ends a sentence (".", "?", "!?", "...").
TERMINAL_CHARS = frozenset(".?!…‼⁇⁈⁉")
#: Marks that open a quote or an aside, so they begin the sentence they stand before:
#: Dutch newspapers open a quote with ",," (and close it with "''"); after a sentence
#: end a dash opens the next line of dialogue ("Kom je? - Ja.").
OPENING_MARKS = frozenset({"(", "[", "{", "«", "„", "‚", ",,", "“", "‘", "`", "``", "-", "–", "—"})
#: Marks that close a quote or an aside (straight quotes are either: see `_opens`).
CLOSING_MARKS = frozenset({")", "]", "}", "»", "”", "’", "''", '"', "'"})
#: Punctuation after a sentence-final mark that shows the sentence goes on:
#: ",,Nee!'', riep hij." and "Groen!: 8 zetels".
CONTINUING_MARKS = frozenset({",", ";", ":"})
#: Whether a text needs `interview_boundaries` at all, decided on the string. Every
#: branch begins at one of a few characters, so the pattern starts with that set and
#: the regex engine skips straight to them (ten times faster than plain alternatives).
_NEEDS_RULES = re.compile(
    r"[\[\n.?!…]"
    r"(?:(?<=[\[…])"  # an annotation or an ellipsis
    r"|(?<=\n)\s*\n"  # a blank line
    r"|(?<=\.)\."  # ".."
    r"|(?<=[.?!])\s*[^\w\s]"  # a sentence end before a quote, bracket or comma
    r"|(?<=[?!])\s+[a-zß-öø-ÿ]"  # a question or exclamation that goes on in lower case
    r"|(?<=(?i:enz|etc|e\.d|e\.a)\.)|(?<=(?i:o\.i\.d)\.)"  # list endings
    r"|(?<=\d[mgl]\.)\s+[A-Z]|(?<=\d [mgl]\.)\s+[A-Z]"  # a unit after a number, then a capital
    r")"
)


class _TextKeepingTokenizer:
    """spaCy's tokenizer, leaving each text on its Doc (`user_data["text"]`).

    `Doc.text` rebuilds the text token by token in Python, which costs as much as the
    sentencizer on a long turn; the rules read the text the tokenizer was given instead.
    """

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data["text"] = text
        return doc


def _text(doc: Doc) -> str:
    return doc.user_data.get("text") or doc.text


def merge_annotations(doc: Doc) -> Doc:
    """Make each bracketed annotation a single token so nothing splits inside it."""
    text = _text(doc)
    if "[" not in text:
        return doc
    from spacy.util import filter_spans

    spans = [doc.char_span(m.start(), m.end(), alignment_mode="expand") for m in ANNOTATION.finditer(text)]
    # two annotations that share a token ("[x]][y]": "]]" is one) would overlap once expanded to
    # whole tokens, which the retokenizer refuses: the longer is merged, the other left as it is
    spans = filter_spans([span for span in spans if span is not None and len(span) > 1])
    if not spans:
        return doc
    with doc.retokenize() as retokenizer:
        for span in spans:
            retokenizer.merge(span)
    return doc


def _starts_upper(text: str) -> bool:
    return text[:1].isupper()


def _is_terminal(text: str) -> bool:
    return all(char in TERMINAL_CHARS for char in text)


def _is_ellipsis(text: str) -> bool:
    return text in ELLIPSES or text.endswith(("...", "…"))


def _opens(doc: Doc, i: int, run_start: int) -> bool:
    """Whether token `i`, a quote or bracket in a run of marks from `run_start`, opens a quote.

    A straight quote opens when a space comes before it and none after ('zei: "Ik');
    of two alike in one run the first closes and the second opens ('geluk. " " Het'); with spaces on both
    sides (' " ', as some corpora write it) the double quotes pair up in order, so an
    even number of them before it means it opens.
    """
    text = doc[i].text
    if text in OPENING_MARKS:
        return True
    if text not in {'"', "'"}:
        return False
    if any(doc[j].text == text for j in range(run_start, i)):
        return True
    if i + 1 < len(doc) and doc[i + 1].text == text:
        return False
    spaced_before = bool(doc[i - 1].whitespace_)
    spaced_after = bool(doc[i].whitespace_) or i + 1 == len(doc)
    if spaced_before != spaced_after:
        return spaced_before
    return text == '"' and spaced_before and sum(t.text == '"' for t in doc[:i]) % 2 == 0


def _stage_direction_end(doc: Doc, opening: int) -> int | None:
    """The token after a stage direction such as "(lacht)" opening at `opening`, else None.

    A short aside in round brackets that starts in lower case and holds no sentence end
    ("(lacht)", "(stilte)", "(zie bijlage 2)") belongs to the sentence before it, as a
    "[pauze]" annotation does; "(Haar naam noem ik niet.)" is a sentence of its own.
    """
    if doc[opening].text != "(" or opening + 1 == len(doc) or not doc[opening + 1].text[:1].islower():
        return None
    for j in range(opening + 1, min(opening + 8, len(doc))):
        if doc[j].text == ")":
            return j + 1
        if _is_terminal(doc[j].text) or doc[j].text == "(":
            return None
    return None


def _is_unit(doc: Doc, i: int) -> bool:
    """Whether token `i` is a one-letter unit after a number ("1.40 m.", "5 g."), not an initial."""
    return i > 0 and UNIT.fullmatch(doc[i].text) is not None and doc[i - 1].like_num


def _quote_boundary(doc: Doc, i: int) -> None:
    """Move a sentencizer boundary at token `i` to where a Dutch reader puts it.

    The sentencizer keeps every punctuation mark after a sentence end with that
    sentence. Closing quotes and brackets do belong there, but an opening one begins
    the next sentence ("... 1989. « Weg met ons? »", "... gezegd. ,,Ik ..."); a comma or
    colon among them shows the sentence goes on ("Nee!'', riep hij."); and after a
    question or exclamation a lower-case word goes on with it ("'Kom je?' vroeg ze.",
    "(gelaatstrekken van Ensor?) op een ezel").
    """
    end = i - 1
    while end > 0 and i - end <= 4 and doc[end].is_punct and not _is_terminal(doc[end].text):
        end -= 1
    if not _is_terminal(doc[end].text):
        return
    trailing = range(end + 1, i)
    if any(doc[j].text in CONTINUING_MARKS for j in trailing):
        doc[i].is_sent_start = False
        return
    opening = next((j for j in trailing if _opens(doc, j, end + 1)), None)
    if opening is not None:
        doc[i].is_sent_start = False
        direction_end = _stage_direction_end(doc, opening)
        if direction_end is None:
            doc[opening].is_sent_start = True
        elif direction_end < len(doc):
            doc[direction_end].is_sent_start = True
    elif doc[end].text[-1] in "?!" and doc[i].text[:1].islower():
        doc[i].is_sent_start = False


@lru_cache(maxsize=1)
def _mark_hashes() -> dict[str, frozenset[int]]:
    """Hashes (spaCy's ORTH ids) of the tokens after which a rule may move a boundary."""
    from spacy.strings import hash_string

    def hashes(forms: Iterable[str]) -> frozenset[int]:
        return frozenset(hash_string(variant) for form in forms for variant in (form, form.capitalize(), form.upper()))

    return {
        "ellipses": hashes([*ELLIPSES, "....."]),
        "words": hashes([*LIST_ENDINGS, "m.", "g.", "l."]),
        "plain ends": hashes([".", "?", "!"]),
        "questions": hashes(["?", "!"]),
        "bracket": hashes(["["]),
    }


def _candidates(doc: Doc) -> list[int]:
    """Tokens whose sentence start a rule may change, read off one array of token attributes.

    They are: sentence starts after a mark other than a bare ".", "?" or "!" (quotes,
    brackets), or after "?" or "!" in lower case, or that are an annotation; the few
    tokens after an ellipsis (past closing quotes); the token after a list ending or a
    unit; and the token after a space that holds a blank line. A plain "Zo. Ja." has
    none. Plain ints from the array cost a fraction of spaCy's Token objects.
    """
    from spacy.attrs import IS_PUNCT, IS_SPACE, LOWER, ORTH, PREFIX, SENT_START

    marks = _mark_hashes()
    ellipses, words, plain, questions, bracket = (
        marks[k] for k in ("ellipses", "words", "plain ends", "questions", "bracket"))
    rows = doc.to_array([SENT_START, IS_PUNCT, IS_SPACE, ORTH, LOWER, PREFIX]).tolist()
    found: set[int] = set()
    previous_punct, previous_orth = 0, 0
    for i, (start, punct, space, orth, lower, prefix) in enumerate(rows):
        if i and start == 1 and (
            (previous_punct and previous_orth not in plain)
            or (previous_orth in questions and lower == orth)
            or prefix in bracket
        ):
            found.add(i)
        if orth in ellipses:
            found.update((i + 1, i + 2, i + 3))
        elif space or orth in words:
            found.add(i + 1)
        previous_punct, previous_orth = punct, orth
    return sorted(i for i in found if 0 < i < len(rows))


def needs_rules(text: str) -> bool:
    """Whether coder's rules (`merge_annotations`, `interview_boundaries`) could change the
    sentencizer's sentences in `text`: nine turns in ten they cannot, and skip them."""
    return _NEEDS_RULES.search(text) is not None


def interview_boundaries(doc: Doc) -> Doc:
    """Adjust the sentencizer's boundaries for spoken Dutch (see module docstring)."""
    for i in _candidates(doc):
        token = doc[i]
        if doc[i - 1].is_space and BLANK_LINE.search(doc[i - 1].text):
            token.is_sent_start = True  # a paragraph ends every sentence in it, heading or not
            continue
        last = i - 1  # the last word or mark before `token`, looking past closing quotes
        while last > 0 and i - last <= 3 and doc[last].text in CLOSING_MARKS:
            last -= 1
        previous = doc[last]
        if token.is_sent_start and ANNOTATION.fullmatch(token.text) and not TIMESTAMP.search(token.text):
            # "Dat klopt. [pauze] Maar ..." : the pause closes the sentence before it;
            # a timestamp instead opens the sentence that follows it.
            token.is_sent_start = False
            if i + 1 < len(doc):
                doc[i + 1].is_sent_start = True
        elif _is_ellipsis(previous.text):
            # "Hij is een vernieuwer (...) We ..." and 'zei ze: "Nou..." Daarna' alike
            token.is_sent_start = _starts_upper(token.text)
        elif _starts_upper(token.text) and (doc[i - 1].text.lower() in LIST_ENDINGS or _is_unit(doc, i - 1)):
            token.is_sent_start = True
        elif token.is_sent_start and doc[i - 1].is_punct:
            _quote_boundary(doc, i)
    return doc


#: The word attributes the components read (`_candidates`, `_is_unit`, `_quote_boundary`,
#: the sentencizer): spaCy works out all 21 of its own for each word it meets the first
#: time, in Python, which was a fifth of segmenting a new `coder import`'s first 10,000 words.
LEXEME_ATTRIBUTES = ("LOWER", "PREFIX", "IS_PUNCT", "IS_SPACE", "LIKE_NUM")


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The segmentation pipeline, built once per process (building it takes ~0.3 s)."""
    return build_pipeline()


def build_pipeline(every_attribute: bool = False) -> Language:
    """A new segmentation pipeline; its words get only `LEXEME_ATTRIBUTES` unless
    `every_attribute` (which a test compares it with)."""
    import spacy
    from spacy.attrs import IDS, ORTH
    from spacy.language import Language

    Language.component("merge_annotations", func=merge_annotations)
    Language.component("interview_boundaries", func=interview_boundaries)
    nlp = spacy.blank("nl")
    if not every_attribute:
        kept = {IDS[name] for name in LEXEME_ATTRIBUTES}
        nlp.vocab.lex_attr_getters = {attr: get for attr, get in nlp.vocab.lex_attr_getters.items() if attr in kept}
    nlp.tokenizer.rules = {
        form: tokens
        for form, tokens in nlp.tokenizer.rules.items()
        if not (form.count(".") == 1 and form.endswith(".") and form[:-1].lower() in PLAIN_WORDS)
    }
    for apostrophe in "'’":  # "Dat is 't." : "'t" is a word, and its period ends the sentence
        nlp.tokenizer.add_special_case(f"{apostrophe}t.", [{ORTH: f"{apostrophe}t"}, {ORTH: "."}])
    for abbreviation in ABBREVIATIONS:
        for form in {abbreviation, abbreviation.capitalize()}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    nlp.tokenizer = _TextKeepingTokenizer(nlp.tokenizer)
    nlp.add_pipe("merge_annotations")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("interview_boundaries")
    return nlp


Span = tuple[int, int]


def sentence_spans(doc: Doc) -> list[Span]:
    """Character spans of the sentences in `doc`, trimmed of surrounding whitespace.

    Reads the sentence starts off one array rather than through `doc.sents`, which
    builds a Span per sentence, or token by token, which costs as much as the
    sentencizer; whitespace is whole tokens in spaCy, so trimming skips space tokens.
    """
    from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START

    if not len(doc):
        return []
    array = doc.to_array([SENT_START, IS_SPACE, IDX, LENGTH]).tolist()
    starts = [i for i, row in enumerate(array) if row[0] == 1]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    spans = []
    for first, end in zip(starts, starts[1:] + [len(array)], strict=True):
        last = end - 1
        while first <= last and array[first][1]:
            first += 1
        while last >= first and array[last][1]:
            last -= 1
        if first <= last:
            spans.append((array[first][2], array[last][2] + array[last][3]))
    return spans


def _cut(text: str, start: int, end: int, limit: int, spaces: str = _SPACES) -> Iterator[int]:
    """Where to cut `text[start:end]` into runs of at most `limit` characters: at the last of
    `spaces` in each run, else hard at the limit."""
    while end - start > limit:
        space = max((text.rfind(space, start + 1, start + limit + 1) for space in spaces), default=-1)
        start = space if space > start else start + limit
        yield start


def _pieces(text: str) -> list[tuple[int, int, bool]]:
    """A turn as (start, end, whole) pieces: spaCy segments each piece that is not `whole`; a
    `whole` piece, part of a word longer than `MAX_WORD`, is one segment as it stands."""
    if len(text) <= MAX_PIECE and not _LONG_WORD.search(text):
        return [(0, len(text), False)]  # every turn of a real interview
    pieces, position = [], 0
    for word in [*_LONG_WORD.finditer(text), None]:
        start, end = (word.start(), word.end()) if word else (len(text), len(text))
        cuts = [position, *_cut(text, position, start, MAX_PIECE), start]
        pieces.extend((a, b, False) for a, b in pairwise(cuts) if b > a)
        cuts = [start, *_cut(text, start, end, MAX_SEGMENT, ""), end]
        pieces.extend((a, b, True) for a, b in pairwise(cuts) if b > a)
        position = end
    return pieces or [(0, 0, False)]


def trimmed(text: str, start: int, end: int) -> Span | None:
    """`(start, end)` without the whitespace at either end; None if nothing else is left."""
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return None
    first = start + len(piece) - len(piece.lstrip())
    return first, first + len(stripped)


def _bounded(text: str, spans: list[Span]) -> list[Span]:
    """`spans` with every one longer than `MAX_SEGMENT` cut at a space."""
    if all(end - start <= MAX_SEGMENT for start, end in spans):
        return spans
    bounded = []
    for start, end in spans:
        cuts = [start, *_cut(text, start, end, MAX_SEGMENT), end]
        bounded.extend(span for a, b in pairwise(cuts) if (span := trimmed(text, a, b)))
    return bounded


def _piece_spans(piece: str) -> list[Span]:
    """Sentence spans of a piece: the whole pipeline if it `needs_rules`, else the sentencizer's
    rule read off the string (`PlainSegmenter`)."""
    if needs_rules(piece):
        return sentence_spans(_with_rules(pipeline().tokenizer(piece)))
    return _plain_segmenter().spans(piece)


def _with_rules(doc: Doc) -> Doc:
    """`doc` through the pipeline's components, as `Language.pipe` runs them after the tokenizer."""
    for _, component in pipeline().pipeline:
        doc = component(doc)
    return doc


@lru_cache(maxsize=1)
def _plain_segmenter() -> PlainSegmenter:
    from coder.ingest.plain_spans import PlainSegmenter

    nlp = pipeline()
    return PlainSegmenter(nlp.tokenizer.tokenizer, nlp.get_pipe("sentencizer").punct_chars)


def _segment_one(text: str) -> list[Span]:
    """Sentence spans of one text: a `whole` piece (`_pieces`) is one span as it stands, the
    others are segmented (`_piece_spans`)."""
    spans: list[Span] = []
    for start, end, whole in _pieces(text):
        if whole:
            spans.append((start, end))
        else:
            spans.extend((start + a, start + b) for a, b in _piece_spans(text[start:end]))
    return _bounded(text, spans)


def segment_texts(texts: Iterable[str]) -> Iterator[list[Span]]:
    """Sentence spans for each text (one per turn), in order. A big import runs this in
    several processes, on a run of files' turns each (`ingest.workers`)."""
    return map(_segment_one, texts)


def segment_text(text: str) -> list[Span]:
    """Sentence spans of one turn's text."""
    return next(segment_texts([text]))
