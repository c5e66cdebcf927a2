"""The built-in finder of candidate names (`coder pseudonymise suggest`, issue #14)."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from coder.ingest import deduce_finder as deduce_module
from coder.ingest.deduce_finder import deduce_finder
from coder.ingest.formats.coder_text import parse_transcript_text
from coder.ingest.name_finder import capitalised_names, suggest
from tests.test_cli import run


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


class _FakeDeduce:
    """Stands in for deduce's `Deduce` (the tests never need the extra): one annotated text."""

    def __init__(self, cache_path):
        (cache_path / "cache").mkdir(parents=True, exist_ok=True)
        (cache_path / "cache" / "lookup_structs.pickle").write_bytes(b"")

    def deidentify(self, text):
        spans = [("Sophie. Sophie", "persoon"), ("Meester Henk", "persoon"), ("Kerkstraat 12", "locatie_straat"),
                 ("12 jaar", "leeftijd")]
        found = [SimpleNamespace(text=t, tag=tag, start_char=text.index(t)) for t, tag in spans if t in text]
        return SimpleNamespace(annotations=SimpleNamespace(sorted=lambda by: sorted(found, key=lambda a: a.start_char)))


def test_deduces_names_come_apart_at_punctuation_without_titles_beside_the_builtin_ones(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "deduce", SimpleNamespace(Deduce=_FakeDeduce))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    said: list[str] = []
    find = deduce_finder(said.append)
    assert said[0] == f"building deduce's lookup tables once, into {tmp_path / 'coder' / 'deduce'}; this takes a minute or two"
    text = "Sophie. Sophie (12 jaar) woont aan de Kerkstraat 12. Meester Henk belt Bas op 0612345678."
    assert list(find(text)) == [("Sophie", "person"), ("Sophie", "person"), ("Kerkstraat 12", "place"),
                                ("Henk", "person"), ("0612345678", "phone"), ("Kerkstraat", "person"),
                                ("Henk", "person"), ("Bas", "person")]
    said.clear()
    deduce_finder(said.append)
    assert said == ["deduce is ready"]  # built once


def test_suggest_without_deduce_uses_the_builtin_finder_and_refuses_to_ask_for_deduce(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(deduce_module, "available", lambda: False)
    source = tmp_path / "a.txt"
    source.write_text("I: Dag Anouk.\nL: Dag. Ik werk met Bas.\n", encoding="utf-8")
    code, out, _ = run(capsys, "pseudonymise", "suggest", str(source))
    assert code == 0 and "Bas → Persoon" in out
    code, _, err = run(capsys, "pseudonymise", "suggest", "--finder", "deduce", str(source))
    assert code == 2 and "deduce is not installed" in err
