"""Ratings CSV files for `coder agreement --ratings` (DESIGN §4): reading and refusing."""

from __future__ import annotations

import pytest

from coder.errors import RatingsError
from coder.stats.ratings_file import read_ratings
from tests.conftest import write


def test_reads_units_coders_and_no_code_rows(tmp_path):
    path = write(tmp_path, "r.csv", "coder,unit,code\nanna,u1,flexibility\nbram,u1,flexibility\n"
                                    "anna,u2,reflection\nanna,u2,flexibility\nbram,u2,\nanna,u3,x\n")
    ratings = read_ratings(path)
    assert ratings.coders == ("anna", "bram")
    assert ratings.units == ("u1", "u2") and ratings.excluded == 1
    assert ratings.codes == ("flexibility", "reflection", "x")
    assert ratings.a.tolist() == [[True, False, False], [True, True, False]]
    assert ratings.b.tolist() == [[True, False, False], [False, False, False]]


def test_bom_and_blank_lines_are_fine(tmp_path):
    path = write(tmp_path, "r.csv", "\ufeffunit,coder,code\n\n1,A,x\n1,B,x\n2,A,\n2,B,x\n")
    assert read_ratings(path).units == ("1", "2")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("", 1, "the file is empty"),
        ("1,A,x\n1,B,x\n", 1, "no header"),
        ("unit,coder,code,weight\n1,A,x,2\n", 1, "unknown column(s) weight"),
        ("unit,coder\n1,A\n", 1, "missing column(s) code"),
        ("unit,coder,code\n1,A,x\n1,B,x\n1,C,y\n", 4, "a third coder 'C'"),
        ("unit,coder,code\n1,A,x\n1,B\n", 3, "expected 3 fields"),
        ("unit,coder,code\n1,,x\n", 2, "needs a unit and a coder"),
        ("unit,coder,code\n1,A,x\n2,A,y\n", None, "found only 'A'"),
        ("unit,coder,code\n", None, "found no ratings"),
    ],
)
def test_bad_files_are_refused_with_the_line(tmp_path, content, line, message):
    with pytest.raises(RatingsError) as caught:
        read_ratings(write(tmp_path, "bad.csv", content))
    assert caught.value.line == line and message in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "bad.csv"))


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(RatingsError, match="no such file"):
        read_ratings(tmp_path / "none.csv")
    with pytest.raises(RatingsError, match="not UTF-8"):
        read_ratings(write(tmp_path, "l.csv", "unit,coder,code\n1,Jos\xe9,x\n".encode("latin-1")))
