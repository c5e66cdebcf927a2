"""`coder agreement` beyond kappa on a ratings file: unitizing from a study and from a spans file,
the review beside kappa, the coder pairs, and figures worded as the summary words them."""

from __future__ import annotations

import json
import re

import pytest

from coder.stats.spans_file import read_spans, unitizing_json
from coder.stats.unitizing import alpha_u, u_alpha
from tests.conftest import SHIPPED_CODEBOOK, TRANSCRIPT, write
from tests.test_cli import run

SPANS = "document,length,coder,code,start,end\nd,100,A,x,0,10\nd,100,B,x,2,10\nd,100,A,y,40,60\nd,100,B,y,45,60\n"


def test_spans_file_json_is_the_contract(capsys, tmp_path):
    path = write(tmp_path, "s.csv", SPANS)
    code, out, _ = run(capsys, "agreement", "--spans", str(path), "--json")
    assert code == 0
    data = read_spans(path)
    assert json.loads(out) == json.loads(json.dumps(unitizing_json(data, alpha_u(data), u_alpha(data))))
    report = json.loads(out)
    assert report["coders"] == ["A", "B"] and report["documents"] == 1 and report["length"] == 100
    assert report["alpha_u"]["variant"] == "krippendorff-2004" and report["u_alpha"]["variant"] == "krippendorff-2016"


def test_spans_file_table_and_errors(capsys, tmp_path):
    code, out, _ = run(capsys, "agreement", "--spans", str(write(tmp_path, "s.csv", SPANS)))
    data = read_spans(tmp_path / "s.csv")
    overall = alpha_u(data).overall
    assert code == 0 and "A vs B: 1 documents, 100 characters" in out
    assert re.search(rf"^overall\s+4\s+{overall:.2f}$", out, re.M)
    code, _, err = run(capsys, "agreement", "--spans", str(write(tmp_path, "bad.csv", "document,length,coder,code,start,end\nd,5,A,x,0,9\n")))
    assert code == 1 and "bad.csv:2" in err and "past the end" in err
    code, _, err = run(capsys, "agreement", "--spans", "a.csv", "--ratings", "b.csv")
    assert code == 2 and "not both" in err


@pytest.fixture
def double_coded(capsys, tmp_path):
    """A study where anna and bram both coded the sample transcript, each their own way."""
    from coder.coding.actions import add_coding
    from coder.storage.database import open_study

    db = str(tmp_path / "s.db")
    run(capsys, "--db", db, "init", "--codebook", str(SHIPPED_CODEBOOK))
    run(capsys, "--db", db, "import", str(write(tmp_path, "a.txt", TRANSCRIPT)))
    study = open_study(db)
    with study.session() as session:
        add_coding(session, "anna", "flexibility", 1, 2, 3)
        add_coding(session, "anna", "reflection", 1, 4, 4)
        add_coding(session, "bram", "flexibility", 1, 3, 3, pass_="blind")
        add_coding(session, "bram", "reflection", 1, 4, 5, pass_="blind")
    study.close()
    return db


def test_unitizing_from_a_study(capsys, double_coded):
    from coder.stats.study_spans import study_unitizing
    from coder.storage.database import open_study

    code, out, _ = run(capsys, "--db", double_coded, "agreement", "--mode", "unitizing", "--json")
    assert code == 0
    report = json.loads(out)
    study = open_study(double_coded)
    with study.session() as session:
        result = study_unitizing(session, "theme")
    study.close()
    assert report["coders"] == ["anna", "bram"] and report["level"] == "theme" and report["documents"] == 1
    assert report["length"] == result.data.length
    assert report["alpha_u"]["overall"] == pytest.approx(result.alpha_u.overall)
    assert list(report["alpha_u"]["codes"]) == ["interdependence", "new-activities", "flexibility", "reflection"]
    assert report["alpha_u"]["codes"]["interdependence"] is None and report["alpha_u"]["reasons"]["codes"]
    code, out, _ = run(capsys, "--db", double_coded, "agreement", "--mode", "unitizing")
    assert code == 0 and "Flexibiliteit" in out and "interviewer turns" in out
    assert "Onderlinge afhankelijkheid: no coder used this code" in out


def test_the_table_words_figures_as_the_summary_does(capsys, double_coded):
    """Codebook names, "undefined: only one coder used it" for a code bram never gave, no "-0.00",
    the caution for so few units, and alpha with its reason."""
    code, out, _ = run(capsys, "--db", double_coded, "agreement", "--mode", "segments")
    assert code == 0
    assert "Caution: only 4 units were compared" in out
    assert "-0.00" not in out
    assert re.search(r"^Flexibiliteit\s+4\s+2\s+1\s+1 ", out, re.M)
    code, out, _ = run(capsys, "--db", double_coded, "agreement", "--mode", "segments", "--json")
    report = json.loads(out)
    assert report["codes"]["interdependence"]["reason"] is not None and "review" not in report


def test_fragments_mode_reports_the_review_and_names_the_pairs(capsys, coded_demo):
    from coder.coding.assignments import assign

    target = ("--db", coded_demo.target)
    code, out, err = run(capsys, *target, "agreement", "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["review"] == {"ready": 16, "decided": 16, "adjusted": 1, "added": 1}
    code, out, _ = run(capsys, *target, "agreement")
    assert "review: 16 of 16 fragments decided; boundaries adjusted: 1 (bijgesteld)" in out
    assert "Nieuw gecreëerde professionele activiteiten" in out and "undefined: only one coder used it" in out
    assert "interval clipped to [−1, 1]" in out and "[0.39, 1.00]" in out
    assert "alpha — (not defined for pooled tables)" in out
    with coded_demo.session() as session:
        assign(session, "marieke", "lotte", "lead", fraction=0.25, seed=3)
    code, out, err = run(capsys, *target, "agreement")
    assert code == 0 and out.startswith("marieke vs sander")
    assert "2 coder pairs (marieke & sander, marieke & lotte); showing marieke & sander" in err
    code, out, err = run(capsys, *target, "agreement", "--coders", "marieke,lotte", "--json")
    assert code == 0 and err == "" and json.loads(out)["coders"] == ["marieke", "lotte"]
