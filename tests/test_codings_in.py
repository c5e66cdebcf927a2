"""Codings in (DESIGN §5): `coder code FILE.csv` applies a file of codings as one coder, all or nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from coder.coding.codings_in import apply_codings, parse_codings, read_codings
from coder.coding.queries import transcript_codings
from coder.errors import CodingsFileError
from coder.storage.models import AuditEntry, Coder, Coding
from tests.conftest import SHIPPED_CODEBOOK, TRANSCRIPT, write
from tests.test_cli import run

# TRANSCRIPT's segments as the screens number them: 1-2 interviewer, 3-4 teacher, 5-6 youth-care worker.
GOOD = """transcript,first,last,code,memo
Proefinterview,3,4,interdependence,samen lesgeven
{id},5,5,Reflectie op het proces,
Proefinterview,6,6,mutual-trust,
"""


def codings(study, transcript_id: int) -> list[tuple[str, str, int, int, str]]:
    with study.session() as session:
        return [(c.coder, c.code_id, c.first, c.last, c.memo) for c in transcript_codings(session, transcript_id)]


def test_a_file_of_codings_is_applied_as_the_coder_by_title_or_id_and_code_id_or_name(sample, tmp_path):
    study, t = sample
    path = write(tmp_path, "codes.csv", GOOD.format(id=t))
    with study.session() as session:
        assert apply_codings(session, "anna", read_codings(path), str(path)) == 3
    assert codings(study, t) == [("anna", "interdependence", 2, 3, "samen lesgeven"),
                                 ("anna", "reflection", 4, 4, ""), ("anna", "mutual-trust", 5, 5, "")]
    with study.session() as session:  # each one is anna's own action, which she can undo
        kinds = session.exec(select(AuditEntry.kind).where(AuditEntry.actor == "anna")).all()
    assert kinds.count("coding.add") == 3


@pytest.mark.parametrize(("row", "problem"), [
    ("Proefinterview,3,4,no-such-code", "no code 'no-such-code'"),
    ("Geen interview,3,4,interdependence", "no transcript 'Geen interview'"),
    ("Proefinterview,3,40,interdependence", "has 6 segments; there is no segment 40"),
    ("Proefinterview,1,1,interdependence", "turns of the interviewer are not coded"),
    ("Proefinterview,3,4,interdependence", "anna already has 'interdependence' on segments 3–4"),
])
def test_a_row_the_study_refuses_names_its_line_and_stores_nothing(sample, tmp_path, row, problem):
    study, t = sample
    earlier = write(tmp_path, "earlier.csv", "transcript,first,last,code\nProefinterview,3,4,interdependence\n")
    with study.session() as session:
        apply_codings(session, "anna", read_codings(earlier), str(earlier))
    path = write(tmp_path, "codes.csv", f"transcript,first,last,code\nProefinterview,5,6,reflection\n{row}\n")
    before = codings(study, t)
    with pytest.raises(CodingsFileError, match=f"codes.csv:3: .*{problem}"), study.session() as session:
        apply_codings(session, "anna", read_codings(path), str(path))
    assert codings(study, t) == before


@pytest.mark.parametrize(("text", "message"), [
    ("transcript,first,code\nX,1,c\n", "codes.csv:1: missing column last"),
    ("transcript,first,last,code,colour\n", "codes.csv:1: unknown column colour"),
    ("transcript,first,last,code\nX,0,1,c\n", "codes.csv:2: 'first' must be a segment number from 1, not '0'"),
    ("transcript,first,last,code\nX,a,1,c\n", "codes.csv:2: 'first' must be a segment number from 1, not 'a'"),
    ("transcript,first,last,code\n\nX,4,2,c\n", "codes.csv:3: 'first' \\(4\\) comes after 'last' \\(2\\)"),
    ("transcript,first,last,code\nX,1,2,\n", "codes.csv:2: no code"),
    ("transcript,first,last,code\nX,1,2,c,extra\n", "codes.csv:2: more fields than the header names"),
])
def test_a_malformed_file_names_file_and_line(text, message):
    with pytest.raises(CodingsFileError, match=f"^{message}"):
        parse_codings(text, "codes.csv")


def test_the_command_applies_the_file_as_the_acting_coder_and_needs_one(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("CODER_USER", raising=False)
    db = str(tmp_path / "s.db")
    transcript = write(tmp_path, "t.txt", TRANSCRIPT)
    assert run(capsys, "--db", db, "init", "--codebook", str(SHIPPED_CODEBOOK))[0] == 0
    assert run(capsys, "--db", db, "import", str(transcript))[0] == 0
    path = write(tmp_path, "codes.csv", "transcript,first,last,code\nProefinterview,3,4,interdependence\n")
    code, _, err = run(capsys, "--db", db, "code", str(path))
    assert code != 0 and "--as NAME" in err
    code, out, _ = run(capsys, "code", str(path), "--db", db, "--as", "bram")
    assert (code, out.strip()) == (0, "Applied 1 codings as bram.")
    code, _, err = run(capsys, "code", str(path), "--db", db, "--as", "bram")
    assert code == 1 and "codes.csv:2:" in err and "already has" in err
    from coder.storage.database import open_study

    study = open_study(db)
    with study.session() as session:
        assert session.exec(select(Coder.name).join(Coding, Coding.coder_id == Coder.id)).all() == ["bram"]
    study.close()
