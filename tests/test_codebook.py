"""Codebook files (DESIGN §5): validation with file and line, and reloading into a study."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from coder.codebook.codebook_file import parse_codebook, read_codebook
from coder.codebook.study_codebook import active_codes, apply_codebook
from coder.errors import CodebookConflict, CodebookError
from coder.ingest.importer import import_transcripts
from coder.storage.models import AuditEntry, Code, Coder, Coding, Segment
from tests.conftest import SHIPPED_CODEBOOK, TRANSCRIPT, write

THEMES = ("interdependence", "new-activities", "flexibility", "reflection")


def test_shipped_codebook_has_the_four_themes_with_core_elements():
    codebook = read_codebook(SHIPPED_CODEBOOK)
    assert tuple(code.id for code in codebook.codes) == THEMES
    for theme in codebook.codes:
        assert theme.name and theme.name_en and theme.key and theme.color
        assert theme.definition and theme.include and theme.exclude and theme.examples
        assert len(theme.codes) >= 3
        for element in theme.codes:
            assert element.name and element.name_en and element.definition and element.examples
    elements = {e.id for theme in codebook.codes for e in theme.codes}
    assert {"mutual-trust", "shared-norms", "shared-responsibility", "willingness",
            "awareness-other-discipline", "letting-go-of-role", "feedback", "evaluation"} <= elements


def test_guids_are_stable_across_reads():
    first = [c.stable_guid for c, _ in read_codebook(SHIPPED_CODEBOOK).walk()]
    second = [c.stable_guid for c, _ in read_codebook(SHIPPED_CODEBOOK).walk()]
    assert first == second and len(set(first)) == len(first)


GOOD = """\
title: Test
codes:
  - id: a
    name: A
    key: 1
    color: "#abc"
    codes:
      - id: a1
        name: A one
  - id: b
    name: B
    key: 2
