"""REFI-QDA project import (.qdpx): round trip, other tools' files, lenient cases, hostile archives."""

from __future__ import annotations

import codecs
import struct
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from coder.coding.actions import add_coding, set_memo
from coder.coding.queries import transcript_codings
from coder.exchange import project_import
from coder.exchange.project_export import export_qdpx
from coder.exchange.project_import import ProjectError, import_qdpx
from coder.storage.database import open_study
from coder.storage.models import Code, Coding, Transcript
from tests.conftest import REPO

REFI = REPO / "tests" / "fixtures" / "refi-qda"


def all_codings(study):
    with study.session() as session:
        ids = session.exec(select(Transcript.id).order_by(Transcript.id)).all()
        return [(c.coder, c.code_id, c.first, c.last, c.memo, c.pass_)
                for tid in ids for c in transcript_codings(session, tid)]


def test_round_trip_export_then_import_into_an_empty_study(demo, tmp_path):
    with demo.session() as session:
        first = add_coding(session, "anna", "flexibility", 1, 6, 8)
        add_coding(session, "bram", "interdependence", 1, 6, 8, pass_="blind")
        add_coding(session, "anna", "mutual-trust", 1, 14, 14)
        set_memo(session, first.id, "twijfel: ook reflectie?", "anna")
        export_qdpx(session, tmp_path / "demo.qdpx")
    empty = open_study(str(tmp_path / "empty.db"))
    try:
        report = import_qdpx(empty, tmp_path / "demo.qdpx", "test")
        assert (report.sources, report.codings, report.warnings) == (8, 3, [])
        assert report.coders == {"anna", "bram"} and report.offset_unit == "code points"
        assert all_codings(empty) == all_codings(demo)
        with empty.session() as session, demo.session() as original:
            texts = session.exec(select(Transcript.text).order_by(Transcript.id)).all()
            assert texts == original.exec(select(Transcript.text).order_by(Transcript.id)).all()
            schools = session.exec(select(Transcript.school_type).order_by(Transcript.id)).all()
            assert schools == original.exec(select(Transcript.school_type).order_by(Transcript.id)).all()
            codes = {(c.code_id, c.name, c.guid) for c in session.exec(select(Code))}
            assert codes == {(c.code_id, c.name, c.guid) for c in original.exec(select(Code))}
    finally:
        empty.close()


def test_qualcoder_project_with_emoji_and_lower_case_sources_folder(empty):
    study = empty
    report = import_qdpx(study, REFI / "qualcoder4.0b-generated_sample.qdpx", "test")
    assert (report.sources, report.codings) == (2, 5) and report.coders == {"alice", "bob"}
    with study.session() as session:
        rows = [(c.coder, c.code_id) for t in session.exec(select(Transcript)).all()
                for c in transcript_codings(session, t.id)]
        texts = {t.title: t.text for t in session.exec(select(Transcript))}
    assert ("alice", "joy") in rows and ("bob", "big-joy") in rows
    assert "😀" in texts["interview1.txt"]


def test_atlas_ti_project_with_only_a_codebook(empty):
    study = empty
    report = import_qdpx(study, REFI / "atlasti23.2-win_target-atlas-project.qdpx", "test")
    assert report.sources == 0
    with study.session() as session:
        assert {c.code_id for c in session.exec(select(Code))} == {
            "commits", "2022-05-10t02-05-59z-19e4dce", "2022-02-11t10-39-25z-cdbfd92"}


