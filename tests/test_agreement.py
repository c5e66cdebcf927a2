"""Agreement statistics against published worked examples and established libraries."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa

from coder.stats.agreement import (
    REASON_NO_VARIATION,
    REASON_TOO_FEW,
    Ratings,
    agreement,
    binary_tables,
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha,
    landis_koch,
    per_code_kappa,
    pooled_overall,
    report_json,
)
from coder.stats.ratings_file import build_ratings


def ratings_from_table(both: int, a_only: int, b_only: int, neither: int) -> Ratings:
    """One code's ratings laid out from the cells of its 2x2 table."""
    a = [1] * both + [1] * a_only + [0] * b_only + [0] * neither
    b = [1] * both + [0] * a_only + [1] * b_only + [0] * neither
    n = len(a)
    return Ratings(("A", "B"), tuple(map(str, range(n))), ("x",),
                   np.array(a, bool)[:, None], np.array(b, bool)[:, None])


def test_wikipedia_cohens_kappa_worked_example():
    """Wikipedia, "Cohen's kappa", worked example: 50 grant proposals read by two readers,
    20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    stats = agreement(ratings_from_table(20, 5, 10, 15)).codes["x"]
    assert stats.observed == pytest.approx(0.7)
    assert stats.expected == pytest.approx(0.5)
    assert stats.kappa == pytest.approx(0.4)
    assert (stats.n, stats.a_yes, stats.b_yes, stats.both) == (50, 25, 30, 20)
    assert stats.pabak == pytest.approx(0.4)  # 2 p_o - 1
    assert stats.band == "fair"


def test_krippendorff_2011_binary_example():
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example A:
    two observers, ten units, binary data, alpha = 0.095."""
    a = np.array([0, 1, 0, 0, 0, 0, 0, 0, 1, 0], bool)
    b = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 0], bool)
    assert krippendorff_alpha(a, b) == pytest.approx(0.095, abs=5e-4)


def test_kappa_paradox_table_gwet_ac1():
    """Feinstein & Cicchetti's (1990) paradox, as Gwet (2008) discusses it: high observed
    agreement, kappa near zero, AC1 high. Table 118 / 5 / 2 / 0 (n = 125):
    p_o = 0.944, kappa = -0.0234, AC1 = (0.944 - 2*0.972*0.028) / (1 - 2*0.972*0.028) = 0.9408."""
    stats = agreement(ratings_from_table(118, 5, 2, 0)).codes["x"]
    assert stats.observed == pytest.approx(0.944)
    assert stats.kappa == pytest.approx(-0.00128 / 0.05472)
    assert stats.ac1 == pytest.approx((0.944 - 0.054432) / (1 - 0.054432))
    assert stats.band == "poor"


@pytest.mark.parametrize(
    ("kappa", "band"),
    [(-0.1, "poor"), (0.0, "poor"), (0.2, "slight"), (0.21, "fair"), (0.4, "fair"), (0.41, "moderate"),
     (0.6, "moderate"), (0.61, "substantial"), (0.8, "substantial"), (0.81, "almost perfect"),
     (1.0, "almost perfect"), (None, None)],
)
def test_landis_koch_bands(kappa, band):
    assert landis_koch(kappa) == band


tables = st.lists(st.integers(0, 40), min_size=4, max_size=4).filter(lambda c: sum(c) >= 2)


@settings(max_examples=300, deadline=None)
@given(tables)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_2x2_kappa_and_se_match_statsmodels(cells):
    table = np.array(cells, float).reshape(2, 2)
    ours = cohen_kappa(table[None])
    assert np.isfinite(ours["kappa"][0]) == defined(table)
    assume(defined(table))
    oracle = cohens_kappa(table)
    assert abs(ours["kappa"][0] - oracle.kappa) < 1e-9
    assert abs(ours["se"][0] - oracle_se(oracle)) < 1e-9


