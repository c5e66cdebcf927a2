"""Turning the bytes of a text file into the text coder stores.

Offsets in a study index this normalised text, so normalisation happens once,
here, before anything is parsed or segmented: what the screen shows, what is
stored and what is exported are then the same characters.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from coder.errors import FileProblem, TranscriptError

#: Interviews are a few hundred kilobytes; anything past this is not a transcript.
MAX_BYTES = 20 * 1024 * 1024

#: Share of non-ASCII characters above which Windows-1252 is judged implausible.
#: Dutch prose is >97% ASCII; Cyrillic or Greek in an 8-bit code page is mostly not.
MAX_NON_ASCII_SHARE = 0.15

_LINE_BREAKS = re.compile("\r\n|\r|\u2028|\u2029|\u0085|\x0b|\x0c")
#: Invisible characters with no meaning in a transcript. ZWJ and ZWNJ (U+200D, U+200C) are kept:
#: they join emoji and shape Persian and Indic script.
_INVISIBLE_CHARACTERS = "\ufeff\u200b\u2060\u00ad"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARACTERS}]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: Terminal escape sequences (CSI `ESC [ ... final`, OSC `ESC ] ... BEL or ESC \\`, and two-character
#: escapes): a transcript that carries them would retitle or repaint the coder's terminal.
_ESCAPES = re.compile("\x1b\\[[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_STRAY_CONTROL_RANGES = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_STRAY_CONTROLS = re.compile(f"[{_STRAY_CONTROL_RANGES}]")
#: Spaces that become a plain space.
_ODD_SPACES = "\u00a0\u202f\u2007"
#: Every character `normalise` changes before NFC: the line breaks other than U+2028 and U+2029,
#: and the first character of every escape sequence (ESC, CSI), are stray controls too. Most
#: files hold none, and one search for them costs less than the steps it spares.
_TO_CLEAN = re.compile(f"[{_STRAY_CONTROL_RANGES}{_INVISIBLE_CHARACTERS}{_ODD_SPACES}\u2028\u2029]")


def normalise(text: str) -> str:
    """One line break (LF), composed characters (NFC), no invisible or control characters.

    Control characters and terminal escape sequences are taken out, so no text
    can act on the terminal it is shown in (tab and line feed stay).

    NFC matters for offsets: a decomposed 'é' is two code points but one character
    on screen. Non-breaking and other odd spaces become plain spaces.
    """
    if _TO_CLEAN.search(text):
        text = _clean(text)
    return unicodedata.normalize("NFC", text)


def _clean(text: str) -> str:
    """`normalise`'s steps before NFC, in the order they must take."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _ESCAPES.sub("", text)
    text = _STRAY_CONTROLS.sub("", text)  # after line breaks became LF: keeps LF and tab
    text = _INVISIBLE.sub("", text)
    for space in _ODD_SPACES:
        text = text.replace(space, " ")
    return text


def _decode_8bit(data: bytes, path: str | Path) -> str:
    """Windows-1252, accepted only when the result looks like Western European text."""
    refusal = (
        "not UTF-8, UTF-16 or Windows-1252 text; "
        "save it as UTF-8 (in Word: Save As > Plain Text > Unicode (UTF-8))"
    )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise TranscriptError(path, refusal) from None
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if _CONTROL.search(text) or non_ascii > MAX_NON_ASCII_SHARE * max(len(text), 1):
        raise TranscriptError(path, refusal)
    return text


def check_size(size: int, path: str | Path) -> None:
    """Refuse input too large to be one interview, before it is read whole."""
    if size > MAX_BYTES:
        raise TranscriptError(
            path,
            f"too large ({size / 1_048_576:.1f} MB; the limit is "
            f"{MAX_BYTES // 1_048_576} MB): split the interview into parts",
        )


def check_text(text: str, path: str | Path) -> str:
    """The one cap on a transcript's text, however it arrives (a text file, a Word file once
    unpacked, a source in a REFI-QDA project): `MAX_BYTES` of UTF-8, as for a file."""
    if len(text) * 4 > MAX_BYTES:  # a character is at most four bytes: most texts stop here
        check_size(len(text.encode("utf-8", errors="surrogatepass")), path)
    return text


def has_utf16_bom(data: bytes) -> bool:
    """Word and Windows tools write UTF-16 with a byte-order mark; nothing else starts so."""
    return data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE)


def decode_as_written(data: bytes) -> str:
    """Text another program already accepted, decoded without normalising it: its offsets
    count in this text. UTF-16 by its BOM, else UTF-8 (BOM removed), else Windows-1252."""
    if has_utf16_bom(data):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def decode(data: bytes, path: str | Path) -> str:
    """Decode a transcript file's bytes, refusing empty, binary or oversized input."""
    check_size(len(data), path)
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        raise TranscriptError(path, "UTF-32 text is not supported; save it as UTF-8")
    if has_utf16_bom(data):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TranscriptError(path, "starts like UTF-16 text but is not valid UTF-16") from None
    elif b"\x00" in data:
        raise TranscriptError(path, "a binary file, not text (is it a PDF, image or Word file renamed?)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_8bit(data, path)
    text = normalise(text)
    if not text.strip():
        raise TranscriptError(path, "the file is empty")
    return text


def read_utf8(path: str | Path, error: type[FileProblem], what: str) -> str:
    """Read a UTF-8 file (a BOM is fine) that the user wrote, such as a codebook or ratings.

    `error` is the problem type to raise, `what` names the file in the advice.
    """
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(path, "no such file") from None
    except IsADirectoryError:
        raise error(path, f"is a folder; name the {what} file in it") from None
    except UnicodeDecodeError:
        raise error(path, f"not UTF-8 text; save the {what} as UTF-8") from None


def read_bytes(path: str | Path) -> bytes:
    """Read a transcript file's bytes, checking its size first."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, path)
        return path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError(path, "no such file") from None
    except IsADirectoryError:
        raise TranscriptError(path, "is a folder, not a transcript file") from None


def read_text(path: str | Path) -> str:
    """Read and decode a text file."""
    return decode(read_bytes(path), path)
