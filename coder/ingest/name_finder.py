"""Candidate names for a pseudonym key (`coder pseudonymise suggest`, DESIGN §7).

A simple finder that needs nothing installed: the participants and the school of a file's
front matter, capitalised words that do not start a sentence (joined with the particles of
Dutch names: "Marieke van den Berg", "mevrouw van den Berg"), e-mail addresses, Dutch phone
numbers and dates. It proposes a pseudonym by kind ("Leerkracht 1" for a teacher who speaks,
"School A", "[plaats]" after "in" or "uit"), for the researcher to check: it misses names
written in lower case and names at the start of every sentence they appear in, and it takes
a capitalised word that is no name (an abbreviation, a brand) for one. README §Privacy gives
its recall and precision on `benchmarks/pseudonym_set`.

Counts and contexts come from `PseudonymKey.find`, so they are what an import with the
proposed key would replace.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import count

from coder.ingest.formats.labels import NAME_PARTICLES, UNKNOWN_SPEAKER, guess_role, looks_like_label
from coder.ingest.formats.parsed import ParsedTranscript
from coder.ingest.pseudonymise import PseudonymKey, context, normal_name

PERSON, SCHOOL, PLACE, INSTITUTION = "person", "school", "place", "institution"
EMAIL, PHONE, DATE = "e-mail", "phone", "date"
KINDS = (PERSON, SCHOOL, PLACE, INSTITUTION, EMAIL, PHONE, DATE)

#: The pseudonym of a kind that needs no number, and the numbered names of a speaker's role.
_FIXED = {PLACE: "[plaats]", EMAIL: "[e-mail]", PHONE: "[telefoon]", DATE: "[datum]"}
_ROLE_NAMES = {"teacher": "Leerkracht", "youth-care-worker": "Jeugdhulpverlener", "mentor": "Mentor",
               "interviewer": "Interviewer"}

_PATTERNS = {
    EMAIL: re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    PHONE: re.compile(r"(?<![\d+])(?:\+31|0031|0)(?:[ -]?\d){9}(?!\d)"),
    DATE: re.compile(
        r"(?<!\d)(?:\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|\d{1,2} (?:januari|februari|maart|"
        r"april|mei|juni|juli|augustus|september|oktober|november|december) \d{4})(?!\d)", re.IGNORECASE),
}
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
#: Particles that stand inside a name ("Jan de Vries"); prepositions such as "in" and "op" are
#: left out, so "Jan in Haarlem" stays two names.
_INNER = NAME_PARTICLES - {"in", "op", "te", "y", "bin", "al", "el", "zu"}
#: Particles that are articles too: a name found after one may well not include it.
_ARTICLES = frozenset({"de", "het", "'t", "la", "le", "du", "da", "di", "del", "della", "des"})
_SCHOOL_WORDS = ("school", "college", "lyceum", "gymnasium", "academie")
_PLACE_BEFORE = frozenset({"in", "uit", "naar", "te", "vanuit", "rond"})
#: Capitalised in the middle of a Dutch sentence, but no name.
_NOT_NAMES = frozenset({"ik", "oké", "ok", "ja", "nee", "nou", "god", "juf", "meester", "meneer", "mevrouw", "i"})
#: Speaker labels that name a role, not a person.
_ROLE_LABELS = frozenset({"mentor", "leerkracht", "docent", "jeugdhulp", "jeugdhulpverlener", "jeugdzorg", "ouder",
                          "moeder", "vader", "leerling", "kind", "begeleider", "ib'er", "zorgcoördinator"})


#: What finds names in a text: (name, kind) for each; `builtin_names`, or deduce's (`deduce_finder`).
TextFinder = Callable[[str], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Candidate:
    """A name to consider for the key: its kind, proposed pseudonym, occurrences and a first context."""

    name: str
    kind: str
    pseudonym: str
    count: int
    context: str


def _is_capitalised(word: str) -> bool:
    return word[0].isupper() and word.casefold() not in _NOT_NAMES


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t\"'“„(")
    return not before or before[-1] in ".!?:…"


def _spaced(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    return text[left.end() : right.start()].isspace()


def capitalised_names(text: str) -> Iterator[tuple[str, str]]:
    """(name, kind) for each run of capitalised words, with their particles, not starting a sentence."""
    words = list(_WORD.finditer(text))
    index = 0
    while index < len(words):
        if not _is_capitalised(words[index].group()):
            index += 1
            continue
        first = last = index
        while first > 0 and words[first - 1].group() in _INNER and _spaced(text, words[first - 1], words[first]):
            first -= 1  # "mevrouw van den Berg"
        while first < index and words[first].group() in _ARTICLES:
            first += 1  # "op de Sint-Bavoschool", "meneer de Vries": the article may not be the name's
        ahead = index + 1
        while ahead < len(words) and _spaced(text, words[ahead - 1], words[ahead]):
            word = words[ahead].group()
            if _is_capitalised(word):
                last = ahead
            elif word.lower() not in _INNER:
                break
            ahead += 1
        run = words[first : last + 1]
        if first == index and _starts_sentence(text, run[0].start()):
            run = run[1:]  # a capital that starts a sentence says nothing
            while run and run[0].group() in _ARTICLES:
                run = run[1:]
        if run:
            name = " ".join(word.group() for word in run)
            before = words[first - 1].group().lower() if first > 0 else ""
            yield name, _kind(name, before)
        index = last + 1


def _kind(name: str, before: str) -> str:
    if any(word in name.lower() for word in _SCHOOL_WORDS):
        return SCHOOL
    if name.isupper() and len(name) > 1:
        return INSTITUTION
    return PLACE if before in _PLACE_BEFORE else PERSON


@dataclass(frozen=True)
class _Found:
    """A name as found: its kind, the role of a speaker, and for a speaker's first or last name
    the whole name (`of`), whose pseudonym it shares."""

    name: str
    kind: str
    role: str | None = None
    of: str | None = None


def _speakers(parsed: ParsedTranscript) -> Iterator[_Found]:
    """The participants whose labels are names ("Jan de Vries", not "L1"), then their first and last names."""
    for participant in parsed.participants:
        label, words = participant.label, participant.label.split()
        if label == UNKNOWN_SPEAKER or guess_role(label) or label.lower() in _ROLE_LABELS or not looks_like_label(label) \
                or not any(len(word) > 2 and word[1:].islower() for word in words):
            continue
        yield _Found(label, PERSON, participant.role)
        if len(words) > 1:
            yield from (_Found(part, PERSON, participant.role, label) for part in (words[0], " ".join(words[1:])))


def _masked(text: str) -> str:
    """The text with its e-mail addresses, phone numbers and dates blanked, so no name is sought in them."""
    for pattern in _PATTERNS.values():
        text = pattern.sub(lambda match: " " * len(match.group()), text)
    return text


def builtin_names(text: str) -> Iterator[tuple[str, str]]:
    """The built-in finder: e-mail addresses, phone numbers and dates, then capitalised names."""
    for kind, pattern in _PATTERNS.items():
        yield from ((match.group(), kind) for match in pattern.finditer(text))
    yield from capitalised_names(_masked(text))


def without_title(name: str) -> str:
    """A person's name without the form of address before it ("Meester Henk", "mevrouw Kok")."""
    words = name.split()
    while len(words) > 1 and words[0].casefold() in _NOT_NAMES:
        words = words[1:]
    return " ".join(words)


