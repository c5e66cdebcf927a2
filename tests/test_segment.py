"""Segmentation rules for Dutch interview text (issue 2, part 4)."""

from __future__ import annotations

import pytest

from coder.ingest.segmentation import segment_text
from coder.ingest.workers import TEXT_PER_WORKER, groups, worker_count


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in segment_text(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dat was bijv. in jan. en o.a. m.b.t. de klas. Het ging goed.",
         ["Dat was bijv. in jan. en o.a. m.b.t. de klas.", "Het ging goed."]),
        ("Dhr. Smit en mevr. Bakker kwamen. Mw. Aydin ook.",
         ["Dhr. Smit en mevr. Bakker kwamen.", "Mw. Aydin ook."]),
        ("We hadden d.w.z. geen tijd i.p.v. veel tijd. Zo ging het.",
         ["We hadden d.w.z. geen tijd i.p.v. veel tijd.", "Zo ging het."]),
        ("Ik dacht... nou ja, het ging wel. En toen… Nee.",
         ["Ik dacht... nou ja, het ging wel.", "En toen…", "Nee."]),
        ("Dat klopt. [pauze] Maar goed.", ["Dat klopt. [pauze]", "Maar goed."]),
        ("Hij zei [onverstaanbaar] en toen. Ja.", ["Hij zei [onverstaanbaar] en toen.", "Ja."]),
        ("Eerst dit. [00:12:34] Daarna dat.", ["Eerst dit.", "[00:12:34] Daarna dat."]),
        ("Het begon om 10.15 uur. Klaar.", ["Het begon om 10.15 uur.", "Klaar."]),
        ("Boeken, schriften enz. Daarna gingen we.", ["Boeken, schriften enz.", "Daarna gingen we."]),
        ("Daar gingen we. [lacht]", ["Daar gingen we. [lacht]"]),
        ("Wat? Ja! Echt.", ["Wat?", "Ja!", "Echt."]),
    ],
)
def test_dutch_interview_rules(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (",,Ik kom morgen,'' zei ze. ,,Tot dan.'' Daarna ging ze.",
         [",,Ik kom morgen,'' zei ze.", ",,Tot dan.''", "Daarna ging ze."]),
        (",,Kom je?'' vroeg ze. ,,Nee!'', riep hij.", [",,Kom je?'' vroeg ze.", ",,Nee!'', riep hij."]),
        ("Ze zei: 'Ik ga.' Toen was het stil.", ["Ze zei: 'Ik ga.'", "Toen was het stil."]),
        ('Hij riep: "Nee!" en liep weg. Klaar.', ['Hij riep: "Nee!" en liep weg.', "Klaar."]),
        ('Dat was het. " " Nieuw citaat. "', ['Dat was het. "', '" Nieuw citaat. "']),
        ("Het boek verscheen in 1989. « Weg met ons? » volgde.", ["Het boek verscheen in 1989.", "« Weg met ons? » volgde."]),
        ("Dat zag je (1) al. (zie 3.) Ook dit.", ["Dat zag je (1) al.", "(zie 3.)", "Ook dit."]),
        ("Hij vroeg het (waarom?) aan mij. Ja.", ["Hij vroeg het (waarom?) aan mij.", "Ja."]),
        ("Wat zei je? (lacht) Nee, grapje.", ["Wat zei je? (lacht)", "Nee, grapje."]),
        ("Hij is een vernieuwer (...) We zagen het.", ["Hij is een vernieuwer (...)", "We zagen het."]),
        ("Kom je? - Ja, zei ik.", ["Kom je?", "- Ja, zei ik."]),
        ("O.J. Simpson kwam. Dhr. De Vries ook.", ["O.J. Simpson kwam.", "Dhr. De Vries ook."]),
        ("Ik ben er al. Dank u. Zo is 't. Dan dat. Klaar.", ["Ik ben er al.", "Dank u.", "Zo is 't.", "Dan dat.", "Klaar."]),
        ("Ze is 1.40 m. Dat is klein. Het was 40 v. Chr. in Gent.", ["Ze is 1.40 m.", "Dat is klein.", "Het was 40 v. Chr. in Gent."]),
        ("Kop zonder punt\n\nDe tekst begint.", ["Kop zonder punt", "De tekst begint."]),
    ],
)
def test_quotes_brackets_and_plain_words(text, expected):
    """Issue 12, point 7: quotes and asides split as a Dutch reader splits them."""
    assert sentences(text) == expected


def test_annotations_are_never_split():
    assert sentences("Nou. [lange pauze, kijkt weg] Ja. [onverstaanbaar] Dus.") == [
        "Nou. [lange pauze, kijkt weg]", "Ja. [onverstaanbaar]", "Dus."]


def test_spans_are_trimmed_and_cover_only_text():
    text = "  Eerste zin.   Tweede zin.  "
    assert sentences(text) == ["Eerste zin.", "Tweede zin."]
    assert segment_text("   ") == []


@pytest.mark.parametrize(
    ("characters", "cores", "expected"),
    [(0, 2, 1), (TEXT_PER_WORKER - 1, 2, 1), (2 * TEXT_PER_WORKER - 1, 2, 1), (2 * TEXT_PER_WORKER, 2, 2),
     (50 * TEXT_PER_WORKER, 2, 2), (3 * TEXT_PER_WORKER, 8, 3), (50 * TEXT_PER_WORKER, 1, 1)],
)
def test_an_import_forks_one_worker_per_stretch_of_text_up_to_the_cores(characters, cores, expected):
    """A small import is not worth a pool: forking pays only from `TEXT_PER_WORKER` each."""
    assert worker_count(characters, cores) == expected


@pytest.mark.parametrize(
    ("sizes", "count", "expected"),
    [([], 4, []), ([5], 4, [[0]]), ([1, 1, 1, 1], 2, [[0, 1], [2, 3]]), ([10, 1, 1, 1], 2, [[0], [1, 2, 3]]),
     ([1, 1, 1], 8, [[0], [1], [2]]), ([0, 0], 2, [[0, 1]])],
)
def test_files_go_to_workers_in_runs_of_about_equal_size(sizes, count, expected):
    assert [list(run) for run in groups(sizes, count)] == expected


@pytest.mark.parametrize("text", ["[x]][y]", "Ja [x]][00:12:34] nee."])
def test_annotations_that_share_a_token_are_segmented_not_refused(text):
    """Expanded to whole tokens, the two annotations overlap ("]]" is one token): the
    retokenizer refused that, and the import failed with spaCy's ValueError."""
    assert segment_text(text) == [(0, len(text))]
