"""WhisperX's transcripts: its JSON (`{"segments": [{"start", "end", "text", "speaker"}, ...]}`)
and its text, a segment a line as `[SPEAKER_00]: ...` (older versions: `SPEAKER_00: ...`).

Diarization can leave a segment without a speaker; it then continues the previous speaker's
turn. Its subtitles (`[SPEAKER_00]:` cues) are read by `subtitles`.
"""

from __future__ import annotations

import json
import re

from coder.errors import TranscriptError
from coder.ingest.formats.parsed import ParsedTranscript, assemble, continuing
from coder.ingest.formats.timecode import clock

WHISPERX_JSON = "WhisperX (JSON)"
WHISPERX_TEXT = "WhisperX (text)"

_LINE = re.compile(r"^(?:\[(?P<bracketed>SPEAKER_\d+)\]|(?P<bare>SPEAKER_\d+)):[ \t]*", re.MULTILINE)


def is_json(text: str) -> bool:
    return text.lstrip()[:1] == "{"


def is_whisperx_text(text: str) -> bool:
    return _LINE.search(text) is not None


def _segments(text: str, path: str) -> list[dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(path, f"not valid JSON: {exc.msg}", exc.lineno) from None
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list) or not all(isinstance(s, dict) and isinstance(s.get("text"), str) for s in segments):
        raise TranscriptError(path, "a JSON file, but not a WhisperX transcript (expected \"segments\" with \"text\")")
    return segments


def _start(segment: dict) -> str | None:
    start = segment.get("start")
    return clock(start) if isinstance(start, (int, float)) and start >= 0 else None


def read_whisperx_json(text: str, path: str) -> ParsedTranscript:
    pieces = [(str(s["speaker"]) if s.get("speaker") else None, s["text"], _start(s)) for s in _segments(text, path)]
    utterances, notes = continuing(pieces)
    return assemble(utterances, path, WHISPERX_JSON, notes=notes)


def read_whisperx_text(text: str, path: str) -> ParsedTranscript:
    pieces = []
    for line in filter(str.strip, text.split("\n")):
        match = _LINE.match(line)
        speaker = (match.group("bracketed") or match.group("bare")) if match else None
        pieces.append((speaker, line[match.end() :] if match else line, None))
    utterances, notes = continuing(pieces)
    return assemble(utterances, path, WHISPERX_TEXT, notes=notes)
