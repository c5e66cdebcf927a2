"""Choosing the reader for a transcript by what the file holds; its suffix only breaks ties.

Researchers rename files and tools save text under any suffix: a Teams transcript saved as
`.txt` is still a Teams transcript. Formats that declare themselves in their first bytes
(WebVTT's header, an SRT cue, JSON, HTML) are tried first, then those recognised by their
lines, most distinctive first; coder's own format reads whatever no other reader claims.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from coder.ingest.decoding import decode
from coder.ingest.formats import coder_text, f4, meeting_text, noscribe, otter, subtitles, whisperx, word
from coder.ingest.formats.parsed import ParsedTranscript


@dataclass(frozen=True)
class Reader:
    """A format: its name, how its text is recognised, how it is read, and the suffixes it is
    saved under (which choose it when the content is too damaged to recognise)."""

    name: str
    recognises: Callable[[str], bool]
    read: Callable[[str, str], ParsedTranscript]
    suffixes: tuple[str, ...] = ()


#: Formats that say what they are in their first bytes.
DECLARED = (
    Reader(subtitles.WEBVTT, subtitles.is_webvtt, subtitles.read_webvtt, (".vtt",)),
    Reader(subtitles.SRT, subtitles.is_srt, subtitles.read_srt, (".srt",)),
    Reader(whisperx.WHISPERX_JSON, whisperx.is_json, whisperx.read_whisperx_json, (".json",)),
    Reader(noscribe.NOSCRIBE_HTML, noscribe.is_noscribe_html, noscribe.read_noscribe_html, (".html", ".htm")),
)
#: Formats recognised by their lines, the most distinctive first: an f4 stamp or a Teams timing
#: line is never coder's own text, a line ending in a time (Otter) could be.
BY_LINES = (
    Reader(f4.F4, f4.is_f4, f4.read_f4),
    Reader(meeting_text.TEAMS, meeting_text.is_teams, meeting_text.read_teams),
    Reader(meeting_text.ZOOM, meeting_text.is_zoom, meeting_text.read_zoom),
    Reader(noscribe.NOSCRIBE_TEXT, noscribe.is_noscribe_text, noscribe.read_noscribe_text),
    Reader(word.AMBERSCRIPT, word.is_amberscript, word.read_amberscript),
    Reader(otter.OTTER, otter.is_otter, otter.read_otter),
    Reader(whisperx.WHISPERX_TEXT, whisperx.is_whisperx_text, whisperx.read_whisperx_text),
)
CODER = Reader(coder_text.FORMAT, lambda text: True, coder_text.parse_transcript_text, (".txt", ".md"))
SUFFIXES = (*CODER.suffixes, ".docx", *(suffix for reader in DECLARED for suffix in reader.suffixes))


def reader_for(text: str, suffix: str = "") -> Reader:
    """The reader for this text; front matter means coder's own format whatever else it holds."""
    if text.partition("\n")[0].strip() == "---":
        return CODER
    return (
        next((r for r in DECLARED if r.recognises(text)), None)
        or next((r for r in DECLARED if suffix in r.suffixes), None)
        or next((r for r in BY_LINES if r.recognises(text)), CODER)
    )


def parse(data: bytes, path: Path) -> ParsedTranscript:
    """A transcript file's bytes as a `ParsedTranscript`, read by the format they are in.

    A Word file is read by the rules of the text it holds, and its format named so.
    """
    name, suffix = str(path), path.suffix.lower()
    if word.is_docx(data, suffix):
        text = word.docx_text(data, name)
        parsed = reader_for(text).read(text, name)
        return replace(parsed, format=f"{parsed.format} (Word)")
    text = decode(data, path)
    return reader_for(text, suffix).read(text, name)