LENIENT = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1:0" name="x">
 <Users><User guid="{AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA}" name="carla"/></Users>
 <CodeBook><Codes>
  <Code guid="{BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB}" name="Vertrouwen" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="11111111-1111-1111-1111-111111111111" name="inline" >
   <PlainTextContent>L: Ik vertrouw haar. 😀 Echt waar.</PlainTextContent>
   <PlainTextSelection guid="21111111-1111-1111-1111-111111111111" startPosition="3" endPosition="20"
       name="Ik vertrouw haar." creatingUser="aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa">
    <Coding guid="31111111-1111-1111-1111-111111111111"><CodeRef targetGUID="bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <TextSource guid="12222222-2222-2222-2222-222222222222" name="utf16-offsets" plainTextPath="internal://b.txt">
   <PlainTextSelection guid="22222222-2222-2222-2222-222222222222" startPosition="6" endPosition="15" name="Echt waar">
    <Coding guid="32222222-2222-2222-2222-222222222222"><CodeRef targetGUID="BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="23333333-3333-3333-3333-333333333333" startPosition="500" endPosition="510" name="">
    <Coding guid="33333333-3333-3333-3333-333333333333"><CodeRef targetGUID="BBBBBBBB-BBBB-BBBB-BBBB-BBBBBBBBBBBB"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <TextSource guid="13333333-3333-3333-3333-333333333333" name="missing" plainTextPath="internal://gone.txt"/>
 </Sources>
