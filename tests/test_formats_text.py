"""The text and Word transcripts of Teams, Zoom, Otter, noScribe, WhisperX, Amberscript and f4/f5.

Each sample is written for its test in the layout the tool uses; no real interview is in them.
"""

from __future__ import annotations

import json

import pytest

from coder.errors import TranscriptError
from coder.ingest.transcript_formats import read_transcript
from tests.conftest import write
from tests.formats_helpers import spoken, word_file

TEAMS_TEXT = """Interview leerkracht groep 7

0:0:0.0 --> 0:0:4.720
Eva de Vries
Goedemorgen, zullen we beginnen?

0:0:5.100 --> 0:0:9.250
Anne-Marie van den Berg
Ja, prima.
Ik heb tot half tien.

0:0:9.800 --> 0:0:12.0
Eva de Vries
Dan houden we het kort.
"""


def test_teams_text_transcript(tmp_path):
    parsed = read_transcript(write(tmp_path, "teams.txt", TEAMS_TEXT))
    assert parsed.format == "Teams transcript"
    assert spoken(parsed) == [
        ("Eva de Vries", "Goedemorgen, zullen we beginnen?", "00:00:00"),
        ("Anne-Marie van den Berg", "Ja, prima.\nIk heb tot half tien.", "00:00:05"),
        ("Eva de Vries", "Dan houden we het kort.", "00:00:09"),
    ]


def test_teams_word_transcript(tmp_path):
    parsed = read_transcript(word_file(tmp_path / "teams.docx", TEAMS_TEXT.split("\n")))
    assert parsed.format == "Teams transcript (Word)"
    assert [label for label, _, _ in spoken(parsed)] == ["Eva de Vries", "Anne-Marie van den Berg", "Eva de Vries"]


def test_zoom_text_transcript(tmp_path):
    text = (
        "[Ashlee Kupor] 19:00:25\nGoedenavond allemaal.\n[Jan de Boer] 19:00:31\nGoedenavond.\n"
        "[Jan de Boer] 19:00:40\nZal ik beginnen?\n[Ashlee Kupor] 19:00:44\nGraag.\n"
    )
    parsed = read_transcript(write(tmp_path, "meeting_saved_closed_caption.txt", text))
    assert parsed.format == "Zoom transcript"
    assert spoken(parsed) == [
        ("Ashlee Kupor", "Goedenavond allemaal.", "19:00:25"),
        ("Jan de Boer", "Goedenavond. Zal ik beginnen?", "19:00:31"),
        ("Ashlee Kupor", "Graag.", "19:00:44"),
    ]


OTTER = """Emma  0:34
Thanks for joining me today.

Speaker 2  1:02
Happy to be here. We started at 10:30.

Emma  1:15:20
Let's begin.

Transcribed by https://otter.ai
"""


def test_otter_text_export(tmp_path):
    parsed = read_transcript(write(tmp_path, "otter.txt", OTTER))
    assert parsed.format == "Otter"
    assert spoken(parsed) == [
        ("Emma", "Thanks for joining me today.", "00:00:34"),
        ("Speaker 2", "Happy to be here. We started at 10:30.", "00:01:02"),
        ("Emma", "Let's begin.", "01:15:20"),
    ]


def test_newer_teams_word_transcript_has_otters_layout(tmp_path):
    paragraphs = ["Eva de Vries   0:03", "Goedemorgen.", "Anne-Marie van den Berg   0:07", "Hallo Eva."]
    parsed = read_transcript(word_file(tmp_path / "teams-nieuw.docx", paragraphs))
    assert parsed.format == "speaker and time lines (Otter, Teams) (Word)"
    assert spoken(parsed) == [("Eva de Vries", "Goedemorgen.", "00:00:03"),
                              ("Anne-Marie van den Berg", "Hallo Eva.", "00:00:07")]


NOSCRIBE_TEXT = """interview_03
Transcribed with noScribe vers. 0.5
Audio file: interview_03.mp3
(language: nl, speaker detection: auto)

S00 [00:00:02]: Goedemorgen, fijn dat u er bent. [00:00:31] Zullen we beginnen?

S01 [00:00:35]: Ja, graag. Ik denk //S00: mm-hmm// dat het goed gaat.

S00 [00:01:10]: Mooi. (..)
"""


def test_noscribe_text_with_timestamps_and_overlapping_speech(tmp_path):
    parsed = read_transcript(write(tmp_path, "interview_03.txt", NOSCRIBE_TEXT))
    assert parsed.format == "noScribe (text)"
    assert spoken(parsed) == [
        ("S00", "Goedemorgen, fijn dat u er bent. Zullen we beginnen?", "00:00:02"),
        ("S01", "Ja, graag. Ik denk", "00:00:35"),
        ("S00", "mm-hmm", None),
        ("S01", "dat het goed gaat.", None),
        ("S00", "Mooi. (..)", "00:01:10"),
    ]


