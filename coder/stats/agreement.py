"""Inter-coder agreement: Cohen's kappa and friends (DESIGN §4, contract).

Pure functions on arrays; no I/O. The unit of analysis is a *unit* (a fragment or
a segment) that both coders rated; each coder's rating of a unit is the set of
codes they gave it, stored as one boolean row per unit over the codes.

Statistics and their sources:

- Cohen's kappa, kappa = (p_o - p_e) / (1 - p_e) (Cohen 1960), with the large-sample
  standard error of Fleiss, Cohen & Everitt (1969) -- what statsmodels'
  `cohens_kappa` reports as `std_kappa`:

      var = [ sum_i p_ii (1 - (p_i. + p_.i)(1 - k))^2
              + (1 - k)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
              - (k - p_e (1 - k))^2 ] / ((1 - p_e)^2 n)

  and the 95% interval k +/- 1.959964 SE.
- PABAK, Brennan & Prediger (1981): (q p_o - 1) / (q - 1); 2 p_o - 1 for one code.
- Gwet's AC1 (Gwet 2008): (p_o - p_e) / (1 - p_e) with p_e = sum_k pi_k (1 - pi_k) / (q - 1),
  pi_k the mean of both coders' proportions for category k.
- Krippendorff's alpha, nominal (Krippendorff 2004), from the `krippendorff` package.
- Pooled kappa over codes (De Vries, Elliott, Kanouse & Teleki 2008):
  (mean p_o - mean p_e) / (1 - mean p_e), its SE and interval from a seeded
  bootstrap over units; and the plain mean of per-code kappas.
- Landis & Koch (1977) bands for reading a kappa.

Undefined cases never produce NaN or infinity: the statistic is None and
`reason` says why in one sentence. Kappa is undefined where chance agreement is 1
(both coders' ratings constant and equal) and, reported so here, where one coder's
ratings are constant: then p_o = p_e and kappa is 0 by construction, whatever the
agreement (statsmodels and scikit-learn return that 0; `cohen_kappa` still does).
Alpha carries its own `alpha_reason`.
"""

from __future__ import annotations

from dataclasses import dataclass

import krippendorff
import numpy as np

