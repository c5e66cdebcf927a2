"""The text transcripts meeting tools save: Teams (a `0:0:4.720 --> 0:0:9.100` line, the speaker's
name on the next, then what they said) and Zoom (`[Ashlee Kupor] 19:00:25`, then the text).

The name line is the speaker exactly as the tool wrote it; everything up to the next header
is that person's speech. Lines before the first header (a meeting title, a date) are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from coder.ingest.formats.parsed import ParsedTranscript, Utterance, assemble, headed, sections
from coder.ingest.formats.timecode import TIME, as_clock

TEAMS = "Teams transcript"
ZOOM = "Zoom transcript"

_TEAMS_TIMING = re.compile(rf"^[ \t]*(?P<time>{TIME})[ \t]*-->[ \t]*{TIME}[ \t]*$", re.MULTILINE)
_ZOOM_HEADER = re.compile(rf"^\[(?P<name>[^\]\n]+)\][ \t]+(?P<time>{TIME})[ \t]*$", re.MULTILINE)


def is_teams(text: str) -> bool:
    return _TEAMS_TIMING.search(text) is not None


def is_zoom(text: str) -> bool:
    return _ZOOM_HEADER.search(text) is not None


def _teams_utterances(text: str) -> Iterator[Utterance]:
    """The line after the timing is the speaker's name, the lines below it their speech."""
    for timing, block in sections(list(_TEAMS_TIMING.finditer(text)), text):
        name, _, speech = block.strip().partition("\n")
        yield Utterance(name, speech, as_clock(timing.group("time")))


def read_teams(text: str, path: str) -> ParsedTranscript:
    return assemble(_teams_utterances(text), path, TEAMS)


def read_zoom(text: str, path: str) -> ParsedTranscript:
    return assemble(headed(list(_ZOOM_HEADER.finditer(text)), text), path, ZOOM)
