"""Codings export (DESIGN §5): one row per coding, CSV and JSON, readable elsewhere."""

from __future__ import annotations

import csv
import io
import json

from coder.coding.actions import add_coding, remove_coding, set_memo
from coder.report.codings_export import COLUMNS, coding_rows, write_csv
from tests.test_cli import run


def code(study, *args, **kwargs):
    with study.session() as session:
        return add_coding(session, *args, **kwargs)


def test_rows_carry_everything_an_analysis_needs(sample):
    study, t = sample
    spanning = code(study, "anna", "mutual-trust", t, 3, 4)
    code(study, "bram", "interdependence", t, 3, 4, pass_="blind")
    gone = code(study, "anna", "flexibility", t, 2, 2)
    with study.session() as session:
        set_memo(session, spanning.id, 'zegt "nodig", met komma, en\nregel', "anna")
        remove_coding(session, gone.id, "anna")
        rows = coding_rows(session)
    assert len(rows) == 2 and list(rows[0]) == list(COLUMNS)
    anna = rows[0]
    assert anna["speaker"] == "L+J" and anna["role"] == "teacher+youth-care-worker"
    assert (anna["first_segment"], anna["last_segment"], anna["code_id"], anna["theme"]) == (
        4, 5, "mutual-trust", "interdependence")  # numbered as the screens number them, from 1
    assert anna["text"].startswith("We geven bijv. samen les") and anna["text"].endswith("[pauze] Ja.")
    assert (anna["coder"], anna["pass"], anna["school_type"]) == ("anna", "primary", "po")
    with study.session() as session:
        assert [r["coder"] for r in coding_rows(session, pass_="blind")] == ["bram"]
        assert [r["coder"] for r in coding_rows(session, coder="anna")] == ["anna"]
    buffer = io.StringIO()
    write_csv(rows, buffer)
    back = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert back[0]["memo"] == rows[0]["memo"] and back[0]["text"] == rows[0]["text"]


def test_command_line_csv_with_bom_and_json(capsys, sample, tmp_path):
    study, t = sample
    code(study, "anna", "reflection", t, 5, 5)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "codings.csv"
    assert run(capsys, "--db", study.target, "export", "codings", "-o", str(out), "--bom")[0] == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["code_id"] == "reflection" and rows[0]["text"] == "Ik heb haar echt nodig."
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind
    code_, stdout, _ = run(capsys, "--db", study.target, "export", "codings", "--format", "json")
    assert code_ == 0 and json.loads(stdout)[0]["theme"] == "reflection"
