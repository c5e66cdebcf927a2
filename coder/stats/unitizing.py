"""Krippendorff's alpha for unitizing: agreement on the spans coders chose themselves (DESIGN §4).

Pure functions on arrays; no I/O. Two or more coders mark spans `[start, end)` (character
offsets, end exclusive) with a code on the same documents. The documents are laid end to end
as one continuum of length L; a span never crosses a document, and neither does a gap (INCEpTION
lets a gap run on into the next document; stopping it keeps αu independent of their order).
Overlapping spans of one coder with the same code are merged first (abutting ones are kept
apart, as DKPro Agreement keeps them). Two definitions are computed, and each result names its
variant, because they answer different questions and can differ widely on the same data.

**αu, variant "krippendorff-2004"** (Krippendorff 1995; 2004, worked example p. 254), as
DKPro Agreement's `KrippendorffAlphaUnitizingAgreement` and INCEpTION compute it (Meyer et al.
2014). Per code c, each coder's continuum is c-units and the gaps between them; for coders i, j
and their segments g, h the squared distance is

    δ²(g, h) = (b_g − b_h)² + (e_g − e_h)²   both units and they overlap (b begin, e end)
             = l_g²                           g a unit lying wholly inside the gap h (and mirrored)
             = 0                              otherwise

    uDo_c = 2 / (m (m − 1) L²) · Σ_{i<j} Σ_g Σ_h δ²(g, h)
    uDe_c = (2 / L) · Σ_g [ (N_c − 1)(2 l_g³ − 3 l_g² + l_g) / 3 + l_g² Σ_{gaps h: l_h ≥ l_g} (l_h − l_g + 1) ]
            / [ m L (m L − 1) − Σ_g l_g (l_g − 1) ]

with g over all coders' c-units, N_c their number and the gaps those of every coder. Per
code αu_c = 1 − uDo_c / uDe_c; overall αu = 1 − Σ_c uDo_c / Σ_c uDe_c.

**The uα family, variant "krippendorff-2016"** (Krippendorff, Mathet, Bouvry & Widlöcher
2016; Krippendorff 2019, §12.6). Each coder's spans must divide the text into non-overlapping
segments; the stretches between them are gaps, a value ∅ of their own. Observed coincidences
are lengths of intersections, expected ones exclude a unit's pairing with itself:

    l_ck = 1 / (m − 1) · Σ_i Σ_{j≠i} Σ_g Σ_h |g_ic ∩ h_jk|          l_c. = Σ_k l_ck, l.. = m L
    e_ck = l.. (l_c. l_k. − [c = k] S_c) / (l..² − Σ_c S_c)         S_c = Σ_{units of c} l²,  S_∅ = l_∅.

(a gap is no unit, so each of its characters pairs with itself only: S_∅ sums lengths, not
squares). Then, nominally,

    uα  = 1 − (l.. − Σ_c l_cc) / (l.. − Σ_c e_cc)               boundaries and codes, gaps a value
    |uα = 1 − (l_∅. − l_∅∅) / (e_∅. − e_∅∅)                      units against gaps, codes ignored
    cuα = 1 − (l*.. − Σ_c l_cc) / (l*.. − Σ_c e*_cc)             codes where units intersect

where cuα keeps only coded matter, l*_c. = Σ_{k≠∅} l_ck, and a unit's self-pairing is the
squared part of it that each other coder also coded (the 2016 paper's eq. 10, which decides
the figure where there are more than two coders):

    e*_ck = (l*_c. l*_k. − [c = k] S*_c) / (l*.. − Σ_c S*_c / l*..)
    S*_c  = 1 / (m − 1) · Σ_i Σ_{j≠i} Σ_{units g of i with code c} |g ∩ (j's units)|²

`coverage` is l*.. / l.., the share of all coded-and-gap matter that cuα rests on.

Undefined values are None with a one-sentence `reason`, never NaN: fewer than two coders, no
spans, a code no one used, expected disagreement 0, and for the uα family a coder whose spans
with different codes overlap.

References: Krippendorff, K. (1995) On the reliability of unitizing continuous data.
Sociological Methodology 25:47–76. Krippendorff, K. (2004) Content Analysis, 2nd ed., Sage.
Krippendorff, K., Mathet, Y., Bouvry, S. & Widlöcher, A. (2016) On the reliability of
unitizing textual continua: further developments. Quality & Quantity 50(6):2347–2364.
Krippendorff, K. (2019) Content Analysis, 4th ed., Sage, §12.6. Meyer, C. M., Mieskes, M.,
Stab, C. & Gurevych, I. (2014) DKPro Agreement: an open-source Java library for measuring
inter-rater agreement. COLING 2014 demos, 105–109.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations, permutations
from typing import NamedTuple

import numpy as np

ALPHA_U_VARIANT = "krippendorff-2004"
U_ALPHA_VARIANT = "krippendorff-2016"
#: Expected disagreements (as shares of the pairable matter) below this count as zero.
ZERO = 1e-12

REASON_ONE_CODER = "agreement on spans needs two or more coders"
REASON_NO_SPANS = "no coder marked any span"
REASON_UNUSED = "no coder used this code"
REASON_NO_EXPECTED = "expected disagreement is 0, so chance cannot be corrected for"
REASON_NO_GAPS = "no coder left any gap, so there is no unit-versus-gap distinction to agree on"
REASON_NO_INTERSECTION = "no two coders' units overlap, so there is no coded matter in common to compare"


class Span(NamedTuple):
    """One coder's code on the characters [start, end) of a document."""

    document: str
    coder: str
    code: str
    start: int
    end: int


