"""Reading transcripts: front matter, turns, Word files and subtitles (DESIGN §5)."""

from __future__ import annotations

import pytest

from coder.errors import TranscriptError
from coder.ingest.formats.coder_text import find_turns, parse_transcript_text
from coder.ingest.transcript_formats import read_transcript
from tests.conftest import SAMPLE_TRANSCRIPTS, TRANSCRIPT, write
from tests.formats_helpers import word_file


def test_front_matter_and_turns():
    parsed = parse_transcript_text(TRANSCRIPT, "t.txt")
    assert (parsed.title, parsed.school_type, parsed.date) == ("Proefinterview", "po", "2023-03-14")
    assert [(p.label, p.role) for p in parsed.participants] == [
        ("I", "interviewer"), ("L", "teacher"), ("J", "youth-care-worker")]
    assert [t.label for t in parsed.turns] == ["I", "L", "J"]
    assert parsed.text[parsed.turns[2].start : parsed.turns[2].end] == "[pauze] Ja. Ik heb haar echt nodig."
    assert not parsed.text.startswith("---")


def test_declared_labels_start_turns_and_indented_lines_do_not():
    text = "L: Eerste zin.\n  Dus: dit hoort bij L.\nJ: Antwoord."
    turns = find_turns(text, ("L", "J"))
    assert [t.label for t in turns] == ["L", "J"]
    assert text[turns[0].start : turns[0].end] == "Eerste zin.\n  Dus: dit hoort bij L."


def test_a_declared_label_over_two_lines_keeps_its_turn_whole():
    """The second line of "a\\nb c:d:" starts like the turn of "b c:d", but it is inside the
    turn of "a\\nb c:d" that starts a line above: only the next line is a new turn."""
    text = "a\nb c:d: x\nb c:d: y"
    turns = find_turns(text, ("a\nb c:d", "b c:d"))
    assert [(t.label, text[t.start : t.end]) for t in turns] == [("a\nb c:d", "x"), ("b c:d", "y")]


def test_undeclared_labels_timestamps_and_interviewer_guess():
    text = "[00:00:05] Interviewer: Welkom.\n00:01 Leraar 2: Dank je.\n"
    parsed = parse_transcript_text(text, "t.txt")
    assert [(p.label, p.role) for p in parsed.participants] == [("Interviewer", "interviewer"), ("Leraar 2", None)]
    assert [parsed.text[t.start : t.end] for t in parsed.turns] == ["Welkom.", "Dank je."]
    assert [t.start_time for t in parsed.turns] == ["00:00:05", "00:00:01"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ntitle: x\nschool_type: havo\n---\nL: hoi", 3, "school_type 'havo' is not one of"),
        ("---\ntitle: x\nkleur: rood\n---\nL: hoi", 3, "unknown front matter key 'kleur'"),
        ("---\ntitle: x\non: rood\n---\nL: hoi", 3, "front matter key 'True' is not a name"),
        ("---\ntitle: x\n2024: rood\n---\nL: hoi", 3, "front matter key '2024' is not a name"),
        ("---\ntitle: !!python/object:os.system x\n---\nL: hoi", 2, "a value coder does not read"),
        ("---\ntitle: [x\n---\nL: hoi", 2, "front matter is not valid YAML"),
        ("---\nparticipants:\n  - {role: teacher}\n---\nL: hoi", 2, "needs a 'label'"),
        ("---\nparticipants:\n  - {label: L, naam: Piet}\n---\nL: hoi", 2, "unknown participant key 'naam'"),
        ("---\nparticipants: [L, L]\n---\nL: hoi", 2, "listed twice"),
        ("---\nparticipants: [L]\n---\nJ: hoi", 4, "'J' starts a turn but is not among the participants (L)"),
        ("---\nparticipants: [L]\n---\n  J: indented, so no turn", 4, "none of the participants (L) speaks"),
        ("zomaar wat tekst\nzonder sprekers", 1, "no speaker turns found"),
    ],
)
def test_bad_transcripts_are_refused_with_line(text, line, message):
    with pytest.raises(TranscriptError) as caught:
        parse_transcript_text(text, "bad.txt")
    assert caught.value.line == line
    assert message in str(caught.value)