Z95 = 1.959964
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20080501
NO_CODE = "(no code)"
#: Landis & Koch (1977): upper bound of each band, and its name.
BANDS = ((0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"),
         (0.80, "substantial"), (1.0, "almost perfect"))

REASON_TOO_FEW = "fewer than two units were rated by both coders"
REASON_NO_VARIATION = (
    "both coders gave every unit the same rating, so chance agreement is 1 and kappa is undefined"
)
#: Where one coder's ratings do not vary, p_o = p_e and kappa is 0 by construction, however
#: often the coders agree (statsmodels and scikit-learn report that 0); it says nothing, so
#: it is reported as undefined, with the figures that still speak (observed, PABAK, AC1, alpha).
REASON_ONE_CODER_USED = "only one coder used this code, so kappa is 0 by construction and says nothing about agreement"
REASON_EVERY_UNIT = "one coder gave this code to every unit, so kappa is 0 by construction and says nothing about agreement"
REASON_ONE_CATEGORY = "one coder gave every unit the same code, so kappa is 0 by construction and says nothing about agreement"
REASON_ALPHA_POOLED = "Krippendorff's alpha is not defined for pooled 2x2 tables; each code has its own"
REASON_ALPHA_NO_VARIATION = "the coders' ratings take a single value, so alpha has no variation to compare"


@dataclass(frozen=True)
class Statistics:
    """Every figure a user may cite for one code, one theme or overall."""

    kappa: float | None
    se: float | None
    ci95: tuple[float, float] | None
    observed: float | None
    expected: float | None
    pabak: float | None
    ac1: float | None
    alpha: float | None
    band: str | None
    reason: str | None
    #: Why `alpha` is None (a REASON_* sentence), else None.
    alpha_reason: str | None


@dataclass(frozen=True)
class CodeStatistics(Statistics):
    """Statistics of one code's 2x2 table, with the table's counts."""

    n: int
    a_yes: int
    b_yes: int
    both: int


@dataclass(frozen=True)
class Ratings:
    """Two coders' codes on the same units: `a[i, c]` is True when coder A gave unit i code c."""

    coders: tuple[str, str]
    units: tuple[str, ...]
    codes: tuple[str, ...]
    a: np.ndarray
    b: np.ndarray
    excluded: int = 0
    #: Units left out because the second coder saw the first coder's codes before coding.
    revealed: int = 0
    #: Categories for single-code (Cohen) mode; defaults to the codes plus "no code".
    categories: int | None = None


@dataclass(frozen=True)
class Report:
    """The agreement between two coders: overall and per code (DESIGN §4 JSON)."""

    coders: tuple[str, str]
    units: int
    excluded: int
    level: str
    method: str
    overall: Statistics
    mean_kappa: float | None
    codes: dict[str, CodeStatistics]
    revealed: int = 0

    def left_out(self) -> str:
        """Which units were left out and why, for a report's headline."""
        text = f"{self.excluded} rated by one coder only"
        return f"{text}, {self.revealed} revealed before coding" if self.revealed else text


# --- the formulas, vectorised over a stack of contingency tables --------------------


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def landis_koch(kappa: float | None) -> str | None:
    """The Landis & Koch (1977) band of a kappa value."""
    if kappa is None:
        return None
    for upper, name in BANDS:
        if kappa <= upper + 1e-12:
            return name
    return BANDS[-1][1]


def cohen_kappa(tables: np.ndarray) -> dict[str, np.ndarray]:
    """Kappa, its Fleiss–Cohen–Everitt SE, p_o and p_e for each table in a (m, q, q) stack.

    Rows are coder A's categories, columns coder B's. Where p_e = 1 the kappa and SE
    are NaN here; `_statistics` turns them into None with a reason.
    """
    t = np.asarray(tables, dtype=float)
    n = t.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):  # empty tables give NaN, handled later
        # The order of operations follows statsmodels' `cohens_kappa`, so that even
        # where the variance is a rounding error away from zero the SEs agree.
        p = t / n[:, None, None]
        row, col = t.sum(axis=2) / n[:, None], t.sum(axis=1) / n[:, None]
        diag = np.einsum("mii->mi", p)
        observed = np.einsum("mii->m", t) / n
        expected = (col * row).sum(axis=1)
        kappa = (observed - expected) / (1 - expected)
        slack = (1 - kappa)[:, None]
        term_a = (diag * (1 - (row + col) * slack) ** 2).sum(axis=1)
        # cell (i, j) is weighted by (p_.i + p_j.)^2; the diagonal is left out
        weighted = p * (col[:, :, None] + row[:, None, :]) ** 2
        cells = np.arange(t.shape[1])
        weighted[:, cells, cells] = 0
        term_b = (1 - kappa) ** 2 * weighted.sum(axis=(1, 2))
        term_c = (kappa - expected * (1 - kappa)) ** 2
        variance = (term_a + term_b - term_c) / ((1 - expected) ** 2 * n)
    se = np.sqrt(np.clip(variance, 0.0, None))
    return {"kappa": kappa, "se": se, "observed": observed, "expected": expected, "n": n}


def gwet_ac1(tables: np.ndarray, q: int | None = None) -> np.ndarray:
    """Gwet's AC1 for each table in a (m, q, q) stack; `q` defaults to the table size."""
    t = np.asarray(tables, dtype=float)
    q = q or t.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):  # empty tables give NaN, handled later
        p = t / t.sum(axis=(1, 2))[:, None, None]
        pi = (p.sum(axis=2) + p.sum(axis=1)) / 2
        chance = (pi * (1 - pi)).sum(axis=1) / (q - 1)
        observed = np.einsum("mii->m", p)
        return (observed - chance) / (1 - chance)


def pabak(observed: np.ndarray | float, q: int) -> np.ndarray | float:
    """Brennan–Prediger prevalence- and bias-adjusted kappa over q categories."""
    return (q * np.asarray(observed) - 1) / (q - 1)


