"""Segmentation quality: exact-match sentence F1 on gold Dutch text (issue 12, point 7).

Two gold sets:

- UD Dutch LassySmall, development part (Wikipedia; Bouma & van Noord, CC BY-SA 4.0), read
  from `../shared/data/nl_lassysmall-ud-dev.conllu` beside the repository and never copied
  into it; the test fails, naming the file, when it is missing.
- `TURNS` below: interview-like Dutch written for this check (not taken from any corpus),
  each turn split as a Dutch reader splits it, with the quoting and abbreviations that
  transcripts and newspapers use and Wikipedia rarely does.
"""

from __future__ import annotations

import pytest

from benchmarks.segmentation_f1 import GoldText, evaluate, join_paragraphs, raw_sentencizer, read_conllu

#: Each turn as the sentences a Dutch reader finds in it; a turn's text is its sentences
#: joined by one space. Conventions, as in LassySmall and coder's other rules: quoted speech
#: of several sentences splits like any other text, and a stage direction after a sentence
#: ("[lacht]", "(lacht)") belongs to that sentence.
TURNS: list[list[str]] = [
    # newspaper quotes: ,, opens and '' closes
    [",,Ik kom morgen wel even langs,'' zei de moeder.", ",,Dan kunnen we het rustig bespreken.''"],
    ["De directeur was duidelijk.", ",,Wij gaan hier niet mee door.", "Het kost te veel tijd.''"],
    [",,Waarom nu?'' vroeg de wethouder.", "Niemand gaf antwoord."],
    [",,Nee!'', riep hij nog.", "Daarna liep hij de gang op."],
    ["Volgens haar ,,werkt het gewoon niet'' in deze groep.", "Ik ben het daar niet mee eens."],
    # single and double quotes inside a turn
    ["Toen zei ze: 'Ik wil niet meer naar school.'", "Dat raakte me echt."],
    ["Hij zei: \"Ik snap het niet.\"", "En toen begon hij te huilen."],
    ["'Kom je nog?' vroeg de juf.", "Hij bleef gewoon zitten."],
    ["De moeder zei: 'Het gaat thuis prima.", "Echt waar.'", "Maar dat geloofde ik niet."],
    ["We noemen dat hier 'de rode kaart'.", "Die krijg je als het echt niet meer gaat."],
    ["Een kind vroeg: \"Mag ik ook meedoen?\" en dat vond ik mooi.", "Zo gaat het vaak."],
    ["Ik dacht: 'Wat moet ik hier nu mee?'", "Dus ik belde de jeugdhulp."],
    ["Zij zei letterlijk: ‘Ik ben er klaar mee.’", "Daar schrok ik wel van."],
    ["De leerling schreef: „Ik voel me hier veilig.”", "Dat was voor ons belangrijk."],
    ["Hij riep \"Stop!\" en iedereen stopte.", "Dat werkte wonderwel."],
    ["Ze zei: \"Ik weet het niet.\"", "\"Misschien morgen.\"", "Toen ging ze weg."],
    # initials and names with titles
    ["O.J. Simpson kent iedereen wel.", "Maar dat was een heel ander verhaal."],
    ["Ik sprak dhr. De Vries van de gemeente.", "Hij had er weinig tijd voor."],
    ["Mevr. Jansen was er ook bij.", "Zij is de intern begeleider."],
    ["Dat had J.P. Balkenende ooit zo gezegd.", "Of was het iemand anders?"],
    ["Het boek van A. van der Berg lag op tafel.", "Niemand had het gelezen."],
    ["Dr. Bakker kwam om negen uur.", "De ouders waren er al."],
    # numbers in brackets, enumerations
    ["Er zijn drie punten (1) de tijd, (2) het geld en (3) de mensen.", "Vooral het laatste is lastig."],
    ["Dat staat in het plan (zie 3.)", "Daar hebben we het later nog over."],
    ["Het ging om een kleine groep (ca. tien kinderen).", "Die kregen extra begeleiding."],
    ["We hadden een gesprek (twee eigenlijk) met de ouders.", "Het tweede ging beter."],
    ["De cijfers (zie bijlage 2) laten een daling zien.", "Dat is goed nieuws."],
    # abbreviations
    ["We doen o.a. kringgesprekken en rollenspellen.", "Die werken goed."],
    ["Het gaat om gedrag, d.w.z. hoe kinderen met elkaar omgaan.", "Dat is ons doel."],
    ["Het speelt m.n. in groep zeven en acht.", "Daar zitten de oudere kinderen."],
    ["De training loopt van groep 3 t/m groep 8.", "Elk jaar opnieuw."],
    ["Er kwamen ca. veertig ouders op de avond.", "Meer dan we dachten."],
    ["We hebben bijv. een time-out plek in de klas.", "Die gebruiken we niet vaak."],
    ["Hij komt i.v.m. de drukte pas volgende week.", "Jammer."],
    ["We werken nauw samen met o.a. de GGD, het wijkteam enz.", "Dat loopt prima."],
    ["Het gesprek was i.p.v. maandag op dinsdag.", "Dat kwam beter uit."],
    # dates and times
    ["De pilot begon op 12 maart 2024.", "Sindsdien draait het goed."],
    ["Het overleg is elke dinsdag om 14.30 uur.", "Dan zijn we er allemaal."],
    ["Op 1 sept. begint het nieuwe schooljaar.", "Dan starten we opnieuw."],
    ["Dat was in 2019.", "Of misschien 2020."],
    # plain words that spaCy lists as abbreviations
    ["Ik ben er al.", "Jij ook?"],
    ["Daar ging het om, meer niet dan dat.", "De rest kwam later."],
    ["Dank u.", "Graag gedaan."],
    ["De klas zat helemaal vol.", "Er kon niemand meer bij."],
    ["Zo is 't.", "Meer kan ik er niet van maken."],
    ["Dat doen we met de hand.", "Een computer hebben we niet."],
    # spoken style: ellipses, annotations, questions
    ["Ik weet niet... misschien wel.", "Het hangt ervan af."],
    ["Nou ja. [lacht]", "Dat was het dan.", "Volgende vraag?"],
    ["Hoe lang werkt u hier al?", "Een jaar of vijf."],
    ["Echt?", "Dat wist ik niet.", "Goed dat je het zegt."],
    ["Wat zei je? (lacht)", "Nee, grapje.", "Ga door."],
    ["Ja!", "Dat is precies wat ik bedoel.", "Eindelijk."],
    ["Hij zei het zelf: hij wil niet meer.", "Dat moeten we serieus nemen."],
    ["Ze vroeg: wat moet ik doen?", "Ik wist het ook niet."],
    # asides and dialogue dashes
    ["De jeugdhulpverlener (een jonge vrouw) kwam elke week.", "Ze was erg goed."],
    ["Hij vroeg of het kon.", "- Natuurlijk, zei ik.", "Zo ging dat."],
    ["Het ging om een meisje van twaalf.", "(Haar naam noem ik liever niet.)", "Ze had het zwaar."],
    # mixed
    ["Ik heb het aan mw. Yilmaz gevraagd.", "Zij wist het ook niet."],
    ["Dat was in de jaren '80.", "Toen was alles anders."],
    ["Het kost € 12,50 per kind.", "Dat is te duur voor veel ouders."],
    ["Ze is pas 1.40 m.", "Dat is klein voor haar leeftijd."],
    ["Kijk maar op www.school.nl.", "Daar staat alles."],
    ["Wij werken met het zgn. stoplichtmodel.", "Dat werkt goed."],
    ["Ik vroeg: ,,Hoe gaat het?''", ",,Goed,'' zei hij."],
    ["Het is nu tien uur 's ochtends.", "'s Middags is er overleg."],
    ["Ze zei 'ja'.", "Maar ze bedoelde 'nee'."],
    ["Zij werkt bij Jeugdzorg Nederland B.V.", "Dat is een grote organisatie."],
    ["Hij zit in de 2e klas.", "Volgend jaar gaat hij naar de 3e."],
    ["Dat is art. 7 van de wet.", "Die kent iedereen."],
]