@dataclass(frozen=True)
class Continuum:
    """Spans ready for computing: merged, on one continuum, sorted by (coder, code, start).

    `bounds` holds the documents' offsets on the continuum (len(documents) + 1 entries);
    `coder` and `code` index `coders` and `codes`; `merged` counts spans merged away.
    """

    coders: tuple[str, ...]
    codes: tuple[str, ...]
    documents: tuple[str, ...]
    bounds: np.ndarray
    coder: np.ndarray
    code: np.ndarray
    start: np.ndarray
    end: np.ndarray
    merged: int = 0

    @property
    def length(self) -> int:
        """L, the characters of all documents together."""
        return int(self.bounds[-1])


@dataclass(frozen=True)
class CodeAlphaU:
    """αu for one code, with its observed and expected disagreement and its merged spans."""

    alpha: float | None
    observed: float
    expected: float
    spans: int
    reason: str | None


@dataclass(frozen=True)
class AlphaU:
    """Krippendorff's (1995, 2004) αu: per code and overall, 1 − ΣDo/ΣDe."""

    overall: float | None
    observed: float
    expected: float
    codes: dict[str, CodeAlphaU]
    reason: str | None
    variant: str = ALPHA_U_VARIANT


@dataclass(frozen=True)
class Coefficient:
    """One coefficient of the uα family, its disagreements as shares of the pairable matter."""

    value: float | None
    observed: float | None
    expected: float | None
    reason: str | None


@dataclass(frozen=True)
class UAlpha:
    """The uα family of Krippendorff et al. (2016): uα, |uα and cuα."""

    u_alpha: Coefficient
    binary_u_alpha: Coefficient
    c_u_alpha: Coefficient
    coverage: float | None
    variant: str = U_ALPHA_VARIANT


# --- the input: spans on a continuum ------------------------------------------------------


def _order(given: Iterable[str] | None, seen: Iterable[str], what: str) -> tuple[str, ...]:
    """`given` if there is one (checking that it names everything seen), else first appearance."""
    if given is None:
        return tuple(dict.fromkeys(seen))
    names = tuple(dict.fromkeys(given))
    unknown = sorted(set(seen) - set(names))
    if unknown:
        raise ValueError(f"{what} not listed: {', '.join(unknown)}")
    return names