def krippendorff_alpha(a: np.ndarray, b: np.ndarray) -> float | None:
    """Nominal alpha for two coders' category codes on the same units; None if undefined."""
    try:
        data = np.vstack([a, b]).astype(float)
        value = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    except ValueError:  # a single value in the domain: no variation to disagree on
        return None
    return _finite(value)


def _alpha(a: np.ndarray, b: np.ndarray) -> tuple[float | None, str | None]:
    """Alpha with the reason it is None: too few units, or no variation (the only ways it fails)."""
    if len(a) < 2:
        return None, REASON_TOO_FEW
    value = krippendorff_alpha(a, b)
    return value, REASON_ALPHA_NO_VARIATION if value is None else None


def binary_tables(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The 2x2 table of every code: a (m, 2, 2) stack, index 0 = has the code."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    both = np.count_nonzero(a & b, axis=0)
    a_yes, b_yes = np.count_nonzero(a, axis=0), np.count_nonzero(b, axis=0)
    neither = a.shape[0] - a_yes - b_yes + both
    return np.stack([np.stack([both, a_yes - both], axis=1),
                     np.stack([b_yes - both, neither], axis=1)], axis=1)


def per_code_kappa(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Kappa with SE and 95% interval for every code column of (units x codes) ratings.

    The fast path the benchmark measures: one pass over the ratings to count the
    2x2 tables, then the formula on all codes at once.
    """
    result = cohen_kappa(binary_tables(a, b))
    result["low"] = result["kappa"] - Z95 * result["se"]
    result["high"] = result["kappa"] + Z95 * result["se"]
    return result


# --- turning arrays into reported statistics -----------------------------------------


def _statistics(kappa, se, observed, expected, n, pabak_value, ac1, alpha, alpha_reason, constant=None) -> dict:
    """Apply the undefined-case rules to one set of figures.

    `constant` is the reason to give when one coder's ratings do not vary (and the other's do):
    kappa is then 0 by construction and is reported as undefined.
    """
    if n < 2:
        return dict(kappa=None, se=None, ci95=None, observed=_finite(observed) if n else None,
                    expected=_finite(expected) if n else None, pabak=None, ac1=None, alpha=None,
                    band=None, reason=REASON_TOO_FEW, alpha_reason=REASON_TOO_FEW)
    varies = expected < 1 - 1e-12 and np.isfinite(kappa)
    defined = varies and constant is None
    kappa_value = _finite(kappa) if defined else None
    se_value = _finite(se) if defined and se is not None else None
    ci = (kappa_value - Z95 * se_value, kappa_value + Z95 * se_value) if se_value is not None else None
    return dict(
        kappa=kappa_value, se=se_value, ci95=ci, observed=_finite(observed),
        expected=_finite(expected), pabak=_finite(pabak_value),
        ac1=_finite(ac1) if ac1 is not None else None, alpha=alpha,
        band=landis_koch(kappa_value), reason=None if defined else constant if varies else REASON_NO_VARIATION,
        alpha_reason=alpha_reason,
    )


def _constant_code(a_yes: int, b_yes: int, n: int) -> str | None:
    """The reason a code's kappa is 0 by construction: one coder never, or always, gave it."""
    if min(a_yes, b_yes) == 0:
        return REASON_ONE_CODER_USED
    if max(a_yes, b_yes) == n:
        return REASON_EVERY_UNIT
    return None


def code_statistics(ratings: Ratings) -> dict[str, CodeStatistics]:
    """The 2x2 statistics of every code."""
    tables = binary_tables(ratings.a, ratings.b)
    k = cohen_kappa(tables)
    ac1 = gwet_ac1(tables)
    result = {}
    for index, code in enumerate(ratings.codes):
        n = int(k["n"][index]) if ratings.a.shape[0] else 0
        table = tables[index]
        a_yes, b_yes = int(table[0].sum()), int(table[:, 0].sum())
        figures = _statistics(k["kappa"][index], k["se"][index], k["observed"][index], k["expected"][index], n,
                              pabak(k["observed"][index], 2), ac1[index], *_alpha(ratings.a[:, index], ratings.b[:, index]),
                              _constant_code(a_yes, b_yes, n))
        result[code] = CodeStatistics(**figures, n=n, a_yes=a_yes, b_yes=b_yes, both=int(table[0, 0]))
    return result


def is_single_code(ratings: Ratings) -> bool:
    """Cohen mode applies when no coder gave any unit more than one code."""
    return bool(ratings.a.sum(axis=1).max(initial=0) <= 1 and ratings.b.sum(axis=1).max(initial=0) <= 1)


def _category_index(matrix: np.ndarray) -> np.ndarray:
    """Each unit's single category: its code's column, or len(codes) for "no code"."""
    has_code = matrix.any(axis=1)
    return np.where(has_code, matrix.argmax(axis=1), matrix.shape[1])


def cohen_overall(ratings: Ratings) -> Statistics:
    """Cohen's kappa over the code categories (plus "no code") when each unit has one code."""
    n_codes = len(ratings.codes)
    a_cat, b_cat = _category_index(ratings.a), _category_index(ratings.b)
    size = n_codes + 1
    table = np.zeros((size, size))
    np.add.at(table, (a_cat, b_cat), 1)
    q = ratings.categories or int(np.count_nonzero(table.sum(axis=0) + table.sum(axis=1)))
    n = len(a_cat)
    if n == 0:
        return Statistics(**_statistics(np.nan, np.nan, np.nan, np.nan, 0, np.nan, None, None, REASON_TOO_FEW))
    k = cohen_kappa(table[None])
    constant = REASON_ONE_CATEGORY if min(len(set(a_cat.tolist())), len(set(b_cat.tolist()))) == 1 else None
    figures = _statistics(k["kappa"][0], k["se"][0], k["observed"][0], k["expected"][0], n,
                          pabak(k["observed"][0], q) if q > 1 else np.nan,
                          gwet_ac1(table[None], q)[0] if q > 1 else None, *_alpha(a_cat, b_cat), constant)
    return Statistics(**figures)


def _pooled_kappa(
    both: np.ndarray, a_yes: np.ndarray, b_yes: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """De Vries et al. (2008) pooled kappa, p_o and p_e from per-code counts.

    The last axis is the codes; any leading axes are bootstrap resamples.
    """
    observed = ((n[..., None] - a_yes - b_yes + 2 * both) / n[..., None]).mean(axis=-1)
    pa, pb = a_yes / n[..., None], b_yes / n[..., None]
    expected = (pa * pb + (1 - pa) * (1 - pb)).mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (observed - expected) / (1 - expected), observed, expected


def pooled_overall(ratings: Ratings, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> Statistics:
    """Pooled kappa over codes, with a seeded bootstrap over units for its SE and interval.

    The interval is the percentile interval of the bootstrap kappas; AC1 is the
    mean of the per-code AC1s; alpha is not defined for pooled tables and is None.
    """
    a, b = ratings.a.astype(float), ratings.b.astype(float)
    n = a.shape[0]
    if n < 2 or not ratings.codes:
        return Statistics(**_statistics(np.nan, np.nan, np.nan, np.nan, min(n, 1), np.nan, None, None, REASON_TOO_FEW))
    kappa, observed, expected = _pooled_kappa((a * b).sum(0), a.sum(0), b.sum(0), np.asarray(float(n)))
    ac1 = gwet_ac1(binary_tables(ratings.a, ratings.b)).mean()
    boot = _bootstrap(a, b, samples, seed)
    defined = boot[np.isfinite(boot)]
    figures = _statistics(kappa, None, observed, expected, n, pabak(observed, 2), ac1, None, REASON_ALPHA_POOLED)
    if figures["kappa"] is not None and defined.size > 1:
        figures["se"] = float(defined.std(ddof=1))
        low, high = np.percentile(defined, [2.5, 97.5])
        figures["ci95"] = (float(low), float(high))
    return Statistics(**figures)


def _distinct_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The index of one row of each distinct row of a boolean matrix, and how many rows are like it.

    Rows are packed into 64-bit words and sorted as integers: far faster than sorting rows
    of booleans (`np.unique(axis=0)`) when there are a hundred thousand of them.
    """
    packed = np.packbits(matrix, axis=1)
    packed = np.pad(packed, ((0, 0), (0, -packed.shape[1] % 8)))
    words = np.ascontiguousarray(packed).view(np.uint64)
    order = np.lexsort(words.T[::-1])
    ordered = words[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    starts = np.flatnonzero(new)
    return order[starts], np.diff(np.append(starts, len(order)))


def _bootstrap(a: np.ndarray, b: np.ndarray, samples: int, seed: int) -> np.ndarray:
    """Pooled kappas of `samples` resamples of the units, in blocks that bound memory.

    A resample only counts how often each unit is drawn, and units with the same codes
    from both coders are interchangeable, so the draw is made over the distinct (A, B)
    patterns, each with its share of the units: the same distribution as drawing units
    (Efron & Tibshirani 1993, ch. 6), at a cost in patterns rather than units. A study's
    segments mode has some hundreds of patterns for a hundred thousand units.
    """
    rng = np.random.default_rng(seed)
    n, codes = a.shape
    both = np.concatenate([a, b], axis=1)
    first, counts = _distinct_rows(both.astype(bool))
    pa, pb = both[first, :codes], both[first, codes:]
    ab = pa * pb
    block = max(1, 4_000_000 // len(counts))
    kappas = []
    for start in range(0, samples, block):
        size = min(block, samples - start)
        weights = rng.multinomial(n, counts / n, size=size).astype(float)
        kappa, _, _ = _pooled_kappa(weights @ ab, weights @ pa, weights @ pb, np.full(size, float(n)))
        kappas.append(kappa)
    return np.concatenate(kappas)


def agreement(ratings: Ratings, level: str = "code") -> Report:
    """The full report for two coders' ratings (DESIGN §4)."""
    codes = code_statistics(ratings)
    defined = [s.kappa for s in codes.values() if s.kappa is not None]
    single = is_single_code(ratings)
    overall = cohen_overall(ratings) if single else pooled_overall(ratings)
    return Report(
        coders=ratings.coders, units=len(ratings.units), excluded=ratings.excluded, level=level,
        method="cohen" if single else "pooled", overall=overall,
        mean_kappa=float(np.mean(defined)) if defined else None, codes=codes, revealed=ratings.revealed,
    )


def disagreements(ratings: Ratings, code: str) -> list[str]:
    """The units on which the two coders differ about `code`."""
    column = ratings.codes.index(code)
    differ = ratings.a[:, column] != ratings.b[:, column]
    return [unit for unit, flag in zip(ratings.units, differ, strict=True) if flag]


def report_json(report: Report) -> dict:
    """The DESIGN §4 JSON object (plus `excluded`, `revealed`, `mean_kappa` and `alpha_reason`).

    The figures are as computed: `ci95` is kappa ± 1.96·SE even where that passes ±1, and a
    code one coder never used keeps its kappa of 0; how to read them is `presentation`'s
    business, and a script reading this JSON can apply its own.
    """

    def figures(stats: Statistics) -> dict:
        data = {name: getattr(stats, name) for name in
                ("kappa", "se", "ci95", "observed", "expected", "pabak", "ac1", "alpha", "alpha_reason")}
        data["ci95"] = list(stats.ci95) if stats.ci95 else None
        return data

    overall = figures(report.overall) | {
        "method": report.method, "band": report.overall.band, "reason": report.overall.reason,
        "mean_kappa": report.mean_kappa,
    }
    codes = {
        code: figures(stats) | {"n": stats.n, "a_yes": stats.a_yes, "b_yes": stats.b_yes,
                                "both": stats.both, "band": stats.band, "reason": stats.reason}
        for code, stats in report.codes.items()
    }
    return {"coders": list(report.coders), "units": report.units, "excluded": report.excluded,
            "revealed": report.revealed, "level": report.level, "overall": overall, "codes": codes}