"""


def test_parse_nests_and_normalises_colours():
    codebook = parse_codebook(GOOD, "t.yaml")
    walked = [(c.id, p.id if p else None) for c, p in codebook.walk()]
    assert walked == [("a", None), ("a1", "a"), ("b", None)]
    assert codebook.codes[0].color == "#aabbcc"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (GOOD.replace("id: b", "id: a1"), 10, "duplicate code id 'a1' (first used on line 8)"),
        (GOOD.replace("    key: 2", "    kleur: 2"), 12, "unknown key 'kleur'"),
        (GOOD.replace("    name: B\n", ""), 10, "code 'b' has no 'name'"),
        (GOOD.replace('"#abc"', '"blauw"'), 6, "colour of 'a' must be #RRGGBB"),
        (GOOD.replace("key: 2", "key: 1"), 12, "duplicate key 1: already used by 'a' on line 5"),
        (GOOD.replace("key: 2", "key: 12"), 12, "must be one digit"),
        (GOOD.replace("id: b", "id: B c"), 10, "must be lower case"),
        (GOOD.replace("  - id: b\n", "  - iden: b\n"), 10, "unknown key 'iden'"),
        (GOOD + "  - name: no id\n", 13, "a code has no 'id'"),
        (GOOD.replace("    name: B\n", "    name: B\n    name: C\n"), 12, "duplicate key 'name'"),
        ("title: [unclosed\ncodes: []\n", 2, "not valid YAML"),
        ("title: x\ncodes: []\n", 2, "'codes' list is empty"),
        ("title: x\n", 1, "has no 'codes' list"),
    ],
)
def test_invalid_codebooks_are_refused_with_file_and_line(text, line, message):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "cb.yaml")
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"cb.yaml:{line}: ")


def test_empty_and_missing_files_are_refused(tmp_path):
    with pytest.raises(CodebookError, match="empty"):
        read_codebook(write(tmp_path, "empty.yaml", ""))
    with pytest.raises(CodebookError, match="no such file"):
        read_codebook(tmp_path / "nope.yaml")
    with pytest.raises(CodebookError, match="not UTF-8"):
        read_codebook(write(tmp_path, "latin.yaml", "title: caf\xe9\n".encode("latin-1")))


def _code(session, code_id: str) -> Code:
    return session.exec(select(Code).where(Code.code_id == code_id)).one()


def _add_coding(study, tmp_path, code_id: str) -> None:
    """A coding row straight into the table: coding actions arrive with the workbench."""
    import_transcripts(study, [write(tmp_path, "t.txt", TRANSCRIPT)], "test")
    with study.session() as session:
        coder = Coder(name="anna")
        session.add(coder)
        session.flush()
        segment = session.exec(select(Segment)).first()
        session.add(Coding(coder_id=coder.id, code_id=_code(session, code_id).id,
                           transcript_id=segment.transcript_id, first_segment_id=segment.id,
                           last_segment_id=segment.id, start=segment.start, end=segment.end))


def test_loading_builds_the_tree_and_audits(study):
    with study.session() as session:
        change = apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "anna")
    assert len(change.added) == 16
    with study.session() as session:
        codes = active_codes(session)
        assert [c.code_id for c in codes if c.parent_id is None] == list(THEMES)
        assert _code(session, "mutual-trust").parent_id == _code(session, "interdependence").id
        assert json.loads(_code(session, "feedback").examples)
        entries = session.exec(select(AuditEntry).where(AuditEntry.kind == "codebook.load")).all()
        assert len(entries) == 1 and entries[0].actor == "anna"


def test_reloading_a_changed_codebook_keeps_codings(study, tmp_path):
    with study.session() as session:
        apply_codebook(session, parse_codebook(GOOD, "v1.yaml"), "anna")
    _add_coding(study, tmp_path, "a1")
    renamed = GOOD.replace("name: A one", "name: A first").replace("key: 2", "key: 3")
    with study.session() as session:
        change = apply_codebook(session, parse_codebook(renamed, "v2.yaml"), "anna")
    assert change.updated == ("a1", "b") and change.added == ()
    with study.session() as session:
        coding = session.exec(select(Coding)).one()
        assert coding.code_id == _code(session, "a1").id
        assert _code(session, "a1").name == "A first"
        update = session.exec(select(AuditEntry).where(AuditEntry.kind == "code.update")).first()
        assert json.loads(update.detail)["before"]["name"] == "A one"


def test_removing_a_code_in_use_is_refused_unless_retired(study, tmp_path):
    with study.session() as session:
        apply_codebook(session, parse_codebook(GOOD, "v1.yaml"), "anna")
    _add_coding(study, tmp_path, "a1")
    without_a1 = GOOD.replace("    codes:\n      - id: a1\n        name: A one\n", "")
    with pytest.raises(CodebookConflict, match="'a1' \\(1 codings\\)"):
        with study.session() as session:
            apply_codebook(session, parse_codebook(without_a1, "v2.yaml"), "anna")
    with study.session() as session:
        assert _code(session, "a1").retired_at is None
        change = apply_codebook(session, parse_codebook(without_a1, "v2.yaml"), "anna", retire_in_use=True)
    assert change.retired == ("a1",)
    with study.session() as session:
        assert session.exec(select(Coding)).one().deleted_at is None
        assert "a1" not in {c.code_id for c in active_codes(session)}


def test_unused_removed_code_is_retired_and_comes_back(study):
    with study.session() as session:
        apply_codebook(session, parse_codebook(GOOD, "v1.yaml"), "anna")
    without_b = GOOD.split("  - id: b")[0]
    with study.session() as session:
        assert apply_codebook(session, parse_codebook(without_b, "v2.yaml"), "anna").retired == ("b",)
    with study.session() as session:
        apply_codebook(session, parse_codebook(GOOD, "v3.yaml"), "anna")
        assert _code(session, "b").retired_at is None and _code(session, "b").key == "2"