NOSCRIBE_HTML = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN" "http://www.w3.org/TR/REC-html40/strict.dtd">
<html >
<head >
<meta charset="UTF-8" />
<meta name="audio_source" content="interview_03.mp3" />
<style type="text/css" > p { font-size: 0.9em; } </style>
</head>
<body style="font-family: 'Arial'" >
<div class="WordSection1">
<p style="font-weight: 600">Interview 3: mentor</p>
<p><span style="color: #909090; font-size: 0.8em">Transcribed with noScribe vers. 0.5<br />Audio file: interview_03.mp3<br />(language: nl)</span></p>
<p></p>
<p><a name="ts_2000_30000_S00" >S00: Goedemorgen, welkom bij Jansen &amp; Co.</a><a name="ts_31000_33000_S00" > Zullen we beginnen?</a></p>
<p><a name="ts_35000_40000_S01" >S01: Ja, graag.</a></p>
</div>
</body>
</html>"""


def test_noscribe_html_takes_start_times_from_its_anchors(tmp_path):
    parsed = read_transcript(write(tmp_path, "interview_03.html", NOSCRIBE_HTML))
    assert parsed.format == "noScribe (HTML)"
    assert spoken(parsed) == [
        ("S00", "Goedemorgen, welkom bij Jansen & Co. Zullen we beginnen?", "00:00:02"),
        ("S01", "Ja, graag.", "00:00:35"),
    ]


def test_whisperx_json(tmp_path):
    result = {
        "segments": [
            {"start": 0.031, "end": 2.4, "text": " Goedemiddag, welkom.", "speaker": "SPEAKER_00",
             "words": [{"word": "Goedemiddag,", "start": 0.031, "end": 0.9, "score": 0.91, "speaker": "SPEAKER_00"}]},
            {"start": 2.9, "end": 5.1, "text": " Dank u wel.", "speaker": "SPEAKER_01", "words": []},
            {"start": 5.2, "end": 6.0, "text": " Zullen we?", "words": []},
            {"start": 62.5, "end": 65.0, "text": " Ja.", "speaker": "SPEAKER_00", "words": []},
        ],
        "word_segments": [],
        "language": "nl",
    }
    parsed = read_transcript(write(tmp_path, "interview.json", json.dumps(result)))
    assert parsed.format == "WhisperX (JSON)"
    assert spoken(parsed) == [
        ("SPEAKER_00", "Goedemiddag, welkom.", "00:00:00"),
        ("SPEAKER_01", "Dank u wel. Zullen we?", "00:00:02"),
        ("SPEAKER_00", "Ja.", "00:01:02"),
    ]


def test_json_that_is_not_whisperx_is_refused(tmp_path):
    with pytest.raises(TranscriptError, match="not a WhisperX transcript"):
        read_transcript(write(tmp_path, "settings.json", '{"theme": "dark"}'))
    with pytest.raises(TranscriptError, match="not valid JSON"):
        read_transcript(write(tmp_path, "kapot.json", '{"segments": ['))


@pytest.mark.parametrize("layout", ["[{speaker}]: {text}", "{speaker}: {text}"])
def test_whisperx_text(tmp_path, layout):
    lines = [layout.format(speaker="SPEAKER_00", text="Goedemiddag."), layout.format(speaker="SPEAKER_01", text="Dank u."),
             "Een regel zonder spreker.", layout.format(speaker="SPEAKER_00", text="Ja.")]
    parsed = read_transcript(write(tmp_path, "interview.txt", "\n".join(lines) + "\n"))
    assert parsed.format == "WhisperX (text)"
    assert spoken(parsed) == [
        ("SPEAKER_00", "Goedemiddag.", None),
        ("SPEAKER_01", "Dank u. Een regel zonder spreker.", None),
        ("SPEAKER_00", "Ja.", None),
    ]


def test_amberscript_word_file(tmp_path):
    paragraphs = ["Interview 4", "Spreker 1 [00:00:03]", "Goedemorgen.", "Hoe gaat het?",
                  "Spreker 2 [00:00:09]", "Goed, dank je.", "Spreker 1 [00:01:12.5]", "Mooi."]
    parsed = read_transcript(word_file(tmp_path / "amberscript.docx", paragraphs))
    assert parsed.format == "Amberscript (Word)"
    assert spoken(parsed) == [
        ("Spreker 1", "Goedemorgen.\nHoe gaat het?", "00:00:03"),
        ("Spreker 2", "Goed, dank je.", "00:00:09"),
        ("Spreker 1", "Mooi.", "00:01:12"),
    ]


F4 = """Interview 7, Schule Nord
Datum: 12.03.2024

I: Wie sind Sie zu diesem Beruf gekommen? #00:00:12-5#

B: Das war eher Zufall. #00:01:03-2#

Ich hatte vorher etwas anderes gemacht. #00:01:20-0#

I: Und dann? #00:01:25-4#

#00:02:00-0# B: Dann kam die Stelle.

#00:03:10-0#

I: Danke.
"""

F4_SPOKEN = [
    ("I", "Wie sind Sie zu diesem Beruf gekommen?", "00:00:00"),
    ("B", "Das war eher Zufall.\nIch hatte vorher etwas anderes gemacht.", "00:00:12"),
    ("I", "Und dann?", "00:01:20"),
    ("B", "Dann kam die Stelle.", "00:02:00"),
    ("I", "Danke.", "00:03:10"),
]


def test_f4_text(tmp_path):
    parsed = read_transcript(write(tmp_path, "interview7.txt", F4))
    assert parsed.format == "f4/f5"
    assert spoken(parsed) == F4_SPOKEN
    assert "#" not in parsed.text and "Datum" not in parsed.text
    assert [(p.label, p.role) for p in parsed.participants] == [("I", "interviewer"), ("B", None)]


def test_f4_word_file(tmp_path):
    parsed = read_transcript(word_file(tmp_path / "interview7.docx", F4.split("\n")))
    assert parsed.format == "f4/f5 (Word)"
    assert spoken(parsed) == F4_SPOKEN


def test_html_without_speaker_turns_is_refused_with_what_coder_expects(tmp_path):
    page = "<!DOCTYPE html><html><body><p>Een webpagina.</p><p>Geen interview.</p></body></html>"
    with pytest.raises(TranscriptError, match="no speaker turns found: coder reads noScribe's paragraphs"):
        read_transcript(write(tmp_path, "pagina.html", page))
