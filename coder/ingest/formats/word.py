"""Word files: their paragraphs as lines, and Amberscript's layout of them.

A Word transcript is read by the same rules as the text it holds (`detect` chooses among them:
coder's own conventions, f4/f5, Teams, Otter...). Amberscript writes a line with the speaker and
the time (`Spreker 1 [00:00:03]`), then what they said, until the next such line; its text
exports look the same.
"""

from __future__ import annotations

import io
import re
import zipfile

from coder.errors import TranscriptError
from coder.ingest.decoding import normalise
from coder.ingest.formats.labels import REST_OF_LABEL
from coder.ingest.formats.parsed import ParsedTranscript, assemble, headed

AMBERSCRIPT = "Amberscript"

_HEADER = re.compile(
    rf"^(?P<name>[^\s\[\]:][^\n\[\]:]{REST_OF_LABEL}?)[ \t]+\[(?P<time>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?)\][ \t]*$",
    re.MULTILINE,
)


def is_docx(data: bytes, suffix: str) -> bool:
    return suffix == ".docx" or data.startswith(b"PK\x03\x04")


def docx_text(data: bytes, path: str) -> str:
    """The paragraphs of a Word file as lines, normalised as any text file is."""
    import docx

    if not data:
        raise TranscriptError(path, "the file is empty")
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise TranscriptError(path, "not a Word .docx file (was it saved as .doc or renamed?)") from None
    text = normalise("\n".join(paragraph.text for paragraph in document.paragraphs))
    if not text.strip():
        raise TranscriptError(path, "the Word file has no text")
    return text


def is_amberscript(text: str) -> bool:
    """Two speaker-and-time lines at least: one such line may be a note in another format."""
    return len(_HEADER.findall(text)) >= 2


def read_amberscript(text: str, path: str) -> ParsedTranscript:
    return assemble(headed(list(_HEADER.finditer(text)), text), path, AMBERSCRIPT, separator="\n")
