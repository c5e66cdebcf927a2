"""REFI-QDA codebooks (.qdc) out and in: schema-valid export, lossless round trip,
lenient reading of other tools' files, hostile XML refused."""

from __future__ import annotations

import json

import pytest
import xmlschema
from sqlmodel import select

from coder.codebook.codebook_file import codes_to_yaml, parse_codebook, read_codebook
from coder.codebook.study_codebook import active_codes, apply_codebook
from coder.errors import CodebookError
from coder.exchange.refi_codebook import codebook_to_qdc, read_qdc
from coder.storage.models import Code
from tests.conftest import REPO, SHIPPED_CODEBOOK, write
from tests.test_cli import run

REFI = REPO / "tests" / "fixtures" / "refi-qda"
SCHEMAS = REPO / "coder" / "exchange" / "schemas"
FIELDS = ("code_id", "name", "name_en", "key", "color", "definition", "include", "exclude",
          "examples", "codable", "guid", "position")


def snapshot(study) -> list[tuple]:
    """Every field of every code, with the parent named by id."""
    with study.session() as session:
        codes = session.exec(select(Code).order_by(Code.code_id)).all()
        ids = {c.id: c.code_id for c in codes}
        return [tuple(getattr(c, f) for f in FIELDS) + (ids.get(c.parent_id),) for c in codes]


def shipped_codes(study) -> list[Code]:
    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "test")
        return active_codes(session)


def test_export_is_schema_valid_utf8_without_bom_and_lf(study):
    data = codebook_to_qdc(shipped_codes(study))
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd")).validate(data.decode("utf-8"))


def test_round_trip_through_qdc_loses_nothing(study, tmp_path):
    path = write(tmp_path, "book.qdc", codebook_to_qdc(shipped_codes(study)))
    from coder.storage.database import open_study

    other = open_study(str(tmp_path / "other.db"))
    try:
        with other.session() as session:
            apply_codebook(session, read_qdc(path), "test")
        assert snapshot(other) == snapshot(study)
        again = write(tmp_path, "again.qdc", codebook_to_qdc(shipped_codes(other)))
        assert again.read_bytes() == path.read_bytes()  # stable GUIDs, stable output
    finally:
        other.close()


def test_yaml_export_reads_back_the_same(study):
    codes = shipped_codes(study)
    original = [(s.id, s.name, s.name_en, s.key, s.color, s.definition, s.include, s.exclude, s.examples,
                 s.stable_guid, p.id if p else None) for s, p in read_codebook(SHIPPED_CODEBOOK).walk()]
    again = [(s.id, s.name, s.name_en, s.key, s.color, s.definition, s.include, s.exclude, s.examples,
              s.stable_guid, p.id if p else None)
             for s, p in parse_codebook(codes_to_yaml(codes), "export.yaml").walk()]
    assert again == original


def test_qualcoder_codebook_nested_with_bom(study):
    codebook = read_qdc(REFI / "qualcoder4.0b-generated_codebook.qdc")
    walked = [(s.id, p.id if p else None, s.codable, s.color) for s, p in codebook.walk()]
    assert walked == [
        ("honesty", None, True, "#58acfa"), ("unicode", None, True, "#fa5858"),
        ("feelings", None, False, None), ("positive", "feelings", False, None),
        ("joy", "positive", True, "#f4fa58"), ("big-joy", "joy", True, "#f7d358"),
    ]
    assert codebook.codes[2].definition == "Emotional content"
    with study.session() as session:
        assert len(apply_codebook(session, codebook, "test").added) == 6


def test_taguette_codebook_with_upper_case_guids_and_odd_names():
    codebook = read_qdc(REFI / "taguette1.4.1_codebook.qdc")
    assert [(s.id, s.guid) for s, _ in codebook.walk()] == [
        ("xsd-element-name", "098ac082-a9c7-50f4-9728-48730081a95e"),
        ("codebook", "a2209cff-8e89-5b0a-a7b0-cddc4be92936"),
        ("variables", "dd1b8ad4-9b6e-5be2-bd0b-fde7deafdda4"),
    ]


def test_names_that_repeat_under_different_parents_get_distinct_ids(tmp_path):
    xml = """<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1:0"><Codes>
      <Code guid="{11111111-1111-1111-1111-111111111111}" name="Ouders" isCodable="false">
        <Code guid="22222222-2222-2222-2222-222222222222" name="Positief" isCodable="true"/></Code>
      <Code guid="33333333-3333-3333-3333-333333333333" name="Leerlingen" isCodable="false">
        <Code guid="44444444-4444-4444-4444-444444444444" name="Positief" isCodable="true"/></Code>
    </Codes></CodeBook>"""
    codebook = read_qdc(write(tmp_path, "x.qdc", xml))
    ids = [s.id for s, _ in codebook.walk()]
    assert ids == ["ouders", "positief", "leerlingen", "leerlingen.positief"]
    assert codebook.codes[0].guid == "11111111-1111-1111-1111-111111111111"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
         '<CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" name="&b;" isCodable="true"/>'
         '</Codes></CodeBook>', "forbidden construct"),
        ("<CodeBook><Codes>", "not valid XML"),
        ("<Project/>", "not a REFI-QDA codebook"),
        ("<CodeBook/>", "has no <Codes>"),
        ('<CodeBook><Codes><Code guid="nope" name="x" isCodable="true"/></Codes></CodeBook>', "not a GUID"),
    ],
)
def test_bad_and_hostile_files_are_refused(tmp_path, content, message):
    with pytest.raises(CodebookError, match=message):
        read_qdc(write(tmp_path, "bad.qdc", content))


def test_command_line_export_and_load(capsys, tmp_path):
    db, other = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    run(capsys, "--db", db, "init", "--codebook", str(SHIPPED_CODEBOOK))
    out = tmp_path / "book.qdc"
    assert run(capsys, "--db", db, "codebook", "export", "-o", str(out))[0] == 0
    assert run(capsys, "--db", other, "init")[0] == 0  # only init, import and demo create a study
    code, stdout, _ = run(capsys, "--db", other, "codebook", "load", str(out))
    assert code == 0 and "16 added" in stdout
    code, stdout, _ = run(capsys, "--db", db, "codebook", "export", "--format", "yaml")
    assert code == 0 and parse_codebook(stdout, "out.yaml").codes[0].id == "interdependence"
    assert json.loads(run(capsys, "--db", other, "status", "--json")[1])["codes"] == 16
