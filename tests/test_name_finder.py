"""The built-in finder of candidate names (`coder pseudonymise suggest`, issue #14)."""

from __future__ import annotations

import pytest

from coder.ingest.formats.coder_text import parse_transcript_text
from coder.ingest.name_finder import capitalised_names, suggest


@pytest.mark.parametrize(("text", "names"), [
    ("Ik sprak met Marieke van den Berg en Jan.", [("Marieke van den Berg", "person"), ("Jan", "person")]),
    ("We vroegen mevrouw van der Linden om raad.", [("van der Linden", "person")]),
    ("Het kind zit op de Sint-Bavoschool in Haarlem.", [("Sint-Bavoschool", "school"), ("Haarlem", "place")]),
    ("De GGD belde. Toen kwam Anouk.", [("GGD", "institution"), ("Anouk", "person")]),
    ("Jan in Haarlem? Nee, oké, ik weet het niet.", [("Haarlem", "place")]),  # a first word says nothing
    ("meneer de Vries zei het", [("Vries", "person")]),
])
def test_capitalised_words_not_starting_a_sentence_are_names(text, names):
    assert list(capitalised_names(text)) == names


def test_suggest_proposes_pseudonyms_by_kind_and_role():
    parsed = parse_transcript_text(
        "---\nschool: Het Kompas\nparticipants:\n  - {label: I, role: interviewer}\n"
        "  - {label: Sanne Bakker, role: teacher}\n  - {label: Ahmed, role: youth-care-worker}\n---\n"
        "I: Hoe gaat het, Sanne?\nSanne Bakker: Goed. Ahmed en Bas helpen. Bas is op 3 mei 2015 geboren; "
        "mail sanne@kompas.example of bel 020 123 4567.\nAhmed: Bakker heeft gelijk.\n", "x.txt")
    proposed = {c.name: (c.kind, c.pseudonym, c.count) for c in suggest([parsed])}
    assert proposed == {
        "Sanne Bakker": ("person", "Leerkracht 1", 1), "Sanne": ("person", "Leerkracht 1", 1),
        "Bakker": ("person", "Leerkracht 1", 1), "Ahmed": ("person", "Jeugdhulpverlener 1", 2),
        "Bas": ("person", "Persoon 1", 2), "Het Kompas": ("school", "School A", 1),
        "sanne@kompas.example": ("e-mail", "[e-mail]", 1), "020 123 4567": ("phone", "[telefoon]", 1),
        "3 mei 2015": ("date", "[datum]", 1),
    }