def test_sample_transcripts_follow_the_study_design():
    files = sorted(SAMPLE_TRANSCRIPTS.glob("*.txt"))
    assert len(files) >= 8
    parsed = [read_transcript(f) for f in files]
    assert {"po", "sbo", "so", "vso", "vo", "mbo"} <= {p.school_type for p in parsed}
    for p in parsed:
        assert 1500 <= p.word_count <= 3000, p.source
        roles = {x.role for x in p.participants}
        assert "interviewer" in roles and "youth-care-worker" in roles, p.source
        assert roles & {"teacher", "mentor"}, p.source
        assert "pseudoniem" in (p.school or ""), p.source


def test_docx_follows_the_same_conventions(tmp_path):
    path = word_file(tmp_path / "interview.docx", [
        "---", "title: Word-interview", "school_type: vo", "participants:",
        "  - {label: M, role: mentor}", "---", "M: Eerste zin. Tweede zin.", "Nog een regel.",
    ])
    parsed = read_transcript(path)
    assert parsed.title == "Word-interview" and parsed.school_type == "vo"
    assert parsed.text[parsed.turns[0].start : parsed.turns[0].end] == "Eerste zin. Tweede zin.\nNog een regel."


def test_bad_docx_is_refused(tmp_path):
    with pytest.raises(TranscriptError, match="not a Word .docx file"):
        read_transcript(write(tmp_path, "fake.docx", b"PK\x03\x04 not really a zip"))
    with pytest.raises(TranscriptError, match="no text"):
        read_transcript(word_file(tmp_path / "blank.docx", []))


VTT = """WEBVTT

NOTE automatic transcription

1
00:00:01.000 --> 00:00:03.000
<v Interviewer>Welkom bij het interview.</v>

2
00:00:03.500 --> 00:00:06.000
<v Docent>Dank je. Ik begin maar.</v>

3
00:00:06.000 --> 00:00:08.000
En ik ga nog even door.

4
00:00:08.000 --> 00:00:09.000 align:start
<v.loud Interviewer>Mooi.
"""

SRT = """1
00:00:01,000 --> 00:00:03,000
Interviewer: Welkom.

2
00:00:03,000 --> 00:00:05,000
Coach: Dank je.
Ik werk hier al lang.

3
00:00:05,000 --> 00:00:06,000
Interviewer: Fijn.
"""


def test_vtt_voices_become_turns_and_cues_merge(tmp_path):
    parsed = read_transcript(write(tmp_path, "opname.vtt", VTT))
    spoken = [(t.label, parsed.text[t.start : t.end]) for t in parsed.turns]
    assert spoken == [
        ("Interviewer", "Welkom bij het interview."),
        ("Docent", "Dank je. Ik begin maar. En ik ga nog even door."),
        ("Interviewer", "Mooi."),
    ]
    assert parsed.participants[0].role == "interviewer"


def test_srt_name_prefixes_become_turns(tmp_path):
    parsed = read_transcript(write(tmp_path, "opname.srt", SRT))
    assert [(t.label, parsed.text[t.start : t.end]) for t in parsed.turns] == [
        ("Interviewer", "Welkom."), ("Coach", "Dank je. Ik werk hier al lang."), ("Interviewer", "Fijn.")]


def test_subtitles_without_cues_and_unknown_types_are_refused(tmp_path):
    with pytest.raises(TranscriptError, match="no subtitle cues"):
        read_transcript(write(tmp_path, "leeg.vtt", "WEBVTT\n\nNOTE niets\n"))
    with pytest.raises(TranscriptError, match="unsupported file type '.pdf'"):
        read_transcript(write(tmp_path, "x.pdf", b"%PDF"))


def test_an_impossible_date_names_the_file_and_its_line(tmp_path):
    path = write(tmp_path, "bad.txt", "---\ntitle: x\ndate: 2023-02-30\n---\nL: hoi\n")
    with pytest.raises(TranscriptError, match=r"bad.txt:3: front matter holds an impossible value"):
        read_transcript(path)
