"""Spans CSV files for `coder agreement --spans` (DESIGN §4): reading, refusing, and the JSON."""

from __future__ import annotations

import json

import pytest

from coder.errors import SpansError
from coder.stats.spans_file import read_spans, unitizing_json
from coder.stats.unitizing import REASON_UNUSED, Span, alpha_u, continuum, u_alpha
from tests.conftest import write

#: Krippendorff (2004: p. 254), codes c and k, shifted from 150–450 to 0–300.
KRIPPENDORFF_2004 = """document,length,coder,code,start,end
text,300,i,c,75,145
text,300,i,c,220,250
text,300,j,c,70,150
text,300,j,c,205,225
text,300,j,c,250,270
text,300,i,k,30,90
text,300,i,k,150,200
text,300,j,k,30,90
text,300,j,k,150,200
"""


def test_reads_spans_in_any_column_order_with_a_bom_and_blank_lines(tmp_path):
    path = write(tmp_path, "s.csv", "\ufeffcoder,code,start,end,document,length\n\n"
                                    "A,x,0,5,one,10\nA,x,3,8,one,10\nB,x,2,4,one,10\nB,y,0,3,two,6\n")
    data = read_spans(path)
    want = continuum([Span("one", "A", "x", 0, 5), Span("one", "A", "x", 3, 8), Span("one", "B", "x", 2, 4),
                      Span("two", "B", "y", 0, 3)], {"one": 10, "two": 6})
    assert (data.coders, data.codes, data.documents, data.length, data.merged) == (("A", "B"), ("x", "y"),
                                                                                   ("one", "two"), 16, 1)
    for name in ("bounds", "coder", "code", "start", "end"):
        assert getattr(data, name).tolist() == getattr(want, name).tolist()


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("", 1, "the file is empty"),
        ("d,10,A,x,0,1\n", 1, "no header"),
        ("document,length,coder,code,start,end,weight\n", 1, "unknown column(s) weight"),
        ("document,length,coder,code,start\n", 1, "missing column(s) end"),
        ("document,length,coder,code,start,end,end\n", 1, "a column named twice"),
        ("document,length,coder,code,start,end\nd,10,A,x,0\n", 2, "expected 6 fields"),
        ("document,length,coder,code,start,end\nd,10,,x,0,1\n", 2, "needs a document, a coder and a code"),
        ("document,length,coder,code,start,end\nd,10,A,x,0,1.5\n", 2, "end must be a whole number of characters, found '1.5'"),
        ("document,length,coder,code,start,end\nd,0,A,x,0,1\n", 2, "length must be at least 1"),
        ("document,length,coder,code,start,end\nd,10,A,x,0,1\nd,12,B,x,0,1\n", 3,
         "document 'd' has length 12 here but 10 on line 2"),
        ("document,length,coder,code,start,end\nd,10,A,x,4,4\n", 2, "a span needs 0 <= start < end"),
        ("document,length,coder,code,start,end\nd,10,A,x,-1,4\n", 2, "a span needs 0 <= start < end"),
        ("document,length,coder,code,start,end\nd,10,A,x,4,11\n", 2, "end 11 is past the end of document 'd' (10 characters)"),
        ("document,length,coder,code,start,end\nd,10,A,x,0,1\nd,10,A,y,2,3\n", None, "found only 'A'"),
        ("document,length,coder,code,start,end\n", None, "found no spans"),
    ],
)
def test_bad_files_are_refused_with_the_line(tmp_path, content, line, message):
    with pytest.raises(SpansError) as caught:
        read_spans(write(tmp_path, "bad.csv", content))
    assert caught.value.line == line and message in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "bad.csv"))


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(SpansError, match="no such file"):
        read_spans(tmp_path / "none.csv")
    with pytest.raises(SpansError, match="not UTF-8"):
        read_spans(write(tmp_path, "l.csv", "document,length,coder,code,start,end\nd,9,Jos\xe9,x,0,1\n".encode("latin-1")))


def test_json_of_krippendorff_2004_has_the_contract_shape(tmp_path):
    """DESIGN §4: αu of Krippendorff's (2004: p. 254) example; uα is null there, with its reason,
    because coder i gave c and k to overlapping text."""
    data = read_spans(write(tmp_path, "k.csv", KRIPPENDORFF_2004))
    result = unitizing_json(data, alpha_u(data), u_alpha(data))
    json.dumps(result, allow_nan=False)
    assert list(result) == ["coders", "documents", "length", "merged", "alpha_u", "u_alpha"]
    assert (result["coders"], result["documents"], result["length"], result["merged"]) == (["i", "j"], 1, 300, 0)
    assert result["alpha_u"]["overall"] == pytest.approx(0.8591, abs=0.0005)
    assert result["alpha_u"]["codes"] == {"c": pytest.approx(0.7286, abs=0.0001), "k": pytest.approx(1.0)}
    assert result["alpha_u"]["variant"] == "krippendorff-2004" and result["alpha_u"]["reasons"] == {}
    family = result["u_alpha"]
    assert family["variant"] == "krippendorff-2016"
    assert [family[name] for name in ("u_alpha", "binary_u_alpha", "c_u_alpha")] == [None, None, None]
    assert set(family["reasons"]) == {"u_alpha", "binary_u_alpha", "c_u_alpha"}
    assert "coder i's spans with codes k and c overlap" in family["reasons"]["u_alpha"]


def test_json_gives_every_u_alpha_figure_and_the_reason_for_a_code_no_one_used(tmp_path):
    spans = [Span("d", "A", "x", 0, 4), Span("d", "A", "y", 6, 9), Span("d", "B", "x", 1, 4), Span("d", "B", "y", 4, 9)]
    data = continuum(spans, {"d": 12}, codes=["x", "y", "z"])
    result = unitizing_json(data, alpha_u(data), u_alpha(data))
    json.dumps(result, allow_nan=False)
    family = result["u_alpha"]
    assert all(isinstance(family[name], float) for name in ("u_alpha", "binary_u_alpha", "c_u_alpha"))
    assert family["reasons"] == {}
    assert result["alpha_u"]["codes"]["z"] is None
    assert result["alpha_u"]["reasons"] == {"codes": {"z": REASON_UNUSED}}
