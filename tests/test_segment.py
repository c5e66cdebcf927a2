"""Segmentation rules for Dutch interview text (issue 2, part 4)."""

from __future__ import annotations

import pytest

from coder.ingest.segmentation import TEXT_PER_WORKER, segment_text, worker_count


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


def test_worker_processes_give_the_same_spans_in_order():
    """A big import segments in forked workers; the result must equal one process's."""
    from coder.ingest.segmentation import PARALLEL_CHUNK, _can_fork, segment_texts

    assert _can_fork(), "the test process must be single-threaded for the parallel path"
    base = ["Eerste zin. Tweede zin...", "Ja. [pauze] Nou, bijv. zo.", "Kort", "Wat? Echt! Oké."]
    texts = [f"{text} Nummer {i}." for i in range(3 * PARALLEL_CHUNK) for text in base[i % 4 : i % 4 + 1]]
    serial = list(segment_texts(texts, processes=1))
    parallel = list(segment_texts(iter(texts), processes=2))
    assert parallel == serial and len(parallel) == len(texts)


@pytest.mark.parametrize(
    ("characters", "cores", "expected"),
    [(0, 2, 1), (TEXT_PER_WORKER - 1, 2, 1), (2 * TEXT_PER_WORKER - 1, 2, 1), (2 * TEXT_PER_WORKER, 2, 2),
     (50 * TEXT_PER_WORKER, 2, 2), (3 * TEXT_PER_WORKER, 8, 3), (50 * TEXT_PER_WORKER, 1, 1)],
)
def test_an_import_forks_one_worker_per_stretch_of_text_up_to_the_cores(characters, cores, expected):
    """Two chunks of turns are not worth a pool: forking pays only from `TEXT_PER_WORKER` each."""
    assert worker_count(characters, cores) == expected