def turn_gold() -> list[GoldText]:
    """`TURNS` as gold texts, each turn one text."""
    return [join_paragraphs([sentences]) for sentences in TURNS]


def test_lassysmall_dev_f1_is_at_least_095():
    """UD Dutch LassySmall dev (CC BY-SA 4.0): paragraphs segmented as turns."""
    score, misses = evaluate(read_conllu())
    assert score.f1 >= 0.95, f"F1 {score.f1:.3f}; first misses: {misses[:3]}"


def test_lassysmall_dev_by_document_f1_is_at_least_095():
    """Whole documents, paragraphs apart by a blank line: a paragraph ends every sentence."""
    score, _ = evaluate(read_conllu(by_document=True))
    assert score.f1 >= 0.95


def test_interview_turns_f1_is_at_least_097_and_beats_the_raw_sentencizer():
    gold = turn_gold()
    score, misses = evaluate(gold)
    raw, _ = evaluate(gold, raw_sentencizer)
    assert score.f1 >= 0.97, "\n".join(f"{gold_} != {predicted}" for _, gold_, predicted in misses)
    assert score.f1 > raw.f1


def test_missing_gold_file_fails_with_its_name(tmp_path):
    missing = tmp_path / "nl_lassysmall-ud-dev.conllu"
    with pytest.raises(FileNotFoundError, match="nl_lassysmall-ud-dev.conllu"):
        read_conllu(missing)


def test_gold_spans_point_at_their_sentences():
    gold = join_paragraphs([["Eerste zin.", "Tweede."], ["Kop"]])
    assert gold.text == "Eerste zin. Tweede.\n\nKop"
    assert [gold.text[a:b] for a, b in gold.spans] == ["Eerste zin.", "Tweede.", "Kop"]
