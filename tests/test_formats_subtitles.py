"""WebVTT and SRT as Teams, Zoom, noScribe and WhisperX write them (DESIGN §5).

The samples are written for these tests in the layout each tool uses; no real interview is in them.
"""

from __future__ import annotations

import pytest

from coder.errors import TranscriptError
from coder.ingest.transcript_formats import read_transcript
from tests.conftest import write
from tests.formats_helpers import spoken

TEAMS_VTT = """WEBVTT

3f9c2a71-8d2e-4c1b-9a55-2b8e7f0c1d44/11-0
00:00:03.120 --> 00:00:06.480
<v Eva de Vries>Goedemorgen, fijn dat je tijd hebt.</v>

3f9c2a71-8d2e-4c1b-9a55-2b8e7f0c1d44/12-0
00:00:06.480 --> 00:00:08.010
<v Eva de Vries>Zullen we beginnen?</v>

3f9c2a71-8d2e-4c1b-9a55-2b8e7f0c1d44/13-0
00:00:08.900 --> 00:00:12.300
<v Anne-Marie van den Berg>Ja hoor, ik ben er klaar voor.</v>

3f9c2a71-8d2e-4c1b-9a55-2b8e7f0c1d44/14-0
00:00:12.300 --> 00:00:15.000
<v Eva de Vries>Mooi. Dan de eerste vraag.</v>
"""

#: Teams in 2020: the voice tag holds the user's id, not a name.
TEAMS_2020_VTT = """WEBVTT

00:00:00.000 --> 00:00:04.200
<v 8:orgid:3f9c2a71-8d2e-4c1b-9a55-2b8e7f0c1d44>Welkom allemaal.</v>

00:00:04.900 --> 00:00:07.000
<v 8:orgid:91ab2d7c-d011-4db4-a72f-988bf86f141a>Dank je wel.</v>
"""

#: Zoom: `Name:` before the text, left out while the same person goes on.
ZOOM_VTT = """WEBVTT

1
00:00:01.350 --> 00:00:04.920
Ashlee Kupor (SL): Okay, I think we're recording now.

2
00:00:05.010 --> 00:00:09.300
So let's start with the first question.

3
00:00:09.870 --> 00:00:13.440
Jan de Boer: Sure: I have been teaching for twelve years.

4
00:00:13.500 --> 00:00:15.000
iPhone van Eva: Ik ben er ook.

5
00:00:15.100 --> 00:00:17.000
iPhone van Eva: Sorry, mijn camera.

6
00:01:02.000 --> 00:01:05.000
Ashlee Kupor (SL): Welcome, Eva.
"""


def test_teams_voice_tags_with_multi_word_names(tmp_path):
    parsed = read_transcript(write(tmp_path, "teams.vtt", TEAMS_VTT))
    assert parsed.format == "WebVTT (Teams)"
    assert spoken(parsed) == [
        ("Eva de Vries", "Goedemorgen, fijn dat je tijd hebt. Zullen we beginnen?", "00:00:03"),
        ("Anne-Marie van den Berg", "Ja hoor, ik ben er klaar voor.", "00:00:08"),
        ("Eva de Vries", "Mooi. Dan de eerste vraag.", "00:00:12"),
    ]
    assert [p.label for p in parsed.participants] == ["Eva de Vries", "Anne-Marie van den Berg"]
    assert parsed.text.split("\n")[1] == "Anne-Marie van den Berg: Ja hoor, ik ben er klaar voor."


def test_teams_2020_voice_tags_holding_user_ids(tmp_path):
    parsed = read_transcript(write(tmp_path, "teams-2020.vtt", TEAMS_2020_VTT))
    assert spoken(parsed) == [
        ("8:orgid:3f9c2a71-8d2e-4c1b-9a55-2b8e7f0c1d44", "Welkom allemaal.", "00:00:00"),
        ("8:orgid:91ab2d7c-d011-4db4-a72f-988bf86f141a", "Dank je wel.", "00:00:04"),
    ]


