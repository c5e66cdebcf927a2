"""Helpers for the transcript-format tests: what each speaker says, and small Word files."""

from __future__ import annotations

from pathlib import Path

import docx

from coder.ingest.formats.parsed import ParsedTranscript


def spoken(parsed: ParsedTranscript) -> list[tuple[str, str, str | None]]:
    """(speaker, text, start time) per turn: comparing it whole shows that no cue's text went to
    another speaker's turn, and that the turns' spans point at the right words."""
    return [(turn.label, parsed.text[turn.start : turn.end], turn.start_time) for turn in parsed.turns]


def word_file(path: Path, paragraphs: list[str]) -> Path:
    """A .docx holding these paragraphs, as a Word export has them."""
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(path)
    return path