</Project>"""


def make_archive(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_lenient_cases_each_absorbed_and_reported(tmp_path):
    # b.txt: BOM, CRLF, an astral character, offsets in UTF-16 code units ("J: 😀 " is 6 units but 5 code points)
    text_b = "J: 😀 Echt waar\r\nI: Ja."
    archive = make_archive(tmp_path / "x.qdpx", {
        "anything.qde": LENIENT.encode("utf-8"),
        "b.txt": codecs.BOM_UTF8 + text_b.encode("utf-8"),
    })
    study = open_study(str(tmp_path / "s.db"))
    try:
        report = import_qdpx(study, archive, "test")
        assert report.sources == 2 and report.codings == 2
        assert report.offset_unit == "UTF-16 code units"
        assert any("does not follow the REFI-QDA schema" in w for w in report.warnings)  # namespace 1:0
        assert any("missing" in w and "skipped" in w for w in report.warnings)
        assert any("outside the text" in w for w in report.warnings)
        with study.session() as session:
            transcripts = {t.title: t for t in session.exec(select(Transcript))}
            assert "\r" not in transcripts["utf16-offsets"].text
            for title, expected in (("inline", "Ik vertrouw haar."), ("utf16-offsets", "Echt waar")):
                (coding,) = transcript_codings(session, transcripts[title].id)
                assert coding.code_id == "vertrouwen"
                row = session.get(Coding, coding.id)
                assert transcripts[title].text[row.start:row.end] == expected
    finally:
        study.close()


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"project.qde": b"<Project name='x'/>", "../evil.txt": b"x"}, "unsafe path"),
        ({"project.qde": b"<Project name='x'/>", "/etc/passwd": b"x"}, "unsafe path"),
        ({"project.qde": b"<Project name='x'/>", "\\\\server\\share.txt": b"x"}, "unsafe path"),
        ({"project.qde": b"<Project name='x'/>", "Sources\\..\\..\\evil.txt": b"x"}, "unsafe path"),
        ({"project.qde": b"<Project name='x'/>", "C:evil.txt": b"x"}, "unsafe path"),
        ({"Sources/a.txt": b"x"}, "no project file"),
        ({"project.qde": b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
                         b'<Project name="&b;"/>'}, "forbidden construct"),
        ({"project.qde": b"<CodeBook/>"}, "not a REFI-QDA project"),
    ],
)
def test_hostile_and_broken_archives_are_refused(tmp_path, members, message, empty):
    study = empty
    with pytest.raises(ProjectError, match=message):
        import_qdpx(study, make_archive(tmp_path / "bad.qdpx", members), "test")
    with study.session() as session:
        assert session.exec(select(Transcript)).all() == []


def test_an_archive_declaring_more_than_the_limit_is_refused(tmp_path, empty, monkeypatch):
    """A zip bomb in miniature: 2 MB of zeros deflate to a few kB, against a limit lowered to 1 MB."""
    monkeypatch.setattr(project_import, "MAX_UNPACKED", 2**20)
    path = make_archive(tmp_path / "bomb.qdpx", {"project.qde": b"<Project name='x'/>", "Sources/zeros.txt": bytes(2 * 2**20)})
    assert path.stat().st_size < 2**14
    with pytest.raises(ProjectError, match=r"refused: unpacks to 2 MB \(limit 1 MB\)"):
        import_qdpx(empty, path, "test")


def lie_about_size(path, name: str, size: int) -> None:
    """Rewrite the uncompressed size that the local and the central header of `name` declare."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    headers = 0
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at != -1:
            if data[at + name_at : at + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", data, at + size_at, size)
                headers += 1
            at = data.find(signature, at + 4)
    assert headers == 2, f"{name} has a local and a central header"
    path.write_bytes(bytes(data))


TWICE = b"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>
 <TextSource guid="14444444-4444-4444-4444-444444444444" name="first" plainTextPath="internal://a.txt"/>
 <TextSource guid="15555555-5555-5555-5555-555555555555" name="again" plainTextPath="internal://a.txt"/>
</Sources></Project>"""


def test_a_member_that_lies_about_its_size_is_refused_while_reading(tmp_path, empty):
    """Its headers declare 10 bytes, so the declared total passes the limit; it unpacks to
    4 MB. Reading stops at the declared size, the CRC then fails: a refusal, not a crash."""
    path = make_archive(tmp_path / "liar.qdpx", {"project.qde": TWICE, "Sources/a.txt": bytes(4 * 2**20)})
    lie_about_size(path, "Sources/a.txt", 10)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("Sources/a.txt").file_size == 10
    with pytest.raises(ProjectError, match=r"refused: Sources/a\.txt is damaged or not the size it declares"):
        import_qdpx(empty, path, "test")
    with empty.session() as session:
        assert session.exec(select(Transcript)).all() == []


def test_a_corrupt_member_is_refused(tmp_path, empty):
    path = make_archive(tmp_path / "corrupt.qdpx", {"project.qde": TWICE, "Sources/a.txt": b"L: hallo daar. " * 500})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("Sources/a.txt")
    stream = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[stream : stream + 8] = bytes(b ^ 0xFF for b in data[stream : stream + 8])
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match=r"refused: Sources/a\.txt is damaged"):
        import_qdpx(empty, path, "test")


def test_every_read_of_a_member_counts_against_the_limit(tmp_path, empty, monkeypatch):
    """Two sources may name one member: each read is counted, so a small archive cannot
    unpack beyond the limit by naming a big member many times."""
    text = b"L: ja. " * 300
    path = make_archive(tmp_path / "twice.qdpx", {"project.qde": TWICE, "Sources/a.txt": text})
    monkeypatch.setattr(project_import, "MAX_UNPACKED", len(TWICE) + 2 * len(text))  # exactly both reads
    report = import_qdpx(empty, path, "test")
    assert report.sources == 1 and report.per_source[1].speakers.startswith("the same text as a transcript")
    monkeypatch.setattr(project_import, "MAX_UNPACKED", len(TWICE) + 2 * len(text) - 1)
    with pytest.raises(ProjectError, match=r"refused: Sources/a\.txt unpacks beyond the"):
        import_qdpx(empty, path, "test")


def test_an_archive_with_too_many_members_is_refused(tmp_path, empty, monkeypatch):
    monkeypatch.setattr(project_import, "MAX_MEMBERS", 3)
    members = {"project.qde": b"<Project name='x'/>", "Sources/a.txt": b"a", "Sources/b.txt": b"b"}
    assert import_qdpx(empty, make_archive(tmp_path / "three.qdpx", members), "test").sources == 0  # at the limit
    members["Sources/c.txt"] = b"c"
    with pytest.raises(ProjectError, match=r"refused: 4 files in the archive \(limit 3\)"):
        import_qdpx(empty, make_archive(tmp_path / "four.qdpx", members), "test")


def test_not_a_zip_file(tmp_path, empty):
    study = empty
    bad = tmp_path / "x.qdpx"
    bad.write_bytes(b"just text")
    with pytest.raises(ProjectError, match="not a .qdpx archive"):
        import_qdpx(study, bad, "test")


def test_command_line_import_of_a_project(capsys, tmp_path):
    from tests.test_cli import run

    db = str(tmp_path / "s.db")
    code, out, err = run(capsys, "--db", db, "import", str(REFI / "qualcoder4.0b-generated_sample.qdpx"))
    assert code == 0 and "2 sources, 5 codings by alice, bob" in out
    code, _, err = run(capsys, "--db", db, "import", str(REFI / "qualcoder4.0b-generated_sample.qdpx"), "x.txt")
    assert code == 2 and "on its own" in err


def test_a_project_coded_by_two_people_goes_straight_into_agreement(tmp_path):
    from coder.stats.agreement import agreement
    from coder.stats.units import study_ratings

    study = open_study(str(tmp_path / "s.db"))
    try:
        import_qdpx(study, REFI / "qualcoder4.0b-generated_sample.qdpx", "test")
        with study.session() as session:
            ratings = study_ratings(session, "segments", "code", ("alice", "bob"))
        report = agreement(ratings, "code")
        # interview1 is no transcript (its Q: and A: open 2 of its 4 lines): paragraphs of one
        # speaker, so its title line "Interview 1" is a unit too: 5 segments
        assert report.coders == ("alice", "bob") and report.units == 5
        assert {code: (stats.a_yes, stats.b_yes) for code, stats in report.codes.items()} == {
            "honesty": (1, 0), "unicode": (1, 0), "feelings": (0, 0), "positive": (0, 0), "joy": (1, 0), "big-joy": (0, 1)}
    finally:
        study.close()


def test_an_import_is_the_importers_action_and_stays_off_the_original_coders_undo_stacks(tmp_path):
    """Issue #19.8: the audit trail names who imported; the codings stay alice's and bob's."""
    from coder.coding.actions import history, undo
    from coder.storage.models import AuditEntry

    study = open_study(str(tmp_path / "s.db"))
    try:
        import_qdpx(study, REFI / "qualcoder4.0b-generated_sample.qdpx", "lead")
        with study.session() as session:
            rows = session.exec(select(AuditEntry.actor, AuditEntry.kind)).all()
            assert {actor for actor, _ in rows} == {"lead"}
            assert ("lead", "project.import") in rows and ("lead", "coding.add") not in rows
            assert ("lead", "coder.add") in rows  # alice and bob were brought in by lead
            assert history(session, "alice") == ([], []) and history(session, "bob") == ([], [])
            assert undo(session, "alice") is None
        assert {coder for coder, *_ in all_codings(study)} == {"alice", "bob"}
    finally:
        study.close()


def _normalised_char_by_char(text: str) -> tuple[str, list[int]]:
    """The rule of `normalise_line_ends` spelled out one character at a time: the oracle."""
    out, mapping, index = [], [], 0
    while index < len(text):
        mapping.append(len(out))
        char = text[index]
        if char == "\r" and text[index + 1:index + 2] == "\n":
            out.append("\n")
            mapping.append(len(out))
            index += 1
        elif char in "\r\x0b\x0c\x85\u2028\u2029":
            out.append("\n")
        elif not (ord(char) < 0x09 or 0x0e <= ord(char) < 0x20 or 0x7f <= ord(char) < 0xa0):
            out.append(char)
        index += 1
    mapping.append(len(out))
    return "".join(out), mapping


@given(st.text(alphabet=st.sampled_from(list("ab é\t\n\r\x0b\x0c\x85\u2028\u2029\x00\x1f\x7f\x9f\xa0𝄞")), max_size=40))
def test_line_ends_are_normalised_as_the_rule_says_with_every_offset_mapped(text):
    assert project_import.normalise_line_ends(text) == _normalised_char_by_char(text)


def test_line_ends_map_offsets_across_crlf_and_dropped_characters():
    text, mapping = project_import.normalise_line_ends("a\r\nb\x00c\u2028")
    assert text == "a\nb" + "c\n"
    assert mapping == [0, 1, 2, 2, 3, 3, 4, 5]
