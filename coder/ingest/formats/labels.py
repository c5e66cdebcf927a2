"""What a speaker label looks like where a file does not say so itself, and the roles it implies.

Formats that mark their speakers (a voice tag, a line holding only a name and a time) take
the label as the tool wrote it. Only where a label and speech share a line, as `LABEL: text`,
must coder judge whether the words before the colon name someone: then a label is a short
run of capitalised words or codes, where Dutch, German and French name particles may stand
lower-case in the middle ("Eva de Vries", "Anne-Marie van den Berg", "L1", "Ashlee Kupor (SL)").
"""

from __future__ import annotations

from coder.storage.vocabulary import INTERVIEWER

INTERVIEWER_LABELS = frozenset({"i", "int", INTERVIEWER, "onderzoeker", "interviewster"})
#: The label of speech whose speaker the file does not give.
UNKNOWN_SPEAKER = "Spreker"
MAX_LABEL_WORDS = 6
MAX_LABEL_LENGTH = 60
#: A regular-expression quantifier for a label's characters after its first.
REST_OF_LABEL = f"{{0,{MAX_LABEL_LENGTH - 1}}}"
NAME_PARTICLES = frozenset({
    "de", "den", "der", "des", "van", "von", "het", "'t", "te", "ten", "ter", "in", "op", "zu", "du", "da",
    "di", "del", "della", "le", "la", "y", "bin", "al", "el",
})
#: Characters that end or break up a sentence and so are never part of a name.
_NOT_IN_NAMES = frozenset('?!;,"“”„')
#: Keys of the header lines interview files open with ("Datum: 12 maart 2024"): before the first
#: turn such a line is metadata, not a speaker.
METADATA_KEYS = frozenset({
    "datum", "date", "tijd", "time", "tijdstip", "duur", "duration", "lengte", "length", "locatie", "location",
    "plaats", "place", "ort", "titel", "title", "onderwerp", "subject", "thema", "topic", "project", "school",
    "opname", "recording", "bestand", "file", "audio", "transcriptie", "transcript", "transcribent",
    "transcriber", "getranscribeerd door", "transcribed by", "aanwezig", "aanwezigen", "deelnemers",
    "participants", "interviewnummer", "versie", "version",
})


def guess_role(label: str) -> str | None:
    """Interviewers are recognisable by label; other roles must be declared."""
    return INTERVIEWER if label.lower().rstrip(".") in INTERVIEWER_LABELS else None


def _name_word(word: str) -> bool:
    return word[0].isupper() or word[0].isdigit() or word[0] == "(" or word.lower() in NAME_PARTICLES


def looks_like_label(candidate: str) -> bool:
    """Whether the words before a colon at the start of a line name a speaker."""
    words = candidate.split()
    if not words or len(words) > MAX_LABEL_WORDS or len(candidate) > MAX_LABEL_LENGTH:
        return False
    if _NOT_IN_NAMES & set(candidate):
        return False
    return words[0][0].isupper() and words[-1].lower() not in NAME_PARTICLES and all(map(_name_word, words))


def is_metadata_key(label: str) -> bool:
    """Whether `label` names a header field ("Datum", "Locatie") rather than a speaker."""
    return label.strip().lower() in METADATA_KEYS
