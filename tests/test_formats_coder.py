"""coder's own format: no speech is silently given to the wrong speaker (issue #12, point 2)."""

from __future__ import annotations

import pytest

from coder.errors import TranscriptError
from coder.ingest.formats.coder_text import parse_transcript_text
from coder.ingest.transcript_formats import read_transcript
from tests.conftest import write
from tests.formats_helpers import spoken, word_file


def test_without_front_matter_multi_word_names_are_speakers():
    text = "Eva de Vries: Goedemorgen.\nAnne-Marie van den Berg: Hallo.\nDat klopt.\nEva de Vries: Fijn."
    parsed = parse_transcript_text(text, "t.txt")
    assert spoken(parsed) == [
        ("Eva de Vries", "Goedemorgen.", None),
        ("Anne-Marie van den Berg", "Hallo.\nDat klopt.", None),
        ("Eva de Vries", "Fijn.", None),
    ]


def test_sentences_with_a_colon_are_not_speakers():
    text = "L: Toen zei de intern begeleider: doe mee.\nIk zei toen: goed.\nLos van de samenwerking: het werkt."
    parsed = parse_transcript_text(text, "t.txt")
    assert [label for label, _, _ in spoken(parsed)] == ["L"]


def test_a_speaker_missing_from_the_front_matter_is_an_error_with_file_and_line(tmp_path):
    path = write(tmp_path, "interview.txt", (
        "---\ntitle: Proef\nparticipants:\n  - {label: I, role: interviewer}\n  - {label: L, role: teacher}\n---\n"
        "I: Hoe gaat het?\nL: Goed.\nJeugdhulp: Bij mij ook.\nI: Fijn.\n"
    ))
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path)
    assert (caught.value.path, caught.value.line) == (str(path), 9)
    assert "'Jeugdhulp' starts a turn but is not among the participants (I, L)" in str(caught.value)
    assert str(caught.value).startswith(f"{path}:9: ")


def test_the_error_line_counts_blank_lines_after_the_front_matter():
    with pytest.raises(TranscriptError) as caught:
        parse_transcript_text("---\nparticipants: [L]\n---\n\n\nL: hoi\nJ: hallo", "t.txt")
    assert caught.value.line == 7


HEADER = ["Interview met leerkracht groep 7", "Datum: 12 maart 2024", "Locatie: Basisschool Noord",
          "Interviewer: Welkom.", "Leraar: Dank je.", "Interviewer: Zullen we beginnen?"]


def test_header_lines_before_the_first_turn_are_metadata_not_speakers(tmp_path):
    parsed = read_transcript(write(tmp_path, "interview.txt", "\n".join(HEADER)))
    assert [p.label for p in parsed.participants] == ["Interviewer", "Leraar"]
    assert spoken(parsed)[0] == ("Interviewer", "Welkom.", None)


def test_a_word_file_with_a_heading_and_a_date_line(tmp_path):
    parsed = read_transcript(word_file(tmp_path / "interview.docx", HEADER))
    assert parsed.format == "coder (Word)"
    assert [p.label for p in parsed.participants] == ["Interviewer", "Leraar"]


def test_a_declared_participant_called_like_a_header_field_still_speaks():
    parsed = parse_transcript_text("---\nparticipants: [Datum, L]\n---\nDatum: Ik ben Datum.\nL: Oh.", "t.txt")
    assert [label for label, _, _ in spoken(parsed)] == ["Datum", "L"]


def test_turn_times_in_front_of_labels_become_start_times():
    parsed = parse_transcript_text("[00:12:34] L1: Ja.\n[1:02:03.5] L2: Nee.\n00:05 L1: Toch.", "t.txt")
    assert [time for _, _, time in spoken(parsed)] == ["00:12:34", "01:02:03", "00:00:05"]
