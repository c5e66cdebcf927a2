"""Lossless exchange (issue #13): nothing dropped, speakers only where a source has them,
always schema-valid exports, every user kept, round trips, sets and cases, the report."""

from __future__ import annotations

import uuid
import zipfile
from xml.sax.saxutils import quoteattr

import pytest
import xmlschema
from defusedxml import ElementTree
from sqlmodel import select

from coder.exchange.project_export import export_qdpx
from coder.exchange.project_import import import_qdpx
from coder.exchange.refi_codebook import local
from coder.storage.database import open_study
from coder.storage.models import Coder, Coding, Participant, Transcript, Turn
from tests.conftest import REPO

REFI = REPO / "tests" / "fixtures" / "refi-qda"

NS = "urn:QDA-XML:project:1.0"


def gid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def selection(text: str, start: int, end: int, code: str | None, user: str, name: str | None = None) -> str:
    """A selection; its name is the text it covers counted in code points, unless given."""
    if name is None:
        name = text[start:end] if 0 <= start < end <= len(text) else ""
    coding = f'<Coding guid="{gid(f"c{start}{end}{code}{user}")}"><CodeRef targetGUID="{gid(code)}"/></Coding>' if code else ""
    return (f'<PlainTextSelection guid="{gid(f"s{start}{end}{code}{user}{text[:9]}")}" startPosition="{start}" '
            f'endPosition="{end}" name={quoteattr(name)} '
            f'creatingUser="{gid(user)}">{coding}</PlainTextSelection>')