def _merge(group: np.ndarray, start: np.ndarray, end: np.ndarray, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge overlapping intervals within each group; input sorted by (group, start).

    The running maximum of the end is taken on `group * stride + end`, so that it restarts
    with each group. A span starts a new run unless it begins before that maximum.
    """
    reach = np.maximum.accumulate(group * stride + end)
    opens = np.ones(len(start), dtype=bool)
    opens[1:] = group[1:] * stride + start[1:] >= reach[:-1]
    first = np.flatnonzero(opens)
    last = np.append(first[1:], len(start))[: len(first)] - 1
    return first, reach[last] - group[first] * stride


def continuum(spans: Iterable[Span], lengths: Mapping[str, int], coders: Iterable[str] | None = None,
              codes: Iterable[str] | None = None) -> Continuum:
    """Spans on documents of the given lengths, merged and laid on one continuum.

    `coders` and `codes` fix who and what is compared, and in which order (a coder or code
    listed but absent from the spans still counts); by default they are those that occur, in
    order of first appearance. A span on an unknown document, or not inside its document,
    raises ValueError.
    """
    rows = list(spans)
    documents = tuple(lengths)
    index = {name: position for position, name in enumerate(documents)}
    unknown = sorted({span.document for span in rows} - set(index))
    if unknown:
        raise ValueError(f"spans on unknown documents: {', '.join(unknown)}")
    coder_names = _order(coders, (span.coder for span in rows), "coders")
    code_names = _order(codes, (span.code for span in rows), "codes")
    bounds = np.concatenate([[0], np.cumsum([lengths[name] for name in documents], dtype=np.int64)])
    document = np.array([index[span.document] for span in rows], dtype=np.int64)
    start = np.array([span.start for span in rows], dtype=np.int64)
    end = np.array([span.end for span in rows], dtype=np.int64)
    outside = np.flatnonzero((start < 0) | (start >= end) | (end > np.diff(bounds)[document]))
    if len(outside):
        span = rows[int(outside[0])]
        raise ValueError(f"span [{span.start}, {span.end}) is not inside document {span.document!r}")
    shift = bounds[document]
    return from_arrays(coder_names, code_names, documents, bounds,
                       np.array([coder_names.index(span.coder) for span in rows], dtype=np.int64),
                       np.array([code_names.index(span.code) for span in rows], dtype=np.int64),
                       start + shift, end + shift)


def from_arrays(coders: tuple[str, ...], codes: tuple[str, ...], documents: tuple[str, ...], bounds: np.ndarray,
                coder: np.ndarray, code: np.ndarray, start: np.ndarray, end: np.ndarray) -> Continuum:
    """A Continuum from arrays already on it (`bounds`: the documents' offsets, len(documents) + 1).

    Sorts by (coder, code, start) and merges each coder's overlapping same-code spans.
    """
    order = np.lexsort((start, code, coder))
    coder, code, start, end = coder[order], code[order], start[order], end[order]
    group = coder * max(len(codes), 1) + code
    first, merged_end = _merge(group, start, end, int(bounds[-1]) + 1)
    return Continuum(coders=coders, codes=codes, documents=documents, bounds=bounds, coder=coder[first],
                     code=code[first], start=start[first], end=merged_end, merged=len(start) - len(first))


def _sum_by(index: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Σ of `weights` per value of `index` (0 ..< size), always as floats (bincount of nothing is int)."""
    return np.bincount(index, weights=weights, minlength=size).astype(float)


def _too_few(data: Continuum) -> str | None:
    if len(data.coders) < 2:
        return REASON_ONE_CODER
    if len(data.start) == 0:
        return REASON_NO_SPANS
    return None


# --- αu (Krippendorff 1995, 2004) -----------------------------------------------------------


def _overlapping(start: np.ndarray, end: np.ndarray, other_start: np.ndarray,
                 other_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each interval, the first of the disjoint sorted `other` intervals it overlaps, and how many."""
    first = np.searchsorted(other_end, start, side="right")
    count = np.maximum(np.searchsorted(other_start, end, side="left") - first, 0)
    return first, count


def _pair_disagreement(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...], codes: int) -> np.ndarray:
    """Σ δ² per code between two coders' segments (intervals shifted apart by code).

    Units overlapping units give (Δbegin)² + (Δend)²; a unit that overlaps none of the other
    coder's units lies inside one of their gaps and gives its squared length.
    """
    (start_a, end_a, code_a), (start_b, end_b, code_b) = a, b
    first, count = _overlapping(start_a, end_a, start_b, end_b)
    _, count_b = _overlapping(start_b, end_b, start_a, end_a)
    inside = _sum_by(code_a[count == 0], ((end_a - start_a)[count == 0] * 1.0) ** 2, codes)
    inside += _sum_by(code_b[count_b == 0], ((end_b - start_b)[count_b == 0] * 1.0) ** 2, codes)
    rows = np.repeat(np.arange(len(start_a)), count)
    steps = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    cols = first[rows] + steps
    squared = (1.0 * (start_a[rows] - start_b[cols])) ** 2 + (1.0 * (end_a[rows] - end_b[cols])) ** 2
    return inside + _sum_by(code_a[rows], squared, codes)


def _observed_alpha_u(data: Continuum) -> np.ndarray:
    """uDo_c for every code."""
    m, size, length = len(data.coders), len(data.codes), data.length
    stride = length + 1  # each code's spans on a stretch of their own: one search serves all codes
    start, end = data.code * stride + data.start, data.code * stride + data.end
    coder = [np.flatnonzero(data.coder == i) for i in range(m)]
    total = np.zeros(size)
    for i, j in combinations(range(m), 2):
        total += _pair_disagreement((start[coder[i]], end[coder[i]], data.code[coder[i]]),
                                    (start[coder[j]], end[coder[j]], data.code[coder[j]]), size)
    return 2.0 * total / (m * (m - 1) * float(length) ** 2)


def _gaps(data: Continuum) -> tuple[np.ndarray, np.ndarray]:
    """Every gap per coder and code: (code, length), gaps ending at document bounds.

    A gap lies before each unit (from the previous unit of that coder and code, or from the
    document's start), after the last unit in a document, or fills a document without units.
    """
    documents, size = len(data.documents), len(data.codes)
    document = np.searchsorted(data.bounds, data.start, side="right") - 1
    group = (data.coder * size + data.code) * documents + document
    first = np.ones(len(group), dtype=bool)
    first[1:] = group[1:] != group[:-1]
    last = np.ones(len(group), dtype=bool)
    last[:-1] = first[1:]
    before = data.start - np.where(first, data.bounds[document], np.roll(data.end, 1))
    after = data.bounds[document + 1][last] - data.end[last]
    empty = np.flatnonzero(np.bincount(group, minlength=len(data.coders) * size * documents) == 0)
    empty_length = np.diff(data.bounds)[empty % documents]
    code = np.concatenate([data.code, data.code[last], (empty // documents) % size])
    length = np.concatenate([before, after, empty_length])
    return code[length > 0], length[length > 0]


def _fits(data: Continuum) -> np.ndarray:
    """For every unit, Σ (l_h − l_g + 1) over its code's gaps h at least as long: where it fits."""
    stride = data.length + 1
    gap_code, gap_length = _gaps(data)
    keys = np.sort(gap_code * stride + gap_length)
    lengths = keys % stride
    running = np.concatenate([[0.0], np.cumsum(lengths, dtype=float)])
    unit = data.end - data.start
    block_end = np.searchsorted(keys, (data.code + 1) * stride, side="left")
    at_least = np.searchsorted(keys, data.code * stride + unit, side="left")
    return running[block_end] - running[at_least] - (unit - 1.0) * (block_end - at_least)


def _expected_alpha_u(data: Continuum) -> np.ndarray:
    """uDe_c for every code."""
    m, size, length = len(data.coders), len(data.codes), float(data.length)
    unit = (data.end - data.start).astype(float)
    count = np.bincount(data.code, minlength=size)
    shifts = (count[data.code] - 1) * unit * (unit - 1) * (2 * unit - 1) / 3
    numerator = _sum_by(data.code, shifts + unit**2 * _fits(data), size)
    pairs = m * length * (m * length - 1) - _sum_by(data.code, unit * (unit - 1), size)
    return 2.0 / length * numerator / pairs


def alpha_u(data: Continuum) -> AlphaU:
    """Krippendorff's αu per code and overall, as DKPro Agreement and INCEpTION compute it."""
    size = len(data.codes)
    reason = _too_few(data)
    if reason:
        empty = CodeAlphaU(alpha=None, observed=0.0, expected=0.0, spans=0, reason=reason)
        return AlphaU(overall=None, observed=0.0, expected=0.0, codes=dict.fromkeys(data.codes, empty), reason=reason)
    observed, expected = _observed_alpha_u(data), _expected_alpha_u(data)
    count = np.bincount(data.code, minlength=size)
    codes = {}
    for index, name in enumerate(data.codes):
        do, de = float(observed[index]), float(expected[index])
        why = REASON_UNUSED if count[index] == 0 else REASON_NO_EXPECTED if de <= 0 else None
        codes[name] = CodeAlphaU(alpha=None if why else 1 - do / de, observed=do, expected=de,
                                 spans=int(count[index]), reason=why)
    total_do, total_de = float(observed.sum()), float(expected.sum())
    why = REASON_NO_EXPECTED if total_de <= 0 else None
    return AlphaU(overall=None if why else 1 - total_do / total_de, observed=total_do, expected=total_de,
                  codes=codes, reason=why)


# --- the uα family (Krippendorff et al. 2016; Krippendorff 2019, §12.6) ------------------


def _overlap_reason(data: Continuum) -> str | None:
    """Why a coder's spans do not divide the text into segments, or None if they do."""
    order = np.lexsort((data.start, data.coder))
    coder, code, start, end = data.coder[order], data.code[order], data.start[order], data.end[order]
    clash = np.flatnonzero((coder[1:] == coder[:-1]) & (start[1:] < end[:-1]))
    if len(clash) == 0:
        return None
    k = int(clash[0])
    document = int(np.searchsorted(data.bounds, start[k + 1], side="right") - 1)
    offset = int(data.bounds[document])
    return (f"coder {data.coders[coder[k]]}'s spans with codes {data.codes[code[k]]} and {data.codes[code[k + 1]]} "
            f"overlap in {data.documents[document]} at {start[k + 1] - offset}–{min(end[k], end[k + 1]) - offset}, "
            f"and uα needs each coder's spans to divide the text into segments that do not overlap")


@dataclass(frozen=True)
class _Sections:
    """The continuum cut at every boundary: section widths, and per coder its value and unit there."""

    width: np.ndarray
    value: list[np.ndarray]  # 0 for a gap, code + 1 for a unit
    unit: list[np.ndarray]  # index of the unit in the Continuum, or -1 for a gap


def _sections(data: Continuum) -> _Sections:
    cuts = np.unique(np.concatenate([data.bounds, data.start, data.end]))
    left = cuts[:-1]
    values, units = [], []
    for i in range(len(data.coders)):
        own = np.flatnonzero(data.coder == i)
        own = np.append(own[np.argsort(data.start[own], kind="stable")], -1)  # -1: a sentinel for "no unit"
        at = np.searchsorted(data.start[own[:-1]], left, side="right") - 1
        unit = own[at]  # at = -1 picks the sentinel
        unit = np.where((unit >= 0) & (left < data.end[unit]), unit, -1)
        units.append(unit)
        values.append(np.where(unit >= 0, data.code[unit] + 1, 0))
    return _Sections(width=np.diff(cuts).astype(float), value=values, unit=units)


def _coincidences(data: Continuum, sections: _Sections) -> np.ndarray:
    """l_ck over the values ∅ (index 0) and the codes: intersecting lengths, per coder pair."""
    size = len(data.codes) + 1
    table = np.zeros(size * size)
    for i, j in permutations(range(len(data.coders)), 2):
        table += _sum_by(sections.value[i] * size + sections.value[j], sections.width, size**2)
    return table.reshape(size, size) / (len(data.coders) - 1)


def _coded_self_pairs(data: Continuum, sections: _Sections) -> np.ndarray:
    """S*_c of eq. 10: per code, Σ over units and other coders of |unit ∩ their units|², / (m − 1)."""
    total = np.zeros(len(data.codes))
    for i, j in permutations(range(len(data.coders)), 2):
        both = (sections.value[i] > 0) & (sections.value[j] > 0)
        common = _sum_by(sections.unit[i][both], sections.width[both], len(data.start))
        total += _sum_by(data.code, common**2, len(data.codes))
    return total / (len(data.coders) - 1)


def _expected(observed: np.ndarray, self_pairs: np.ndarray) -> np.ndarray:
    """e_ck = l.. (l_c. l_k. − [c = k] S_c) / (l..² − Σ S_c) from a coincidence table."""
    margin, total = observed.sum(axis=1), observed.sum()
    with np.errstate(divide="ignore", invalid="ignore"):  # no pairable matter: NaN, turned into a reason
        return total * (np.outer(margin, margin) - np.diag(self_pairs)) / (total**2 - self_pairs.sum())


def _coefficient(disagree_observed: float, disagree_expected: float, total: float, reason: str) -> Coefficient:
    """1 − Do/De with both as shares of `total`; None with `reason` when De is 0 (or undefined)."""
    observed, expected = float(disagree_observed / total), float(disagree_expected / total)
    if not np.isfinite(expected) or expected <= ZERO:
        return _missing(reason)
    return Coefficient(value=1 - observed / expected, observed=observed, expected=expected, reason=None)


def _missing(reason: str) -> Coefficient:
    return Coefficient(value=None, observed=None, expected=None, reason=reason)


def _undefined(reason: str) -> UAlpha:
    return UAlpha(u_alpha=_missing(reason), binary_u_alpha=_missing(reason), c_u_alpha=_missing(reason), coverage=None)


def u_alpha(data: Continuum) -> UAlpha:
    """uα, |uα and cuα of Krippendorff, Mathet, Bouvry & Widlöcher (2016), nominal."""
    reason = _too_few(data) or _overlap_reason(data)
    if reason:
        return _undefined(reason)
    sections = _sections(data)
    observed = _coincidences(data, sections)
    unit = (data.end - data.start).astype(float)
    squares = np.concatenate([[observed[0].sum()], _sum_by(data.code, unit**2, len(data.codes))])
    expected = _expected(observed, squares)
    total = observed.sum()
    u = _coefficient(total - np.trace(observed), total - np.trace(expected), total, REASON_NO_EXPECTED)
    binary_reason = REASON_NO_GAPS if observed[0].sum() == 0 else REASON_NO_EXPECTED
    binary = _coefficient(observed[0].sum() - observed[0, 0], expected[0].sum() - expected[0, 0], total, binary_reason)
    coded = observed[1:, 1:]
    coded_total = coded.sum()
    if coded_total == 0:
        return UAlpha(u_alpha=u, binary_u_alpha=binary, c_u_alpha=_missing(REASON_NO_INTERSECTION), coverage=0.0)
    coded_expected = _expected(coded, _coded_self_pairs(data, sections))
    c = _coefficient(coded_total - np.trace(coded), coded_total - np.trace(coded_expected), coded_total,
                     REASON_NO_EXPECTED)
    return UAlpha(u_alpha=u, binary_u_alpha=binary, c_u_alpha=c, coverage=float(coded_total / total))
