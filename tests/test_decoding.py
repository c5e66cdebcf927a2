"""Decoding and normalising transcript text: every accepted and refused input."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

import pytest

from coder.errors import TranscriptError
from coder.ingest import decoding
from coder.ingest.decoding import decode, normalise, read_text
from tests.conftest import write

DUTCH = "L: Café, één enquête en een cliënt – dat zeiden ze.\n"


@pytest.mark.parametrize(
    "data",
    [
        DUTCH.encode("utf-8"),
        codecs.BOM_UTF8 + DUTCH.encode("utf-8"),
        codecs.BOM_UTF16_LE + DUTCH.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + DUTCH.encode("utf-16-be"),
        DUTCH.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "windows-1252"],
)
def test_supported_encodings_decode_to_the_same_text(data):
    assert decode(data, "t.txt") == DUTCH


def test_line_endings_and_odd_separators_are_normalised():
    raw = "a\r\nb\rc\u2028d\u2029e\x0cf\u0085g"
    assert normalise(raw) == "a\nb\nc\nd\ne\nf\ng"


def test_decomposed_accents_are_composed_so_offsets_match_the_screen():
    assert normalise("e\u0301e\u0308n") == "éën"
    assert len(normalise("e\u0301")) == 1


def test_invisible_characters_and_odd_spaces_are_removed():
    assert normalise("a\u00a0b\u200bc\ufeffd\u00ade") == "a bcde"


def test_text_without_a_character_to_clean_is_one_the_cleaning_would_leave_as_it_is():
    """`normalise` skips its cleaning for text holding none of `_TO_CLEAN`, which is right only if
    every other character, and so any text of them, is one no step changes."""
    others = "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if not decoding._TO_CLEAN.match(ch))
    assert decoding._clean(others) == others


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"%PDF-1.7\x00\x01\x02binary", "binary"),
        (codecs.BOM_UTF32_LE + "x".encode("utf-32-le"), "UTF-32"),
        ("Привет, как дела? Это интервью.".encode("cp1251"), "not UTF-8, UTF-16 or Windows-1252"),
        (b"caf\x81 \x8d", "not UTF-8, UTF-16 or Windows-1252"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "not valid UTF-16"),
    ],
    ids=["empty", "blank", "binary", "utf-32", "cyrillic-8bit", "undefined-cp1252", "broken-utf16"],
)
def test_refused_input_names_the_file(data, message):
    with pytest.raises(TranscriptError, match=message) as caught:
        decode(data, "interview.txt")
    assert str(caught.value).startswith("interview.txt: ")


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    """Against a limit lowered to 1 MB: a file of exactly 1 MB is read, one byte more is
    refused from its size alone, and so are bytes already in memory (a .docx's text)."""
    monkeypatch.setattr(decoding, "MAX_BYTES", 2**20)
    text = "L: " + "a" * (2**20 - 3)
    assert read_text(write(tmp_path, "at-limit.txt", text)) == text
    over = write(tmp_path, "over.txt", text + "a")
    with monkeypatch.context() as patch:
        patch.setattr(Path, "read_bytes", refuse_to_read)
        with pytest.raises(TranscriptError, match=r"over\.txt: too large \(1\.0 MB; the limit is 1 MB\)"):
            read_text(over)
    with pytest.raises(TranscriptError, match="too large"):
        decode((text + "a").encode(), "in-memory.docx")


def refuse_to_read(path: Path) -> bytes:
    raise AssertionError(f"{path} was read although its size is over the limit")


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(TranscriptError, match="no such file"):
        read_text(tmp_path / "gone.txt")
    with pytest.raises(TranscriptError, match="is a folder"):
        read_text(tmp_path)
    assert read_text(write(tmp_path, "ok.txt", DUTCH)) == DUTCH


def test_escape_sequences_and_control_characters_never_reach_the_terminal():
    """A transcript that would retitle the window, clear the screen or ring the bell (issue #19.5)."""
    hostile = "Hoi\x1b]0;pwned title\x07 daar\x1b[2J, \x1b[31mrood\x1b[0m\x07 en\x00 \x9b31mklaar\x1b."
    assert normalise(hostile) == "Hoi daar, rood en klaar."


def test_zero_width_joiners_stay_in_emoji_and_persian_text():
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    persian = "می\u200cخواهم"
    assert normalise(f"{family} {persian}\u200b") == f"{family} {persian}"
    assert normalise("kolom\ttab\nregel") == "kolom\ttab\nregel"
