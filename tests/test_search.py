"""Text search: exact words and word starts before fuzzy hits (issue #17, point 5)."""

from __future__ import annotations

from coder.coding.search import TextHits, exact_hits, fold, in_context, search_study, search_texts

TEXTS = [
    "Dat is echt iets anders.",            # 0: "anders" is close to "ouders", but not it
    "De ouders komen op school.",          # 1
    "Over ouderschap praten we vaak.",     # 2: a word start
    "Dit moment was belangrijk.",          # 3: close to "moeder", but not it
    "De grootouders halen hem op.",        # 4: "ouders" inside a word, not at its start
    "Ideeën van de Moeder.",               # 5
]


def test_a_word_finds_itself_and_words_it_starts_never_lookalikes():
    assert search_texts(TEXTS, "ouders") == TextHits("ouders", [1, 2])
    assert search_texts(TEXTS, "moeder").indexes == [5]  # not "moment"


def test_case_and_diacritics_do_not_matter():
    assert fold("Ideeën ÉÉN") == "ideeen een"
    assert exact_hits(TEXTS, "IDEEEN") == [5] and exact_hits(TEXTS, "ideeën") == [5]


def test_a_phrase_matches_its_words_in_order():
    assert exact_hits(TEXTS, "op  school") == [1] and exact_hits(TEXTS, "school op") == []


def test_fuzzy_only_when_asked_or_when_nothing_matches_exactly():
    asked = search_texts(TEXTS, "~ouders")
    assert asked.fuzzy and {0, 1, 2, 4} <= set(asked.indexes)  # asked for: lookalikes too
    typo = search_texts(TEXTS, "ouderschp")
    assert typo.fuzzy and typo.indexes == [2]
    assert "fuzzy" in typo.describe() and "fuzzy" not in search_texts(TEXTS, "ouders").describe()
    assert search_texts(TEXTS, "  ") == TextHits("", [])


def test_the_hit_count_and_the_current_hit():
    hits = search_texts(TEXTS, "ouders")
    assert hits.describe() == "2 hits for “ouders”"
    assert hits.describe(current=2) == "hit 2 of 2 for “ouders”" and hits.describe(current=3) == hits.describe()
    assert search_texts(TEXTS, "~ouders").describe(current=1).startswith("hit 2 of ")


def test_a_hit_is_shown_around_the_word_found():
    text = "Als de juf zich zorgen maakt over een leerling, dan voer ik een gesprek met de ouders thuis."
    shown = in_context(text, "ouders", 30)
    assert shown.startswith("…") and shown.endswith("thuis.") and shown.index("ouders") == 10  # a third in
    assert in_context("Kort.", "kort", 30) == "Kort."
    assert in_context(text, "als", 20) == text[:19] + "…"


def test_the_study_search_lists_segments_of_every_transcript(demo):
    with demo.reader() as session:
        result = search_study(session, "ouders")
    assert not result.hits.fuzzy and len(result.found) == len(result.hits.indexes) > 1
    assert len({hit.transcript_id for hit in result.found}) > 1
    assert all("ouder" in fold(hit.text) for hit in result.found) and all(hit.speaker for hit in result.found)