def defined(table: np.ndarray) -> bool:
    """`cohen_kappa` gives a number for any rated unit unless chance agreement is certain
    (p_e = 1); that one unit is too few to report is the callers' rule (`_statistics`)."""
    if table.sum() < 1:
        return False
    row, col = table.sum(1) / table.sum(), table.sum(0) / table.sum()
    return not np.isclose((row * col).sum(), 1.0)


def oracle_se(result) -> float:
    """statsmodels' std_kappa; where rounding makes its variance a hair below zero
    (it then reports NaN), the variance is zero and so is the SE."""
    assert result.var_kappa > -1e-12
    return float(np.sqrt(max(result.var_kappa, 0.0)))


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 5).flatmap(
    lambda q: st.lists(st.integers(0, 25), min_size=q * q, max_size=q * q).map(lambda c: (q, c))))
@example((2, [0, 0, 1, 0]))  # one unit: a kappa of 0, as statsmodels gives
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_qxq_kappa_and_se_match_statsmodels(q_cells):
    q, cells = q_cells
    table = np.array(cells, float).reshape(q, q)
    ours = cohen_kappa(table[None])
    assert np.isfinite(ours["kappa"][0]) == defined(table)
    assume(defined(table))
    oracle = cohens_kappa(table)
    assert abs(ours["kappa"][0] - oracle.kappa) < 1e-9
    assert abs(ours["se"][0] - oracle_se(oracle)) < 1e-9


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 60).flatmap(lambda n: st.tuples(
    st.lists(st.booleans(), min_size=n, max_size=n), st.lists(st.booleans(), min_size=n, max_size=n))))
def test_per_code_kappa_matches_scikit_learn_and_alpha_matches_krippendorff(ab):
    a, b = (np.array(x, bool) for x in ab)
    ours = per_code_kappa(a[:, None], b[:, None])
    one_value = len(set(a.tolist()) | set(b.tolist())) == 1
    one_constant = len(set(a.tolist())) == 1 or len(set(b.tolist())) == 1
    reported = agreement(Ratings(("A", "B"), tuple(map(str, range(len(a)))), ("x",), a[:, None], b[:, None]))
    assert (reported.codes["x"].kappa is None) == one_constant  # one coder's ratings constant: 0 by construction
    assume(not one_value)
    assert abs(ours["kappa"][0] - cohen_kappa_score(a, b)) < 1e-9  # the raw figure stays what everyone computes
    if one_constant:
        assert ours["kappa"][0] == pytest.approx(0.0, abs=1e-12) and reported.codes["x"].reason is not None
    oracle = krippendorff.alpha(reliability_data=[a.astype(int), b.astype(int)], level_of_measurement="nominal")
    assert krippendorff_alpha(a, b) == pytest.approx(oracle)


def test_cohen_mode_over_categories_matches_statsmodels_and_sklearn():
    rows = [("1", "A", "x"), ("1", "B", "x"), ("2", "A", "y"), ("2", "B", "x"), ("3", "A", ""),
            ("3", "B", ""), ("4", "A", "x"), ("4", "B", "x"), ("5", "A", "y"), ("5", "B", "y"),
            ("6", "A", "z"), ("6", "B", "")]
    report = agreement(build_ratings(rows, ("A", "B")))
    assert report.method == "cohen"
    a = ["x", "y", "-", "x", "y", "z"]
    b = ["x", "x", "-", "x", "y", "-"]
    assert report.overall.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    labels = sorted(set(a) | set(b))
    table = np.array([[sum(1 for i, j in zip(a, b, strict=True) if (i, j) == (r, c)) for c in labels] for r in labels])
    assert report.overall.se == pytest.approx(cohens_kappa(table).std_kappa, abs=1e-12)
    q = 4  # x, y, z and "no code"
    assert report.overall.pabak == pytest.approx((q * report.overall.observed - 1) / (q - 1))
    assert report.overall.ac1 == pytest.approx(gwet_ac1(table[None], q)[0])
    codes = {"x": 0, "y": 1, "z": 2, "-": 3}
    oracle = krippendorff.alpha(reliability_data=[[codes[v] for v in a], [codes[v] for v in b]],
                                level_of_measurement="nominal")
    assert report.overall.alpha == pytest.approx(oracle)


