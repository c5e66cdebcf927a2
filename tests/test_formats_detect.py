"""The reader is chosen by what a file holds; the suffix only breaks ties."""

from __future__ import annotations

import pytest

from coder.errors import TranscriptError
from coder.ingest.formats.detect import reader_for
from coder.ingest.transcript_formats import read_transcript
from tests.conftest import TRANSCRIPT, write
from tests.test_formats_subtitles import TEAMS_VTT, ZOOM_VTT
from tests.test_formats_text import F4, NOSCRIBE_TEXT, OTTER, TEAMS_TEXT


@pytest.mark.parametrize(
    ("name", "content", "format"),
    [
        ("vergadering.txt", TEAMS_TEXT, "Teams transcript"),
        ("teams.vtt", TEAMS_VTT, "WebVTT (Teams)"),
        ("zoom.vtt", ZOOM_VTT, "WebVTT (Zoom)"),
        ("zoom-ondertitels.txt", ZOOM_VTT, "WebVTT (Zoom)"),
        ("otter.md", OTTER, "Otter"),
        ("interview.txt", NOSCRIBE_TEXT, "noScribe (text)"),
        ("interview.txt", F4, "f4/f5"),
        ("proef.txt", TRANSCRIPT, "coder"),
        ("proef.vtt", TRANSCRIPT, "coder"),
    ],
)
def test_the_format_is_recognised_by_content(tmp_path, name, content, format):
    assert read_transcript(write(tmp_path, name, content)).format == format


def test_coder_text_with_turn_times_is_not_taken_for_another_format():
    text = "[00:00:05] Interviewer: Welkom.\n00:01 Leraar 2: Dank je.\nInterviewer: Om 10:30 dus.\n"
    assert reader_for(text, ".txt").name == "coder"


def test_a_damaged_file_is_read_by_its_suffix_and_the_reader_says_what_is_wrong(tmp_path):
    with pytest.raises(TranscriptError, match="no subtitle cues"):
        read_transcript(write(tmp_path, "kapot.srt", "1\nnog geen tijden\n"))


def test_unsupported_suffixes_are_refused(tmp_path):
    with pytest.raises(TranscriptError, match="unsupported file type '.pdf'"):
        read_transcript(write(tmp_path, "x.pdf", b"%PDF"))