def _found(parsed: ParsedTranscript, finder: TextFinder) -> Iterator[_Found]:
    """Every name in one transcript, the participants and the school first."""
    yield from _speakers(parsed)
    if parsed.school:
        yield _Found(parsed.school, SCHOOL)
    for text in (parsed.title, *(parsed.text[t.start : t.end] for t in parsed.turns)):
        yield from (_Found(name, kind) for name, kind in finder(text))


def suggest(transcripts: Iterable[ParsedTranscript], finder: TextFinder = builtin_names,
            width: int = 30) -> list[Candidate]:
    """Candidates from these transcripts, each with a proposed pseudonym, by kind and the most frequent first."""
    transcripts = list(transcripts)
    found: dict[str, _Found] = {}
    for parsed in transcripts:
        for item in _found(parsed, finder):
            found.setdefault(normal_name(item.name), item)
    found = {normal: item for normal, item in found.items() if not _inflected(normal, found)}
    pseudonyms = _propose(found)
    key = PseudonymKey(dict.fromkeys(found, ""))
    counts: Counter[str] = Counter()
    contexts: dict[str, str] = {}
    for text in (piece for parsed in transcripts for piece in (parsed.title, parsed.school or "", parsed.text)):
        for match in key.find(text):
            normal = normal_name(match.group("name"))
            counts[normal] += 1
            contexts.setdefault(normal, context(text, match, width))
    candidates = [Candidate(item.name, item.kind, pseudonyms[normal], counts[normal], contexts.get(normal, ""))
                  for normal, item in found.items()]
    return sorted(candidates, key=lambda c: (KINDS.index(c.kind), -c.count, c.name.casefold()))


def _inflected(normal: str, found: dict[str, _Found]) -> bool:
    """Whether a name is another found name with an ending the key replaces anyway ("Mariekes")."""
    return any(normal.endswith(ending) and normal[: -len(ending)] in found for ending in ("'s", "’s", "se", "s"))


def _propose(found: dict[str, _Found]) -> dict[str, str]:
    """A pseudonym per name: numbered per role for speakers and other people ("Leerkracht 1",
    "Persoon 2"), lettered for schools and institutions ("School A"), a placeholder for places,
    e-mail addresses, phone numbers and dates."""
    numbers: dict[str, Iterator[int]] = {}
    proposed: dict[str, str] = {}
    for normal, item in found.items():
        if item.of is not None and normal_name(item.of) in proposed:
            proposed[normal] = proposed[normal_name(item.of)]
        elif item.kind in _FIXED:
            proposed[normal] = _FIXED[item.kind]
        else:
            stem = {SCHOOL: "School", INSTITUTION: "Instelling"}.get(item.kind) or _ROLE_NAMES.get(item.role or "", "Persoon")
            number = next(numbers.setdefault(stem, count(1)))
            lettered = item.kind in (SCHOOL, INSTITUTION) and number <= 26
            proposed[normal] = f"{stem} {chr(ord('A') + number - 1) if lettered else number}"
    return proposed