def test_pooled_kappa_is_de_vries_and_its_bootstrap_is_reproducible():
    rng = np.random.default_rng(3)
    a = rng.random((60, 4)) < 0.4
    b = a ^ (rng.random((60, 4)) < 0.25)
    b[0, :2] = True  # some unit has two codes: pooled mode
    a[0, :2] = True
    ratings = Ratings(("A", "B"), tuple(map(str, range(60))), tuple("wxyz"), a, b)
    report = agreement(ratings)
    assert report.method == "pooled"
    tables = binary_tables(a, b) / 60
    observed = np.mean([t[0, 0] + t[1, 1] for t in tables])
    expected = np.mean([t[0].sum() * t[:, 0].sum() + t[1].sum() * t[:, 1].sum() for t in tables])
    assert report.overall.kappa == pytest.approx((observed - expected) / (1 - expected))
    assert report.overall.alpha is None
    assert report.overall.se > 0 and report.overall.ci95[0] < report.overall.kappa < report.overall.ci95[1]
    assert pooled_overall(ratings) == report.overall  # the same seed, the same interval
    assert report.mean_kappa == pytest.approx(np.mean([s.kappa for s in report.codes.values()]))


def test_undefined_cases_give_null_and_a_reason_never_nan():
    # a code nobody used: chance agreement is 1
    ratings = Ratings(("A", "B"), ("1", "2", "3"), ("x", "unused"),
                      np.array([[1, 0], [0, 0], [1, 0]], bool), np.array([[1, 0], [1, 0], [0, 0]], bool))
    report = agreement(ratings)
    unused = report.codes["unused"]
    assert (unused.kappa, unused.se, unused.ci95, unused.band) == (None, None, None, None)
    assert unused.reason == REASON_NO_VARIATION and unused.observed == 1.0 and unused.alpha is None
    assert report.mean_kappa == report.codes["x"].kappa
    json.dumps(report_json(report), allow_nan=False)

    single = agreement(Ratings(("A", "B"), ("1",), ("x",), np.ones((1, 1), bool), np.ones((1, 1), bool)))
    assert single.codes["x"].reason == REASON_TOO_FEW and single.overall.reason == REASON_TOO_FEW
    empty = agreement(Ratings(("A", "B"), (), ("x",), np.zeros((0, 1), bool), np.zeros((0, 1), bool)))
    assert empty.overall.kappa is None and empty.units == 0
    json.dumps(report_json(single), allow_nan=False)
    json.dumps(report_json(empty), allow_nan=False)


def test_units_rated_by_one_coder_are_left_out_and_counted():
    rows = [("1", "A", "x"), ("1", "B", "x"), ("2", "A", "x"), ("3", "B", ""), ("4", "A", ""), ("4", "B", "")]
    ratings = build_ratings(rows, ("A", "B"))
    assert ratings.units == ("1", "4") and ratings.excluded == 2


def test_report_json_has_the_contract_shape():
    report = report_json(agreement(ratings_from_table(20, 5, 10, 15)))
    assert set(report) >= {"coders", "units", "level", "overall", "codes", "excluded"}
    assert set(report["overall"]) >= {"kappa", "se", "ci95", "observed", "expected", "pabak", "ac1",
                                      "alpha", "method", "band", "reason"}
    assert set(report["codes"]["x"]) == {"kappa", "se", "ci95", "observed", "expected", "pabak", "ac1",
                                         "alpha", "alpha_reason", "n", "a_yes", "b_yes", "both", "band", "reason"}
    low, high = report["codes"]["x"]["ci95"]
    se = report["codes"]["x"]["se"]
    assert low == pytest.approx(0.4 - 1.959964 * se) and high == pytest.approx(0.4 + 1.959964 * se)