def test_zoom_names_with_brackets_and_cues_that_continue_a_speaker(tmp_path):
    parsed = read_transcript(write(tmp_path, "zoom.vtt", ZOOM_VTT))
    assert parsed.format == "WebVTT (Zoom)"
    assert spoken(parsed) == [
        ("Ashlee Kupor (SL)", "Okay, I think we're recording now. So let's start with the first question.", "00:00:01"),
        ("Jan de Boer", "Sure: I have been teaching for twelve years.", "00:00:09"),
        ("iPhone van Eva", "Ik ben er ook. Sorry, mijn camera.", "00:00:13"),
        ("Ashlee Kupor (SL)", "Welcome, Eva.", "00:01:02"),
    ]


def test_bom_crlf_notes_optional_hours_and_overlapping_cues(tmp_path):
    vtt = (
        "\ufeffWEBVTT - proefinterview\r\n\r\nNOTE\r\nhandmatig nagekeken\r\n\r\n"
        "STYLE\r\n::cue { color: yellow }\r\n\r\n"
        "00:01.000 --> 00:04.000 align:start\r\n<v Interviewer>Hoe gaat het &amp; hoe lang al?\r\n\r\n"
        "00:03.500 --> 00:05.000\r\n<v Leraar><i>Goed</i>.\r\n\r\n"
        "00:09.000 --> 00:10.000\r\n<v.loud Interviewer>Fijn.\r\n\r\n"
        "00:04.500 --> 00:07.000\r\n<v Interviewer>Fijn om te horen.\r\n<v Leraar>Twaalf jaar.\r\n"
    )
    parsed = read_transcript(write(tmp_path, "opname.vtt", vtt.encode("utf-8")))
    assert spoken(parsed) == [
        ("Interviewer", "Hoe gaat het & hoe lang al?", "00:00:01"),
        ("Leraar", "Goed.", "00:00:03"),
        ("Interviewer", "Fijn om te horen.", "00:00:04"),
        ("Leraar", "Twaalf jaar.", "00:00:04"),
        ("Interviewer", "Fijn.", "00:00:09"),
    ]


def test_whisperx_srt_speaker_prefixes(tmp_path):
    srt = (
        "1\n00:00:00,031 --> 00:00:02,412\n[SPEAKER_00]: Goedemiddag.\n\n"
        "2\n00:00:02,900 --> 00:00:05,100\n[SPEAKER_01]: Hallo, daar ben ik.\n\n"
        "3\n00:00:05,300 --> 00:00:06,000\n[SPEAKER_01]: Zullen we?\n"
    )
    parsed = read_transcript(write(tmp_path, "whisperx.srt", srt))
    assert parsed.format == "SRT (WhisperX)"
    assert spoken(parsed) == [
        ("SPEAKER_00", "Goedemiddag.", "00:00:00"),
        ("SPEAKER_01", "Hallo, daar ben ik. Zullen we?", "00:00:02"),
    ]


def test_noscribe_vtt(tmp_path):
    vtt = (
        "WEBVTT interview_03\n\nNOTE\nTranscribed with noScribe vers. 0.5\nAudio file: interview_03.mp3\n\n"
        "NOTE media: interview_03.mp3\n\n"
        "1\n00:00:00.000 --> 00:00:03.200\n<v S00>Goedemorgen.\n\n"
        "2\n00:00:03.500 --> 00:00:06.000\n<v S01>Goedemorgen, ga zitten.\n"
    )
    parsed = read_transcript(write(tmp_path, "interview_03.vtt", vtt))
    assert parsed.format == "WebVTT (noScribe)"
    assert spoken(parsed) == [("S00", "Goedemorgen.", "00:00:00"), ("S01", "Goedemorgen, ga zitten.", "00:00:03")]


def test_cues_before_anyone_is_named_are_given_to_an_unknown_speaker_and_said_so(tmp_path):
    vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nDag.\n\n00:02.000 --> 00:04.000\n<v Anna>Hallo.\n"
    parsed = read_transcript(write(tmp_path, "half.vtt", vtt))
    assert spoken(parsed) == [("Spreker", "Dag.", "00:00:00"), ("Anna", "Hallo.", "00:00:02")]
    assert parsed.notes == ("1 passage(s) before the first named speaker are given to 'Spreker'",)


def test_a_file_without_cues_is_refused(tmp_path):
    with pytest.raises(TranscriptError, match="no subtitle cues"):
        read_transcript(write(tmp_path, "leeg.vtt", "WEBVTT\n\nNOTE alleen een notitie\n"))
