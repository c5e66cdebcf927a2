"""How agreement figures read (coder.stats.presentation): the rules every face shares."""

from __future__ import annotations

import numpy as np
import pytest

from coder.stats.agreement import REASON_ONE_CODER_USED, Ratings, agreement
from coder.stats.presentation import (
    ENGLISH,
    Flag,
    Wording,
    clip,
    is_prevalence_case,
    needs_caution,
    number,
    reading,
    readings,
)
from tests.test_agreement import ratings_from_table


@pytest.mark.parametrize(("value", "decimal", "shown"), [
    (None, ".", "—"), (-0.004, ".", "0.00"), (-0.0, ".", "0.00"), (-0.005001, ".", "-0.01"),
    (0.725, ",", "0,72"), (-0.5, ",", "-0,50"), (1.0, ".", "1.00"), (-1.0, ".", "-1.00"),
])
def test_numbers_never_read_minus_zero(value, decimal, shown):
    assert number(value, decimal=decimal) == shown


def test_intervals_are_clipped_to_the_range_of_kappa_and_say_so():
    assert clip((0.39, 1.08)) == ((0.39, 1.0), True)
    assert clip((-1.2, 0.3)) == ((-1.0, 0.3), True)
    assert clip((0.1, 0.9)) == ((0.1, 0.9), False)
    assert clip(None) == (None, False)
    # 20/1/1/3 of 25 units: kappa 0.74 with an interval past 1
    row = reading("x", agreement(ratings_from_table(20, 1, 1, 3)).codes["x"], 25)
    assert row.stats.ci95[1] > 1 and row.interval[1] == 1.0 and Flag.CLIPPED in row.flags
    words = Wording()
    assert words.interval(row).endswith("1.00]") and words.notes(row) == ENGLISH["clipped"]


def test_feinstein_cicchetti_paradox_is_flagged_with_pabak_and_ac1_beside_it():
    """Feinstein & Cicchetti (1990): 118/5/2/0 has p_o 0.944 and kappa −0.02; the flag names
    PABAK (Byrt et al. 1993: 2·0.944 − 1 = 0.89) and Gwet's AC1 (0.94)."""
    stats = agreement(ratings_from_table(118, 5, 2, 0)).codes["x"]
    row = reading("x", stats, stats.n)
    assert Flag.PREVALENCE in row.flags
    assert Wording().notes(row) == ENGLISH["prevalence"].format(pabak="0.89", ac1="0.94")
    # the Wikipedia example (p_o 0.7, kappa 0.4) is no such case, nor is high agreement with a high kappa
    wikipedia = agreement(ratings_from_table(20, 5, 10, 15)).codes["x"]
    assert reading("x", wikipedia, 50).flags == ()
    assert not is_prevalence_case(0.95, 0.85) and not is_prevalence_case(0.79, 0.1) and is_prevalence_case(0.8, 0.39)
    assert not is_prevalence_case(0.9, None)


def test_a_code_one_coder_never_used_reads_undefined_not_zero():
    stats = agreement(ratings_from_table(0, 0, 1, 14)).codes["x"]
    assert stats.reason == REASON_ONE_CODER_USED and stats.kappa is None and stats.ci95 is None
    row = reading("Nieuw", stats, stats.n)
    words = Wording()
    assert words.band(row) == "undefined: only one coder used it"
    assert (words.number(row.stats.kappa), words.interval(row)) == ("—", "—")
    assert words.number(row.stats.observed) == "0.93"  # the figures that still speak stay


def test_alpha_shows_its_reason_and_the_overall_line_uses_codebook_names():
    rng = np.random.default_rng(5)
    a = rng.random((30, 2)) < 0.5
    b = a ^ (rng.random((30, 2)) < 0.2)
    a[0], b[0] = True, True  # two codes on a unit: pooled, so no overall alpha
    report = agreement(Ratings(("A", "B"), tuple(map(str, range(30))), ("x", "y"), a, b))
    words = Wording()
    assert words.alpha(report.overall) == "— (not defined for pooled tables)"
    assert words.alpha(report.codes["x"]) == number(report.codes["x"].alpha)
    assert "Krippendorff's alpha — (not defined for pooled tables)" in words.beside(report, "code")
    rows = readings(report, {"x": "Flexibiliteit"}, "overall")
    assert [row.name for row in rows] == ["Flexibiliteit", "y", "overall"] and rows[-1].n == 30


def test_few_units_carry_a_caution():
    assert needs_caution(9) and not needs_caution(10)
    assert Wording().caution(10) is None
    assert "only 9 units" in Wording().caution(9)


def test_another_language_supplies_the_same_keys():
    dutch = {**ENGLISH, "undefined": "niet gedefinieerd: {reason}", REASON_ONE_CODER_USED: "maar één codeur"}
    row = reading("x", agreement(ratings_from_table(0, 0, 1, 14)).codes["x"], 15)
    assert Wording(dutch, ",").band(row) == "niet gedefinieerd: maar één codeur"
    assert Wording(dutch, ",").number(0.5) == "0,50"