def test_one_coder_constant_gives_undefined_kappa_with_a_reason_and_keeps_the_rest():
    """With one coder's ratings constant, p_o = p_e and kappa is 0 by construction (as
    scikit-learn computes it): reported as null with a reason; observed, PABAK, AC1 and alpha stay."""
    from coder.stats.agreement import REASON_ALPHA_POOLED, REASON_EVERY_UNIT, REASON_ONE_CATEGORY, REASON_ONE_CODER_USED

    stats = agreement(ratings_from_table(0, 0, 1, 14)).codes["x"]
    assert (stats.kappa, stats.se, stats.ci95, stats.band) == (None, None, None, None)
    assert stats.reason == REASON_ONE_CODER_USED and stats.observed == pytest.approx(14 / 15)
    assert stats.pabak == pytest.approx(2 * 14 / 15 - 1) and stats.ac1 is not None
    assert stats.alpha == pytest.approx(krippendorff.alpha(
        reliability_data=[[0] * 15, [1] + [0] * 14], level_of_measurement="nominal")) and stats.alpha_reason is None
    assert cohen_kappa_score([0] * 15, [1] + [0] * 14) == 0.0  # what the raw figure is
    assert agreement(ratings_from_table(14, 1, 0, 0)).codes["x"].reason == REASON_EVERY_UNIT

    rows = [("1", "A", "x"), ("1", "B", "x"), ("2", "A", "x"), ("2", "B", "y"), ("3", "A", "x"), ("3", "B", "x")]
    overall = agreement(build_ratings(rows, ("A", "B"))).overall
    assert overall.kappa is None and overall.reason == REASON_ONE_CATEGORY
    assert cohen_kappa_score(["x", "x", "x"], ["x", "y", "x"]) == 0.0

    pooled = agreement(Ratings(("A", "B"), ("1", "2", "3"), ("x", "y"), np.array([[1, 1], [0, 1], [1, 0]], bool),
                               np.array([[1, 1], [1, 0], [1, 0]], bool)))
    assert pooled.method == "pooled" and pooled.overall.alpha is None
    assert pooled.overall.alpha_reason == REASON_ALPHA_POOLED
    assert report_json(pooled)["overall"]["alpha_reason"] == REASON_ALPHA_POOLED


def test_distinct_rows_are_counted_as_numpy_counts_them():
    from coder.stats.agreement import _distinct_rows

    rng = np.random.default_rng(3)
    matrix = rng.random((5_000, 70)) < 0.02  # 70 columns: two 64-bit words a row
    first, counts = _distinct_rows(matrix)
    rows, expected = np.unique(matrix, axis=0, return_counts=True)
    assert counts.sum() == len(matrix) and len(counts) == len(expected)
    assert sorted(map(tuple, matrix[first].tolist())) == sorted(map(tuple, rows.tolist()))
    assert sorted(counts.tolist()) == sorted(expected.tolist())


def test_the_bootstrap_over_patterns_resamples_like_the_units():
    """Drawing patterns by their share of the units is the unit bootstrap: its spread matches
    a plain resampling of the units (within the noise of 1,000 resamples)."""
    from coder.stats.agreement import _bootstrap, _pooled_kappa

    rng = np.random.default_rng(8)
    a = (rng.random((400, 4)) < 0.3).astype(float)
    b = np.where(rng.random((400, 4)) < 0.8, a, 1 - a)
    ours = _bootstrap(a, b, 1000, 1)
    draws = rng.integers(0, 400, size=(1000, 400))
    plain = np.array([_pooled_kappa((a[d] * b[d]).sum(0), a[d].sum(0), b[d].sum(0), np.asarray(400.0))[0]
                      for d in draws])
    assert abs(ours.mean() - plain.mean()) < 0.01
    assert abs(ours.std() / plain.std() - 1) < 0.12
