"""Which sources from other tools are transcripts (issue #13.2), and text outside every turn (#13.1)."""

from __future__ import annotations

from coder.exchange.source_turns import covering, declared_participants, source_turns, speaker_rule
from coder.ingest.formats.labels import UNKNOWN_SPEAKER
from coder.ingest.formats.parsed import ParticipantSpec

INTERVIEW = "I: Hoe gaat het?\nL: Goed.\nI: En de samenwerking?\nL: Prima, echt.\nJ: Ik ben het eens.\nI: Dank."
COMMENTS = """Reacties op het voorstel
Kormányfő: de regering moet luisteren.
Ik vind het een goed plan.
Covid: dat heeft alles veranderd.
Niemand vroeg ons iets.
Burgemeester: hij zei niets."""


def test_an_interview_is_speaker_turns():
    rule = speaker_rule(INTERVIEW)
    assert rule.turns and (rule.labels, rule.labelled_lines, rule.lines) == (3, 6, 6)
    assert rule.describe() == "speaker turns (3 labels on 6 of 6 lines)"


def test_word_colon_lines_in_prose_are_no_speakers():
    rule = speaker_rule(COMMENTS)
    assert not rule.turns
    assert rule.describe() == "paragraphs (most lines start with no label: 3 labels on 3 of 6 lines)"


def test_labels_that_never_recur_are_no_speakers():
    text = "Kormányfő: een.\nCovid: twee.\nBurgemeester: drie.\nWethouder: vier."
    assert speaker_rule(text).why == "the labels do not recur: 4 labels on 4 of 4 lines"


def test_many_distinct_labels_are_no_speakers():
    names = [f"Naam{n}" for n in range(8)]
    text = "\n".join(f"{name}: reactie {k}." for k in range(2) for name in names)  # 16 lines, 8 labels
    rule = speaker_rule(text)
    assert not rule.turns and rule.why.startswith("too many distinct labels for speakers")
    assert speaker_rule("\n".join(f"{name}: ja." for _ in range(5) for name in names)).turns  # 40 lines: 8 is few


def test_a_text_without_labels_is_paragraphs():
    assert speaker_rule("Eerste alinea.\n\nTweede alinea.").why == "no line starts with a label"


def test_paragraphs_cover_every_line_and_keep_the_word_colon_text():
    turns, participants, how = source_turns(COMMENTS)
    assert participants == (ParticipantSpec(UNKNOWN_SPEAKER, None),) and how.startswith("paragraphs")
    assert [COMMENTS[t.start:t.end] for t in turns] == COMMENTS.split("\n")


def test_text_before_the_first_turn_is_a_turn_of_the_unknown_speaker():
    text = "Datum: 12 maart\nInleiding door de onderzoeker.\n\n" + INTERVIEW
    turns, participants, _ = source_turns(text)
    assert turns[0].label == UNKNOWN_SPEAKER
    assert text[turns[0].start:turns[0].end] == "Datum: 12 maart\nInleiding door de onderzoeker."
    assert [p.label for p in participants] == ["I", "L", "J", UNKNOWN_SPEAKER]
    # outside the turns only the labels and line ends are left
    inside = {i for t in turns for i in range(t.start, t.end)}
    assert "".join(ch for i, ch in enumerate(text) if i not in inside).split() == ["I:", "L:", "I:", "L:", "J:", "I:"]


def test_covering_leaves_turns_that_cover_everything_alone():
    turns, _, _ = source_turns(INTERVIEW)
    assert covering(INTERVIEW, turns) == turns


def test_declared_speakers_start_turns_and_other_label_lines_stay_speech():
    text = "L: Wat ik zeg:\nCovid: dat veranderde alles.\nI: Echt?"
    declared = declared_participants("L: teacher; I: interviewer")
    assert declared == (ParticipantSpec("L", "teacher"), ParticipantSpec("I", "interviewer"))
    turns, participants, how = source_turns(text, declared)
    assert [(t.label, text[t.start:t.end]) for t in turns] == [
        ("L", "Wat ik zeg:\nCovid: dat veranderde alles."), ("I", "Echt?")]
    assert participants == declared and how == "speaker turns (the speakers the project names)"
    one = declared_participants(f"{UNKNOWN_SPEAKER}: unknown")
    turns, participants, how = source_turns(COMMENTS, one)
    assert len(turns) == 6 and participants == (ParticipantSpec(UNKNOWN_SPEAKER, None),)


def test_the_shipped_interviews_are_transcripts_by_their_text_alone():
    """A study exported to another tool that drops coder's `participants` variable still
    comes back with its speakers."""
    from coder.ingest.formats.coder_text import split_front_matter
    from tests.conftest import SAMPLE_TRANSCRIPTS

    for path in sorted(SAMPLE_TRANSCRIPTS.glob("*.txt")):
        rule = speaker_rule(split_front_matter(path.read_text(encoding="utf-8"))[1].strip())
        assert rule.turns and rule.labelled_lines == rule.lines, path.name