def qdpx(path, sources: dict[str, tuple[str, list[tuple[int, int, str | None, str]]]],
         users=("ann", "ben", "cas"), codes=("hope", "fear"), extra: str = ""):
    """A small project as another tool writes it: users, flat codes, text files in Sources/."""
    members, xml = {}, [f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p" origin="test">']
    xml.append("<Users>" + "".join(f'<User guid="{gid(u)}" name="{u}"/>' for u in users) + "</Users>")
    xml.append("<CodeBook><Codes>" + "".join(
        f'<Code guid="{gid(c)}" name="{c}" isCodable="true"/>' for c in codes) + "</Codes></CodeBook>")
    if sources:
        xml.append("<Sources>")
        for name, (text, chosen) in sources.items():
            members[f"Sources/{gid(name)}.txt"] = text.encode("utf-8")
            xml.append(f'<TextSource guid="{gid(name)}" name={quoteattr(name)} plainTextPath="internal://{gid(name)}.txt">'
                       + "".join(selection(text, *s) for s in chosen) + "</TextSource>")
        xml.append("</Sources>")
    xml.append(extra + "</Project>")
    members["project.qde"] = "".join(xml).encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


COMMENTS = """Reacties op het voorstel
Kormányfő: de regering moet luisteren.
Ik vind het een goed plan.
Covid: dat heeft alles veranderd.
Niemand vroeg ons iets."""
INTERVIEW = """Datum: 12 maart
Inleiding door de onderzoeker.
I: Hoe gaat het met de samenwerking?
L: Goed. We vertrouwen elkaar.
I: En verder?
L: Prima. Echt waar."""


def at(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return start, start + len(part)


def stored(study) -> list[tuple[str, str, str, str]]:
    """(source, coder, code, exact text) of every live coding."""
    from coder.storage.models import Code

    with study.session() as session:
        rows = session.exec(
            select(Transcript.title, Coder.name, Code.code_id, Transcript.text, Coding.start, Coding.end)
            .join(Coding, Coding.transcript_id == Transcript.id).join(Coder, Coder.id == Coding.coder_id)
            .join(Code, Code.id == Coding.code_id).where(Coding.deleted_at.is_(None))
        ).all()
    return sorted((title, coder, code, text[start:end]) for title, coder, code, text, start, end in rows)


def test_nothing_is_dropped_and_speakers_only_where_the_source_has_them(tmp_path, study):
    """#13.1 and #13.2: selections before the first label, on a label, in an interviewer's
    turn, across turns and in prose with `Word:` lines all become codings; only a span
    outside the text is refused, and counted."""
    chosen_comments = [(*at(COMMENTS, "Reacties op het voorstel"), "hope", "ann"),
                       (*at(COMMENTS, "Kormányfő:"), "fear", "ben"),
                       (*at(COMMENTS, "Kormányfő: de regering moet luisteren.\nIk vind"), "hope", "ann"),
                       (*at(COMMENTS, "Covid"), "fear", "ann"), (5, 9, None, "ann")]
    chosen_interview = [(*at(INTERVIEW, "Datum: 12 maart"), "hope", "ann"),
                        (*at(INTERVIEW, "L:"), "fear", "ben"),
                        (*at(INTERVIEW, "Hoe gaat het"), "hope", "ben"),
                        (*at(INTERVIEW, "elkaar.\nI: En verder?\nL: Prima"), "fear", "ann"),
                        (len(INTERVIEW) - 2, len(INTERVIEW) + 40, "hope", "ann")]
    path = qdpx(tmp_path / "p.qdpx", {"comments": (COMMENTS, chosen_comments), "interview": (INTERVIEW, chosen_interview)})
    report = import_qdpx(study, path, "lead")
    assert (report.codings, report.not_placed) == (8, 1)
    assert report.per_coder == {"ann": 5, "ben": 3} and report.users == ["ann", "ben", "cas"]
    assert any("outside the text" in w for w in report.warnings)
    expected = [(name, user, code, text[start:end])
                for name, (text, chosen) in (("comments", (COMMENTS, chosen_comments)), ("interview", (INTERVIEW, chosen_interview)))
                for start, end, code, user in chosen if code and end <= len(text)]
    assert stored(study) == sorted(expected)
    speakers = {s.name: s.speakers for s in report.per_source}
    assert speakers["comments"] == "paragraphs (most lines start with no label: 2 labels on 2 of 5 lines)"
    assert speakers["interview"] == "speaker turns (2 labels on 4 of 6 lines); the text before the first turn is Spreker's"
    assert any("1 selection(s) lie on a speaker label" in w for w in report.warnings)
    with study.session() as session:
        assert {c.name for c in session.exec(select(Coder))} == {"ann", "ben", "cas"}  # cas coded nothing
        labels = {t.title: sorted(session.exec(select(Participant.label).where(Participant.transcript_id == t.id)).all())
                  for t in session.exec(select(Transcript))}
        assert labels == {"comments": ["Spreker"], "interview": ["I", "L", "Spreker"]}
        interview = session.exec(select(Transcript).where(Transcript.title == "interview")).one()
        first = session.exec(select(Turn).where(Turn.transcript_id == interview.id).order_by(Turn.position)).first()
        assert interview.text[first.start:first.end] == "Datum: 12 maart\nInleiding door de onderzoeker."


# --- #13.3: always schema-valid exports -------------------------------------------------

SCHEMA = REPO / "coder" / "exchange" / "schemas" / "Project.xsd"
P = {"p": NS}


def exported(study, path):
    """Export `study`; return the document, checked against the REFI-QDA schema independently."""
    with study.session() as session:
        export_qdpx(session, path)
    with zipfile.ZipFile(path) as archive:
        document = archive.read("project.qde")
    xmlschema.XMLSchema(str(SCHEMA)).validate(document.decode("utf-8"))
    return ElementTree.fromstring(document)


def test_a_project_with_only_a_codebook_exports_valid_and_keeps_every_user(tmp_path, empty):
    import_qdpx(empty, REFI / "atlasti23.2-win_target-atlas-project.qdpx", "lead")
    root = exported(empty, tmp_path / "out.qdpx")
    assert root.find("p:Sources", P) is None and root.find("p:Cases", P) is None
    assert {u.get("name") for u in root.iterfind("p:Users/p:User", P)} == {"Enric Llagostera", "ATLAS.ti"}
    assert len(root.findall(".//p:Code", P)) == 3


def test_empty_sources_and_an_empty_study_export_valid(tmp_path, empty):
    path = qdpx(tmp_path / "nvivo15.qdpx", {"leeg": ("", []), "spaties": ("  \n ", [])}, users=(), codes=())
    report = import_qdpx(empty, path, "lead")
    assert report.sources == 0 and sum("no text" in w for w in report.warnings) == 2
    root = exported(empty, tmp_path / "out.qdpx")
    assert [local(child.tag) for child in root] == []


CODEBOOK = f"""<Users><User guid="{gid("ann")}" name="ann"/><User guid="{gid("dirk")}" name="dirk"/></Users>
<CodeBook><Codes>
 <Code guid="{gid("Emotions")}" name="Emotions" isCodable="false" color="#112233"><Description>Feelings named</Description>
  <Code guid="{gid("joy-a")}" name="joy" isCodable="true" color="#AABBCC"><Description>joy said aloud</Description></Code>
 </Code>
 <Code guid="{gid("Sport")}" name="Sport" isCodable="true">
  <Code guid="{gid("joy-b")}" name="joy" isCodable="true"><Description>joy of winning</Description></Code>
 </Code>
</Codes></CodeBook>"""


def codes_of(study):
    from coder.storage.models import Code

    with study.session() as session:
        rows = session.exec(select(Code)).all()
        parents = {c.id: c.guid for c in rows}
        return sorted((c.guid, c.name, parents.get(c.parent_id), c.codable, c.color, c.definition) for c in rows)


def test_codes_keep_codable_colour_description_and_duplicate_names_stay_separate(tmp_path, empty):
    text = "Ik was blij. We wonnen."
    members = {"project.qde": (f'<Project xmlns="{NS}" name="p">{CODEBOOK}<Sources>'
                               f'<TextSource guid="{gid("t")}" name="t" plainTextPath="internal://t.txt">'
                               + selection(text, 0, 12, "joy-a", "ann") + selection(text, 13, 23, "joy-b", "ann")
                               + "</TextSource></Sources></Project>").encode(), "Sources/t.txt": text.encode()}
    with zipfile.ZipFile(tmp_path / "p.qdpx", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    import_qdpx(empty, tmp_path / "p.qdpx", "lead")
    first = codes_of(empty)
    assert (gid("Emotions"), "Emotions", None, False, "#112233", "Feelings named") in first
    assert {(name, parent) for _, name, parent, *_ in first if name == "joy"} == {("joy", gid("Emotions")), ("joy", gid("Sport"))}
    root = exported(empty, tmp_path / "out.qdpx")
    assert {u.get("name") for u in root.iterfind("p:Users/p:User", P)} == {"ann", "dirk"}  # dirk coded nothing
    assert root.find(".//p:Code[@name='Emotions']", P).get("isCodable") == "false"
    again = open_study(str(tmp_path / "again.db"))
    try:
        import_qdpx(again, tmp_path / "out.qdpx", "lead")
        assert codes_of(again) == first
        assert stored(again) == stored(empty) and len(stored(again)) == 2
    finally:
        again.close()


def test_the_export_never_writes_xml_that_does_not_parse(tmp_path, empty):
    """Issue #19.10: rows written with control characters directly (not through an import)."""
    from sqlalchemy import text as sql

    text = "Ik was blij. We wonnen."
    import_qdpx(empty, qdpx(tmp_path / "p.qdpx", {"t": (text, [(0, 12, "hope", "ann")])}), "lead")
    dirty = text.replace(" ", "\x0b", 1)
    with empty.session() as session:
        session.execute(sql("UPDATE transcript SET text = :t, title = :title"), {"t": dirty, "title": "t\x01itel\ufffe"})
        session.execute(sql("UPDATE coding SET memo = :m"), {"m": "memo\x02"})
        session.execute(sql("UPDATE code SET definition = :d, name = :n WHERE code_id = 'hope'"),
                        {"d": "def\x1b[31m", "n": "ho\x1fpe"})
        session.execute(sql("UPDATE coder SET name = :n WHERE name = 'ann'"), {"n": "a\x07nn"})
    root = exported(empty, tmp_path / "out.qdpx")
    assert root.find(".//p:TextSource", P).get("name") == "titel"
    assert root.find(".//p:Note/p:PlainTextContent", P).text == "memo"
    again = open_study(str(tmp_path / "again.db"))
    try:
        import_qdpx(again, tmp_path / "out.qdpx", "lead")
        # the source file keeps the vertical tab; importing reads it as the line break it is
        assert stored(again) == [("titel", "ann", "hope", "Ik\nwas blij.")]
    finally:
        again.close()


def test_the_import_report_is_a_table_per_source_and_per_coder(capsys, tmp_path):
    """#13.6: sources with their speaker rule and offset unit, codings per coder (also none),
    codes, memos and what could not be placed."""
    from tests.test_cli import run

    emoji = "😀 Echt waar, zei ze."
    path = qdpx(tmp_path / "p.qdpx", {
        "comments": (COMMENTS, [(*at(COMMENTS, "Covid"), "fear", "ann"), (0, 500, "hope", "ben")]),
        "emoji": (emoji, [(3, 12, "hope", "ben", "Echt waar")]),  # in UTF-16 units "😀 " is 3
    })
    code, out, err = run(capsys, "--db", str(tmp_path / "s.db"), "--as", "lead", "import", str(path))
    assert code == 0, err
    lines = [line.split() for line in out.splitlines()]
    assert ["comments", "paragraphs", "(most", "lines", "start", "with", "no", "label:", "2", "labels", "on", "2",
            "of", "5", "lines)", "code", "points", "1"] in lines
    assert ["emoji", "paragraphs", "(no", "line", "starts", "with", "a", "label)", "UTF-16", "code", "units", "1"] in lines
    assert ["ann", "1"] in lines and ["ben", "1"] in lines and ["cas", "0"] in lines
    assert lines[lines.index(["codes", "memos", "codings", "already", "there", "not", "placed"]) + 1] == [
        "2", "0", "2", "0", "1"]
    assert "outside the text" in err


# --- #13.4: round trips ------------------------------------------------------------------


def snapshot(study) -> dict[str, list[tuple]]:
    """What a round trip must keep: sources with their speakers and turns, codes with their
    hierarchy, codings (code, coder, exact text, pass, memo) and transcript attributes."""
    from coder.storage.models import Code, TranscriptAttribute

    with study.session() as session:
        titles = {t.id: t.title for t in session.exec(select(Transcript))}
        people = {p.id: (p.label, p.role) for p in session.exec(select(Participant))}
        codes = session.exec(select(Code)).all()
        guids = {c.id: c.guid for c in codes}
        coders = {c.id: c.name for c in session.exec(select(Coder))}
        texts = {t.id: t.text for t in session.exec(select(Transcript))}
        return {
            "sources": sorted((t.title, t.text, t.school, t.school_type, t.date) for t in session.exec(select(Transcript))),
            "speakers": sorted((titles[tid], *people[pid], texts[tid][start:end]) for tid, pid, start, end in
                               session.exec(select(Turn.transcript_id, Turn.participant_id, Turn.start, Turn.end))),
            "codes": sorted((c.guid, c.code_id, c.name, guids.get(c.parent_id), c.codable, c.color, c.definition,
                             c.include, c.exclude, c.examples, c.key) for c in codes),
            "codings": sorted((titles[c.transcript_id], coders[c.coder_id], guids[c.code_id], c.start, c.end,
                               texts[c.transcript_id][c.start:c.end], c.pass_, c.memo)
                              for c in session.exec(select(Coding).where(Coding.deleted_at.is_(None)))),
            "coders": sorted(coders.values()),
            "attributes": sorted((titles[a.transcript_id], a.name, a.value) for a in session.exec(
                select(TranscriptAttribute).where(TranscriptAttribute.deleted_at.is_(None)))),
        }


def round_trip(study, tmp_path, name: str):
    """Export `study`, import the file into a new study; return the new study's snapshot."""
    exported(study, tmp_path / f"{name}.qdpx")
    again = open_study(str(tmp_path / f"{name}-again.db"))
    try:
        report = import_qdpx(again, tmp_path / f"{name}.qdpx", "lead")
        assert report.not_placed == 0 and report.warnings == []
        return snapshot(again)
    finally:
        again.close()


@pytest.fixture(scope="module")
def coded_demo_study(tmp_path_factory):
    """The demo study with its two coders' recorded work, built once for this module."""
    from coder.demo.demo_study import build_demo

    built = build_demo(str(tmp_path_factory.mktemp("demo") / "demo.db"), coded=True)
    yield built
    built.close()


def test_the_demo_study_survives_a_round_trip(coded_demo_study, tmp_path):
    before = snapshot(coded_demo_study)
    assert len(before["codings"]) > 50 and {p for *_, p, _ in before["codings"]} >= {"primary", "blind"}
    assert round_trip(coded_demo_study, tmp_path, "demo") == before


@pytest.mark.parametrize("sample", sorted(p.name for p in REFI.glob("*.qdpx")))
def test_each_shared_sample_survives_import_export_import(sample, tmp_path, empty):
    report = import_qdpx(empty, REFI / sample, "lead")
    before = snapshot(empty)
    assert len(before["codings"]) == report.codings and before["coders"] == sorted(report.users)
    assert round_trip(empty, tmp_path, "sample") == before


@pytest.mark.parametrize("sample", sorted(p.name for p in REFI.glob("*.qdc")))
def test_each_shared_codebook_survives_a_project_round_trip(sample, tmp_path, empty):
    from coder.codebook.study_codebook import apply_codebook
    from coder.exchange.refi_codebook import read_qdc

    with empty.session() as session:
        apply_codebook(session, read_qdc(REFI / sample), "lead")
    before = snapshot(empty)
    assert before["codes"] and round_trip(empty, tmp_path, "codebook") == before


def test_rich_text_sources_are_read_through_their_plain_text_or_else_their_word_file(tmp_path, empty):
    import io

    import docx

    document = docx.Document()
    for line in ("Eerste alinea uit Word.", "Tweede alinea."):
        document.add_paragraph(line)
    word = io.BytesIO()
    document.save(word)
    plain = "De platte tekst die telt."
    project = (f'<Project xmlns="{NS}" name="p"><Users><User guid="{gid("ann")}" name="ann"/></Users>'
               f'<CodeBook><Codes><Code guid="{gid("hope")}" name="hope" isCodable="true"/></Codes></CodeBook><Sources>'
               f'<TextSource guid="{gid("both")}" name="both" richTextPath="internal://both.docx" plainTextPath="internal://both.txt">'
               + selection(plain, 3, 15, "hope", "ann") + "</TextSource>"
               f'<TextSource guid="{gid("word")}" name="word" richTextPath="internal://word.docx">'
               + selection("Eerste alinea uit Word.", 0, 6, "hope", "ann") + "</TextSource></Sources></Project>")
    with zipfile.ZipFile(tmp_path / "rich.qdpx", "w") as archive:
        archive.writestr("project.qde", project)
        archive.writestr("Sources/both.txt", plain)
        archive.writestr("Sources/both.docx", word.getvalue())
        archive.writestr("Sources/word.docx", word.getvalue())
    report = import_qdpx(empty, tmp_path / "rich.qdpx", "lead")
    assert report.warnings == [] and report.codings == 2
    assert stored(empty) == [("both", "ann", "hope", "platte tekst"), ("word", "ann", "hope", "Eerste")]
    with empty.session() as session:
        assert session.exec(select(Transcript.text).where(Transcript.title == "word")).one() == (
            "Eerste alinea uit Word.\nTweede alinea.")


# --- #13.5: sets and cases ---------------------------------------------------------------

FACTS = f"""<Variables>
 <Variable guid="{gid("v-age")}" name="Age" typeOfVariable="Integer"/>
 <Variable guid="{gid("v-region")}" name="Regio" typeOfVariable="Text"/>
 <Variable guid="{gid("v-school")}" name="School type" typeOfVariable="Text"/>
</Variables>
<Cases>
 <Case guid="{gid("case-a")}" name="Deelnemer A">
  <VariableValue><VariableRef targetGUID="{gid("v-age")}"/><IntegerValue>42</IntegerValue></VariableValue>
  <VariableValue><VariableRef targetGUID="{gid("v-school")}"/><TextValue>VO</TextValue></VariableValue>
  <SourceRef targetGUID="{gid("one")}"/>
 </Case>
</Cases>
<Sets>
 <Set guid="{gid("set-1")}" name="Ronde 1"><MemberSource targetGUID="{gid("one")}"/><MemberSource targetGUID="{gid("two")}"/></Set>
 <Set guid="{gid("set-2")}" name="Pilot"><MemberSource targetGUID="{gid("one")}"/></Set>
</Sets>"""


def test_sets_and_cases_become_transcript_attributes_and_go_back_out(tmp_path, empty):
    path = qdpx(tmp_path / "maxqda.qdpx", {"one": ("Eerste tekst.", [(0, 6, "hope", "ann")]),
                                            "two": ("Tweede tekst.", [])}, extra=FACTS)
    report = import_qdpx(empty, path, "lead")
    assert [w for w in report.warnings if "schema" not in w] == []  # FACTS sits after <Sources>
    before = snapshot(empty)
    assert before["attributes"] == [("one", "Age", "42"), ("one", "case", "Deelnemer A"), ("one", "set", "Pilot"),
                                    ("one", "set", "Ronde 1"), ("two", "set", "Ronde 1")]
    assert [s[:4] for s in before["sources"]] == [("one", "Eerste tekst.", None, "vo"), ("two", "Tweede tekst.", None, None)]
    root = exported(empty, tmp_path / "out.qdpx")
    sets = {s.get("name"): len(s.findall("p:MemberSource", P)) for s in root.iterfind("p:Sets/p:Set", P)}
    assert sets == {"Ronde 1": 2, "Pilot": 1}
    assert root.find("p:Cases/p:Case[p:VariableValue]", P).get("name") == "Deelnemer A"
    assert {v.get("name") for v in root.iterfind("p:Variables/p:Variable", P)} == {"school_type", "participants", "Age"}
    assert round_trip(empty, tmp_path, "facts") == before


def test_attributes_show_in_status_and_the_study_screen_filter_finds_them(capsys, tmp_path):
    from coder.coding.queries import transcript_overview
    from coder.tui.screens.study import Row, matching
    from tests.test_cli import run

    db = str(tmp_path / "s.db")
    path = qdpx(tmp_path / "maxqda.qdpx", {"one": ("Eerste tekst.", []), "two": ("Tweede tekst.", [])}, extra=FACTS)
    assert run(capsys, "--db", db, "--as", "lead", "import", str(path))[0] == 0
    code, out, _ = run(capsys, "--db", db, "status")
    assert code == 0 and "attributes   Age (1), case (1), set: Pilot (1), set: Ronde 1 (2)" in out
    study = open_study(db)
    try:
        with study.session() as session:
            rows = [Row(t, None, n) for n, t in enumerate(transcript_overview(session))]
    finally:
        study.close()
    assert [r.transcript.title for r in matching(rows, "pilot")] == ["one"]
    assert [r.transcript.title for r in matching(rows, "ronde 1")] == ["one", "two"]
    assert rows[[r.transcript.title for r in rows].index("one")].transcript.attributes == (
        "case Deelnemer A · Age 42 · set Ronde 1 · set Pilot")


def test_a_source_whose_text_is_already_there_gets_its_codings_and_nothing_is_doubled(tmp_path, empty):
    """Two copies of one text (each coder coded their own copy) make one transcript with both
    coders' codings; importing the project again adds nothing and says so."""
    member = f'<MemberSource targetGUID="{gid("ben-copy")}"/>'
    path = qdpx(tmp_path / "p.qdpx", {"ann-copy": (COMMENTS, [(*at(COMMENTS, "Covid"), "fear", "ann")]),
                                      "ben-copy": (COMMENTS, [(*at(COMMENTS, "Covid"), "hope", "ben")])},
                extra=f'<Sets><Set guid="{gid("s")}" name="Ronde 1">{member}</Set></Sets>')
    first = import_qdpx(empty, path, "lead")
    assert (first.sources, first.codings, first.already) == (1, 2, 0)
    assert stored(empty) == [("ann-copy", "ann", "fear", "Covid"), ("ann-copy", "ben", "hope", "Covid")]
    again = import_qdpx(empty, path, "lead")
    assert (again.sources, again.codings, again.already, again.not_placed) == (0, 0, 2, 0)
    assert len(stored(empty)) == 2 and snapshot(empty)["attributes"] == [("ann-copy", "set", "Ronde 1")]


def test_control_characters_in_a_source_go_and_its_selections_keep_their_text(tmp_path, empty):
    text = "Ze zei\x1b[31m: \x07wij vertrouwen elkaar.\x0cEinde."
    start, end = at(text, "wij vertrouwen elkaar.")
    import_qdpx(empty, qdpx(tmp_path / "p.qdpx", {"t": (text, [(start, end, "hope", "ann")])}), "lead")
    assert stored(empty) == [("t", "ann", "hope", "wij vertrouwen elkaar.")]
    with empty.session() as session:
        assert session.exec(select(Transcript.text)).one() == "Ze zei[31m: wij vertrouwen elkaar.\nEinde."


def test_agreement_can_be_limited_to_the_transcripts_of_a_set_or_case_variable(capsys, tmp_path):
    import json

    from tests.test_cli import run

    one, two = "Eerste zin. Tweede zin.", "Derde zin. Vierde zin. Vijfde zin."
    coded = {"one": (one, [(0, 11, "hope", "ann"), (0, 11, "hope", "ben")]),
             "two": (two, [(0, 10, "fear", "ann"), (0, 10, "hope", "ben")])}
    db = str(tmp_path / "s.db")
    assert run(capsys, "--db", db, "--as", "lead", "import", str(qdpx(tmp_path / "p.qdpx", coded, extra=FACTS)))[0] == 0

    def units(*where: str) -> int:
        code, out, err = run(capsys, "--db", db, "agreement", "--mode", "segments", "--level", "code",
                             "--coders", "ann,ben", "--json", *where)
        assert code == 0, err
        return json.loads(out)["units"]

    assert (units(), units("--attribute", "set=Ronde 1")) == (5, 5)
    assert units("--attribute", "set=Pilot") == units("--attribute", "Age=42") == 2  # "one" only
    assert units("--attribute", "set=Pilot", "--attribute", "Age=41") == 0
    code, _, err = run(capsys, "--db", db, "agreement", "--attribute", "Pilot")
    assert code == 2 and "is not NAME=VALUE" in err


def test_each_coding_keeps_its_own_coder_and_codes_on_a_whole_source_are_kept(tmp_path, empty):
    """A selection two people coded names each coder on their `Coding`; a `Coding` right under
    a `TextSource` codes the whole source. Neither is lost."""
    text = "Wij vertrouwen elkaar. Dat is nieuw."

    def coding(name: str, code: str, user: str) -> str:
        return f'<Coding guid="{gid(name)}" creatingUser="{gid(user)}"><CodeRef targetGUID="{gid(code)}"/></Coding>'

    project = (f'<Project xmlns="{NS}" name="p"><Users><User guid="{gid("ann")}" name="ann"/>'
               f'<User guid="{gid("ben")}" name="ben"/></Users><CodeBook><Codes>'
               f'<Code guid="{gid("hope")}" name="hope" isCodable="true"/><Code guid="{gid("fear")}" name="fear" '
               f'isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="{gid("t")}" name="t" '
               f'plainTextPath="internal://t.txt" creatingUser="{gid("ann")}">'
               f'<PlainTextSelection guid="{gid("sel")}" startPosition="0" endPosition="22" creatingUser="{gid("ann")}">'
               + coding("c1", "hope", "ann") + coding("c2", "fear", "ben") + "</PlainTextSelection>"
               + coding("c3", "fear", "ben") + "</TextSource></Sources></Project>")
    with zipfile.ZipFile(tmp_path / "p.qdpx", "w") as archive:
        archive.writestr("project.qde", project)
        archive.writestr("Sources/t.txt", text)
    report = import_qdpx(empty, tmp_path / "p.qdpx", "lead")
    assert report.warnings == [] and report.per_coder == {"ann": 1, "ben": 2}
    assert stored(empty) == sorted([("t", "ann", "hope", "Wij vertrouwen elkaar."), ("t", "ben", "fear", text),
                                    ("t", "ben", "fear", "Wij vertrouwen elkaar.")])
