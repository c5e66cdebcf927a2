"""Otter's text and Word exports: a line holding the speaker's name and the time ("Emma  0:34"),
then what they said, until the next such line. Teams' newer Word transcripts are laid out
the same way ("Eva de Vries   0:03") and read the same.

A header is a line of its own whose name part has no sentence punctuation (speech that ends
in a time ends in a full stop); Otter's closing "Transcribed by https://otter.ai" is not speech.
"""

from __future__ import annotations

import re

from coder.ingest.formats.labels import MAX_LABEL_WORDS, REST_OF_LABEL
from coder.ingest.formats.parsed import ParsedTranscript, assemble, headed

OTTER = "Otter"
NAME_AND_TIME = "speaker and time lines (Otter, Teams)"

_HEADER = re.compile(
    rf"^(?P<name>[^\s?!.,;:\"][^\n?!;:\"]{REST_OF_LABEL}?)[ \t]+(?P<time>(?:\d{{1,2}}:)?\d{{1,2}}:\d{{2}})[ \t]*$",
    re.MULTILINE,
)
_FOOTER = re.compile(r"^Transcribed by https://otter\.ai\s*$", re.MULTILINE)


def _headers(text: str) -> list[re.Match[str]]:
    return [m for m in _HEADER.finditer(text) if len(m.group("name").split()) <= MAX_LABEL_WORDS]


def is_otter(text: str) -> bool:
    """Two headers at least (one if Otter signed the file): a lone line ending in a time is not enough."""
    return len(_headers(text)) >= (1 if _FOOTER.search(text) else 2)


def read_otter(text: str, path: str) -> ParsedTranscript:
    footer = _FOOTER.search(text)
    name = OTTER if footer else NAME_AND_TIME
    speech = text[: footer.start()] if footer else text
    return assemble(headed(_headers(speech), speech), path, name, separator="\n")
