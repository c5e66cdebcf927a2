"""WebVTT and SRT: the subtitles Teams, Zoom, noScribe and WhisperX write.

Who speaks comes from the cue: a voice tag (`<v Eva de Vries>`, Teams and noScribe; early
Teams files hold a user id there, taken as written), a `[SPEAKER_00]:` prefix (WhisperX) or a
`Name:` prefix (Zoom, "Ashlee Kupor (SL): ..."). A cue that names nobody continues the previous
speaker, and consecutive cues of one speaker become one turn that starts when its first cue
does. Cues are taken in the order they start, so overlapping speech stays with its speaker.
`NOTE`, `STYLE` and `REGION` blocks, cue identifiers and cue settings are skipped; hours are
optional in cue times.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from coder.errors import TranscriptError
from coder.ingest.formats.labels import REST_OF_LABEL, looks_like_label
from coder.ingest.formats.parsed import ParsedTranscript, assemble, continuing
from coder.ingest.formats.timecode import TIME, clock, seconds

WEBVTT = "WebVTT"
SRT = "SRT"

_TIMING = re.compile(rf"^\s*(?P<start>{TIME})\s*-->\s*{TIME}")
_SRT_START = re.compile(rf"\s*\d+\n\s*{TIME}\s*-->")
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?(?:[ \t]+(?P<name>[^<>]*))?>")
#: Tags, inline timestamps and SSA overrides in SRT. A tag holds no "<" (nor an override a "{"):
#: so a line of a hundred thousand "<" is read in one pass, not one pass per "<".
_MARKUP = re.compile(r"</?[^<>]*>|\{\\[^{}]*\}")
_BRACKETED = re.compile(rf"^\[(?P<name>[^\]\s][^\]\n]{REST_OF_LABEL})\]:[ \t]*")
_PREFIX = re.compile(rf"^(?P<name>[^\s:][^:\n]{REST_OF_LABEL}?)[ \t]*:(?:[ \t]+|$)")


@dataclass(frozen=True)
class _Line:
    """One line of a cue's text, with the speaker its voice tag names, if any."""

    start: float
    voice: str | None
    text: str


def is_webvtt(text: str) -> bool:
    return text.startswith("WEBVTT")


def is_srt(text: str) -> bool:
    return _SRT_START.match(text) is not None


def _clean(text: str) -> str:
    return html.unescape(_MARKUP.sub("", text)).strip()


def _voiced(start: float, payload: str) -> list[_Line]:
    """A cue's lines, each with the voice that speaks it: a cue may hold several voices."""
    pieces, voice, position = [], None, 0
    for match in _VOICE.finditer(payload):
        pieces.append((voice, payload[position : match.start()]))
        voice, position = (match.group("name") or "").strip() or None, match.end()
    pieces.append((voice, payload[position:]))
    cleaned = ((speaker, _clean(line)) for speaker, text in pieces for line in text.split("\n"))
    return [_Line(start, speaker, line) for speaker, line in cleaned if line]


def _cue_lines(text: str) -> list[_Line]:
    """Every cue's lines in the order the cues start; blocks without a timing line are skipped."""
    lines: list[_Line] = []
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        rows = block.split("\n")
        timing = next((i for i, row in enumerate(rows) if _TIMING.match(row)), None)
        if timing is not None:
            start = seconds(_TIMING.match(rows[timing]).group("start"))
            lines.extend(_voiced(start, "\n".join(rows[timing + 1 :])))
    return sorted(lines, key=lambda line: line.start)


def _prefix(line: _Line) -> tuple[str, str] | None:
    """(name, rest) where the line opens with `[SPEAKER_00]:` or `Name:`."""
    match = _BRACKETED.match(line.text) or _PREFIX.match(line.text)
    return (match.group("name").strip(), line.text[match.end() :]) if match else None


def _names(lines: list[_Line]) -> set[str]:
    """Prefixes that name speakers: written like a name, or opening more than one cue (Zoom
    shows the display name as the participant typed it, "iPhone van Eva" too)."""
    counts = Counter(found[0] for line in lines if line.voice is None and (found := _prefix(line)))
    return {name for name, count in counts.items() if count > 1 or looks_like_label(name)}


def _tool(text: str, lines: list[_Line], names: set[str]) -> str | None:
    """The tool that wrote the file, as far as its markup tells."""
    if any(line.voice for line in lines):
        return "noScribe" if re.search(r"^NOTE\b.*noScribe", text, re.MULTILINE | re.DOTALL) else "Teams"
    if any(name.startswith("SPEAKER_") for name in names):
        return "WhisperX"
    return "Zoom" if names else None


def read_subtitles(text: str, path: str, kind: str) -> ParsedTranscript:
    """A WebVTT or SRT file (`kind`) as turns."""
    lines = _cue_lines(text)
    if not lines:
        raise TranscriptError(path, "no subtitle cues found (expected 'start --> end' lines)")
    names = _names(lines)
    pieces = []
    for line in lines:
        speaker, speech = line.voice, line.text
        found = _prefix(line) if speaker is None else None
        if found and found[0] in names:
            speaker, speech = found
        pieces.append((speaker, speech, clock(line.start)))
    utterances, notes = continuing(pieces)
    tool = _tool(text, lines, names)
    return assemble(utterances, path, f"{kind} ({tool})" if tool else kind, notes=notes)


def read_webvtt(text: str, path: str) -> ParsedTranscript:
    return read_subtitles(text, path, WEBVTT)


def read_srt(text: str, path: str) -> ParsedTranscript:
    return read_subtitles(text, path, SRT)
