"""Reading interview transcripts: the one door to the readers of `coder.ingest.formats`.

`read_transcript` is what the importer, the preview and the benchmarks call; which reader a
file gets is decided by its content (`formats.detect`), and every reader returns the same
`ParsedTranscript`.
"""

from __future__ import annotations

from pathlib import Path

from coder.errors import TranscriptError
from coder.ingest.decoding import read_bytes
from coder.ingest.formats.detect import SUFFIXES, parse
from coder.ingest.formats.parsed import ParsedTranscript


def read_transcript(path: str | Path) -> ParsedTranscript:
    """Read any supported transcript file into a `ParsedTranscript`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptError(
            path, f"unsupported file type '{suffix or path.name}' (coder reads {', '.join(SUFFIXES)})"
        )
    return parse(read_bytes(path), path)
