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
import zlib

from coder.errors import TranscriptError
from coder.ingest.decoding import MAX_BYTES, check_text, normalise
from coder.ingest.formats.labels import REST_OF_LABEL
from coder.ingest.formats.parsed import ParsedTranscript, assemble, headed

AMBERSCRIPT = "Amberscript"
#: What a Word file may unpack to: its XML wraps each run of text in markup several times the
#: text's size, so five times the cap on a transcript's text holds any real transcript.
MAX_UNPACKED = 5 * MAX_BYTES
#: Paragraphs and runs of text a Word file may hold: a three-hour interview has some 3,000
#: paragraphs and, even at a run for each word, 30,000 runs. Reading 200,000 takes ten seconds.
MAX_ELEMENTS = 200_000
#: A paragraph (`<w:p>`) or run (`<w:r>`) start tag, under any namespace prefix.
_ELEMENT = re.compile(rb"<(?:[\w.-]{1,16}:)?[pr][\s/>]")
_ELEMENT_SPAN = 20
_CHUNK = 1 << 20

_HEADER = re.compile(
    rf"^(?P<name>[^\s\[\]:][^\n\[\]:]{REST_OF_LABEL}?)[ \t]+\[(?P<time>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?)\][ \t]*$",
    re.MULTILINE,
)


def is_docx(data: bytes, suffix: str) -> bool:
    return suffix == ".docx" or data.startswith(b"PK\x03\x04")


def _check_unpacked(data: bytes, path: str) -> None:
    """Refuse a Word file that unpacks to more than `MAX_UNPACKED` or more than `MAX_ELEMENTS`
    paragraphs and runs, before python-docx builds it whole.

    Each part is inflated in chunks and counted, since the sizes a zip declares can lie: a
    Word file of a few hundred kilobytes can unpack to gigabytes (a "zip bomb"), or to
    millions of paragraphs, each of which python-docx reads at some fifty microseconds.
    """
    budget, elements = MAX_UNPACKED, 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            with archive.open(info) as part:
                tail = b""
                while chunk := part.read(_CHUNK):
                    budget -= len(chunk)
                    window = tail + chunk  # a tag cut by the chunk's edge is counted once, in full
                    elements += sum(1 for tag in _ELEMENT.finditer(window) if tag.end() > len(tail))
                    tail = window[-_ELEMENT_SPAN:]
                    if budget < 0 or elements > MAX_ELEMENTS:
                        raise TranscriptError(path, f"unpacks to more than {MAX_UNPACKED // 2**20} MB or "
                                                    f"{MAX_ELEMENTS:,} paragraphs and runs, far more than any "
                                                    "interview: split it into parts")


def docx_text(data: bytes, path: str) -> str:
    """The paragraphs of a Word file as lines, normalised as any text file is.

    The file is checked unpacked before python-docx reads it whole, and its text is held to
    the cap on any transcript's text (`check_text`).
    """
    import docx
    from lxml.etree import XMLSyntaxError

    if not data:
        raise TranscriptError(path, "the file is empty")
    try:
        _check_unpacked(data, path)
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise TranscriptError(path, "not a Word .docx file (was it saved as .doc or renamed?)") from None
    except (zlib.error, XMLSyntaxError, EOFError) as exc:
        raise TranscriptError(path, f"the Word file is damaged ({exc}); open it in Word and save it again") from None
    text = check_text(normalise("\n".join(paragraph.text for paragraph in document.paragraphs)), path)
    if not text.strip():
        raise TranscriptError(path, "the Word file has no text")
    return text


def is_amberscript(text: str) -> bool:
    """Two speaker-and-time lines at least: one such line may be a note in another format."""
    return len(_HEADER.findall(text)) >= 2


def read_amberscript(text: str, path: str) -> ParsedTranscript:
    return assemble(headed(list(_HEADER.finditer(text)), text), path, AMBERSCRIPT, separator="\n")
