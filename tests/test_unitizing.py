"""Krippendorff's alpha for unitizing (coder/stats/unitizing.py): published examples and oracles.

αu is checked against the worked examples of Krippendorff (1995, 2004) as DKPro Agreement's
tests transcribe them, against DKPro's and INCEpTION's own test cases, and against a plain
loop over every pair of segments written straight from the 2004 formula. No worked example
for the uα family was at hand (Krippendorff 2019, Fig. 12.11 could not be consulted), so it is
checked against a plain per-pair-of-positions implementation of the 2016 formulas and, where
every unit is one character long, against the `krippendorff` package's nominal alpha, which
the definitions then reduce to.
"""

from __future__ import annotations

from itertools import combinations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.stats.unitizing import (
    ALPHA_U_VARIANT,
    REASON_NO_EXPECTED,
    REASON_NO_GAPS,
    REASON_NO_INTERSECTION,
    REASON_NO_SPANS,
    REASON_ONE_CODER,
    REASON_UNUSED,
    U_ALPHA_VARIANT,
    Span,
    alpha_u,
    continuum,
    u_alpha,
)

# --- published examples ---------------------------------------------------------------------


def krippendorff_2004() -> list[Span]:
    """Krippendorff (2004: p. 254): two coders, codes c and k, continuum 150–450 (here 0–300).

    As in DKPro Agreement, Krippendorff2004Test.createExample (offset, length, coder, code).
    """
    units = [(225, 70, "i", "c"), (370, 30, "i", "c"), (220, 80, "j", "c"), (355, 20, "j", "c"), (400, 20, "j", "c"),
             (180, 60, "i", "k"), (300, 50, "i", "k"), (180, 60, "j", "k"), (300, 50, "j", "k")]
    return [Span("text", coder, code, offset - 150, offset - 150 + length) for offset, length, coder, code in units]


def test_krippendorff_2004_p254_example_codes_c_and_k():
    """DKPro Agreement, Krippendorff2004Test.testAgreement and testCategoryAgreement."""
    result = alpha_u(continuum(krippendorff_2004(), {"text": 300}))
    assert result.overall == pytest.approx(0.8591, abs=0.0005)
    c, k = result.codes["c"], result.codes["k"]
    assert (c.observed, c.expected, c.alpha) == pytest.approx((0.0144, 0.0532, 0.7286), abs=0.0001)
    assert (k.observed, k.expected, k.alpha) == pytest.approx((0.0, 0.0490, 1.0), abs=0.0001)
    assert result.variant == ALPHA_U_VARIANT == "krippendorff-2004"


#: Krippendorff (1995: p. 57), examples A–D of two coders each on 24 characters, as DKPro
#: Agreement's Krippendorff1995Test.createExample gives them: (offset, length, coder, example).
EXAMPLES_1995 = [
    (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
    (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"), (4, 1, 1, "B"), (5, 1, 1, "B"), (6, 3, 1, "B"),
    (9, 1, 1, "B"),
    (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"), (0, 2, 1, "C"), (4, 4, 1, "C"), (10, 4, 1, "C"),
    (16, 2, 1, "C"), (20, 2, 1, "C"),
    (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"), (0, 4, 1, "D"), (4, 4, 1, "D"),
    (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D"),
]


def krippendorff_1995(stretch: float, examples: str = "ABCD"):
    """The examples with every offset and length multiplied by `stretch` (truncated, as DKPro does)."""
    scaled = [(int(offset * stretch), int(length * stretch), coder, code)
              for offset, length, coder, code in EXAMPLES_1995 if code in examples]
    spans = [Span("text", ("first", "second")[coder], code, offset, offset + length)
             for offset, length, coder, code in scaled]
    return continuum(spans, {"text": int(24 * stretch)})


def test_krippendorff_1995_p57_examples_a_to_d_observed_disagreement():
    """DKPro Agreement, Krippendorff1995Test.testAgreement: uDo of A–D, to 5 decimals."""
    codes = alpha_u(krippendorff_1995(1)).codes
    assert [codes[name].observed for name in "ABCD"] == pytest.approx([0.03125, 2.26736, 0.02777, 0.38715], abs=1e-5)


def test_krippendorff_1995_p57_examples_a_to_d_on_a_long_continuum():
    """DKPro Agreement, Krippendorff1995Test.testAgreement: uDe and αu at 50,000 times the length.

    Krippendorff (1995) printed αu = 0.553, -0.926, 0.679 and 0.066; DKPro notes that his uDe
    seems slightly off ("possibly related to (l_ik + l_hj + 1) where the first plus should be a
    minus") and checks uDe within 0.005 and αu within 0.02 on a 1,200,000-character continuum,
    where the printed values are approached. The same tolerances are used here.
    """
    codes = alpha_u(krippendorff_1995(50_000)).codes
    assert [codes[name].expected for name in "ABCD"] == pytest.approx([0.06990, 1.17731, 0.08642, 0.41445], abs=0.005)
    assert [codes[name].alpha for name in "ABCD"] == pytest.approx([0.553, -0.926, 0.679, 0.066], abs=0.02)


def test_krippendorff_1995_example_c_at_half_length():
    """DKPro Agreement, Krippendorff1995Test.testVaryingLengths: example C on 12 characters."""
    c = alpha_u(krippendorff_1995(0.5, "C")).codes["C"]
    assert (c.observed, c.expected) == pytest.approx((0.02777, 0.05494), abs=1e-5)
    assert c.alpha == pytest.approx(0.494, abs=0.02)


def test_dkpro_unitizing_agreement_test_one_long_unit_against_three_short():
    """DKPro Agreement, UnitizingAgreementTest.testAgreement (r0: -11111111-, r1: --1-1-1---)."""
    spans = [Span("t", "r0", "A", 1, 9)] + [Span("t", "r1", "A", start, start + 1) for start in (2, 4, 6)]
    a = alpha_u(continuum(spans, {"t": 10})).codes["A"]
    assert (a.observed, a.expected, a.alpha) == pytest.approx((0.9100, 0.5351, -0.7003), abs=0.0001)


def test_dkpro_single_annotation_unit_of_three_raters():
    """DKPro Agreement, UnitizingAgreementTest.testSingleAnnotationUnit: agreement 0 (uDo = uDe)."""
    data = continuum([Span("t", "r0", "X", 0, 1)], {"t": 20}, coders=["r0", "r1", "r2"])
    assert alpha_u(data).overall == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ((225, 70), (220, 80), 50),  # Krippendorff2004Test.testDistanceMetric2
        ((370, 30), (355, 20), 850),
        ((5, 6), (4, 2), 26),  # Krippendorff2004Test.testDistanceMetric1
        ((5, 6), (5, 2), 16),
        ((5, 6), (6, 2), 10),
        ((5, 6), (7, 2), 8),
        ((5, 6), (6, 4), 2),
        ((5, 6), (5, 6), 0),
        ((1, 8), (2, 1), 37),  # UnitizingAgreementTest.testDistanceMetric
        ((1, 8), (4, 1), 25),
        ((1, 8), (6, 1), 29),
        (None, (400, 20), 400),  # a unit inside the other coder's gap: its squared length
    ],
)
def test_dkpro_distances_between_two_segments(first, second, distance):
    """DKPro Agreement's δ² of one pair of (offset, length) segments: uDo · L² for two coders."""
    spans = [Span("t", coder, "c", offset, offset + length)
             for coder, unit in (("i", first), ("j", second)) if unit for offset, length in [unit]]
    result = alpha_u(continuum(spans, {"t": 500}, coders=["i", "j"]))
    assert result.codes["c"].observed * 500**2 == pytest.approx(distance)


def test_dkpro_empty_annotation_set_is_undefined_with_a_reason():
    """DKPro Agreement, UnitizingAgreementTest.testEmptyAnnotationSet gives NaN; coder gives None."""
    result = alpha_u(continuum([], {"t": 20}, coders=["r0", "r1", "r2"]))
    assert result.overall is None and result.reason == REASON_NO_SPANS


def test_inception_two_documents_no_overlap():
    """INCEpTION, KrippendorffAlphaUnitizingAgreementMeasureTest.twoDocumentsNoOverlapTest: -0.0714."""
    spans = [Span("a", "user1", "+", 0, 1), Span("b", "user2", "+", 0, 1)]
    assert alpha_u(continuum(spans, {"a": 4, "b": 4})).overall == pytest.approx(-0.0714, abs=0.001)


def test_inception_single_no_differences_with_additional_cas():
    """INCEpTION, singleNoDifferencesWithAdditionalCasTest: -4.5 against the coder who marked
    the whole text, NaN (here None) between the two who marked nothing."""
    spans = [Span("test", "user3", "test", 0, 4)]
    assert alpha_u(continuum(spans, {"test": 4}, coders=["user1", "user3"])).overall == pytest.approx(-4.5)
    nothing = alpha_u(continuum([], {"test": 4}, coders=["user1", "user2"]))
    assert nothing.overall is None and nothing.reason == REASON_NO_SPANS


def test_inception_full_single_category_agreement():
    """INCEpTION, fullSingleCategoryAgreementWithTagsetTest: 1.0."""
    spans = [Span("test", coder, "+", 0, 1) for coder in ("user1", "user2")]
    assert alpha_u(continuum(spans, {"test": 4})).overall == pytest.approx(1.0)


def test_inception_two_without_label():
    """INCEpTION, testTwoWithoutLabel_noExcludeIncomplete: 0.0 within 0.01.

    The test's spans without a label are reproduced by leaving them out (coder's spans always
    carry a code); what remains is A and B on the same last character.
    """
    spans = [Span("test", "user1", "A", 3, 4), Span("test", "user2", "B", 3, 4)]
    assert alpha_u(continuum(spans, {"test": 4})).overall == pytest.approx(0.0, abs=0.01)


# --- merging, documents and undefined values ---------------------------------------------


def test_overlapping_spans_of_one_coder_and_code_are_merged_abutting_ones_are_not():
    spans = [Span("d", "A", "x", 0, 5), Span("d", "A", "x", 3, 8), Span("d", "A", "x", 8, 10),
             Span("d", "A", "y", 4, 6), Span("d", "B", "x", 2, 4)]
    data = continuum(spans, {"d": 20})
    assert data.merged == 1
    got = sorted(zip(data.coder.tolist(), data.code.tolist(), data.start.tolist(), data.end.tolist(), strict=True))
    assert got == [(0, 0, 0, 8), (0, 0, 8, 10), (0, 1, 4, 6), (1, 0, 2, 4)]


def test_documents_lie_end_to_end_and_gaps_stop_at_their_bounds():
    """A gap never runs into the next document: the same spans give another uDe if they do."""
    spans = [Span("one", "A", "x", 0, 2), Span("two", "B", "x", 3, 5), Span("two", "A", "x", 3, 5)]
    apart = alpha_u(continuum(spans, {"one": 5, "two": 5}))
    joined = alpha_u(continuum([Span("both", s.coder, s.code, s.start + 5 * (s.document == "two"),
                                     s.end + 5 * (s.document == "two")) for s in spans], {"both": 10}))
    assert apart.codes["x"].observed == pytest.approx(joined.codes["x"].observed)
    assert apart.codes["x"].expected != pytest.approx(joined.codes["x"].expected)


def test_a_span_outside_its_document_is_refused():
    with pytest.raises(ValueError, match="not inside document 'd'"):
        continuum([Span("d", "A", "x", 3, 11)], {"d": 10})
    with pytest.raises(ValueError, match="unknown documents: e"):
        continuum([Span("e", "A", "x", 0, 1)], {"d": 10})


def test_one_coder_gives_no_figure_but_a_reason():
    data = continuum([Span("d", "A", "x", 0, 3)], {"d": 10})
    assert alpha_u(data).overall is None and alpha_u(data).reason == REASON_ONE_CODER
    assert alpha_u(data).codes["x"].reason == REASON_ONE_CODER
    family = u_alpha(data)
    assert family.u_alpha.value is None and family.c_u_alpha.reason == REASON_ONE_CODER


def test_a_code_no_one_used_is_null_and_leaves_the_overall_figure_alone():
    spans = [Span("d", coder, "x", 2, 5) for coder in "AB"]
    result = alpha_u(continuum(spans, {"d": 10}, codes=["x", "unused"]))
    assert result.codes["unused"].alpha is None and result.codes["unused"].reason == REASON_UNUSED
    assert result.overall == pytest.approx(1.0) and result.codes["x"].alpha == pytest.approx(1.0)


def test_no_expected_disagreement_is_null_not_nan():
    """Both coders mark the only character: uDo = uDe = 0."""
    result = alpha_u(continuum([Span("d", coder, "x", 0, 1) for coder in "AB"], {"d": 1}))
    assert result.overall is None and result.reason == REASON_NO_EXPECTED
    assert result.codes["x"].alpha is None and result.codes["x"].expected == 0


def test_u_alpha_needs_each_coder_to_divide_the_text_into_segments():
    result = u_alpha(continuum(krippendorff_2004(), {"text": 300}))
    assert result.u_alpha.value is None and result.variant == U_ALPHA_VARIANT == "krippendorff-2016"
    assert result.u_alpha.reason.startswith("coder i's spans with codes k and c overlap in text at 75–90")


def test_u_alpha_without_gaps_or_without_common_units():
    no_gaps = u_alpha(continuum([Span("d", "A", "x", 0, 4), Span("d", "B", "x", 0, 2), Span("d", "B", "y", 2, 4)],
                                {"d": 4}))
    assert no_gaps.binary_u_alpha.value is None and no_gaps.binary_u_alpha.reason == REASON_NO_GAPS
    assert no_gaps.u_alpha.value is not None
    apart = u_alpha(continuum([Span("d", "A", "x", 0, 2), Span("d", "B", "y", 5, 7)], {"d": 10}))
    assert apart.c_u_alpha.value is None and apart.c_u_alpha.reason == REASON_NO_INTERSECTION
    assert apart.coverage == 0.0


def test_identical_coders_agree_perfectly_on_every_variant():
    spans = [Span("d", coder, code, start, end) for coder in "ABC"
             for code, start, end in (("x", 0, 3), ("y", 5, 9), ("x", 9, 12))]
    data = continuum(spans, {"d": 15})
    assert alpha_u(data).overall == pytest.approx(1.0)
    family = u_alpha(data)
    assert (family.u_alpha.value, family.binary_u_alpha.value, family.c_u_alpha.value) == pytest.approx((1, 1, 1))


# --- oracles ----------------------------------------------------------------------------


def merged_units(spans: list[Span]) -> dict[tuple[str, str, str], list[tuple[int, int]]]:
    """Each (coder, code, document)'s units after merging overlapping ones, by a plain loop."""
    units: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for span in sorted(spans, key=lambda s: s.start):
        runs = units.setdefault((span.coder, span.code, span.document), [])
        if runs and span.start < runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], span.end))
        else:
            runs.append((span.start, span.end))
    return units


def oracle_alpha_u(spans: list[Span], lengths: dict[str, int], coders: list[str], code: str) -> tuple[float, float]:
    """uDo and uDe of one code straight from Krippendorff (2004), looping over every pair of segments."""
    units = merged_units(spans)
    length, m = sum(lengths.values()), len(coders)
    pieces: dict[str, list[tuple[str, int, int, bool]]] = {}
    for coder in coders:
        pieces[coder] = []
        for document, size in lengths.items():
            cursor = 0
            for start, end in units.get((coder, code, document), []):
                if start > cursor:
                    pieces[coder].append((document, cursor, start, False))
                pieces[coder].append((document, start, end, True))
                cursor = end
            if cursor < size:
                pieces[coder].append((document, cursor, size, False))
    total = 0
    for first, second in combinations(coders, 2):
        for doc_g, b_g, e_g, unit_g in pieces[first]:
            for doc_h, b_h, e_h, unit_h in pieces[second]:
                if doc_g != doc_h or not (b_g < e_h and b_h < e_g):
                    continue
                if unit_g and unit_h:
                    total += (b_g - b_h) ** 2 + (e_g - e_h) ** 2
                elif unit_g and b_h <= b_g and e_g <= e_h:
                    total += (e_g - b_g) ** 2
                elif unit_h and b_g <= b_h and e_h <= e_g:
                    total += (e_h - b_h) ** 2
    observed = 2 * total / (m * (m - 1) * length**2)
    unit_lengths = [e - b for coder in coders for _, b, e, unit in pieces[coder] if unit]
    gap_lengths = [e - b for coder in coders for _, b, e, unit in pieces[coder] if not unit]
    numerator = 0.0
    for size in unit_lengths:
        numerator += (len(unit_lengths) - 1) * (2 * size**3 - 3 * size**2 + size) / 3
        numerator += sum(size**2 * (gap - size + 1) for gap in gap_lengths if gap >= size)
    pairs = m * length * (m * length - 1) - sum(size * (size - 1) for size in unit_lengths)
    return observed, 2 / length * numerator / pairs


CODES = ("x", "y", "z")


@st.composite
def span_studies(draw):
    """Random spans, overlaps allowed: 1–2 documents, 2–4 coders, 1–3 codes."""
    lengths = {f"doc{k}": draw(st.integers(1, 12)) for k in range(draw(st.integers(1, 2)))}
    coders = [f"c{k}" for k in range(draw(st.integers(2, 4)))]
    spans = []
    for _ in range(draw(st.integers(0, 10))):
        document = draw(st.sampled_from(sorted(lengths)))
        start = draw(st.integers(0, lengths[document] - 1))
        end = draw(st.integers(start + 1, lengths[document]))
        spans.append(Span(document, draw(st.sampled_from(coders)), draw(st.sampled_from(CODES[:2])), start, end))
    return spans, lengths, coders


@settings(max_examples=200, deadline=None)
@given(span_studies())
def test_alpha_u_matches_a_loop_over_every_pair_of_segments(study):
    spans, lengths, coders = study
    result = alpha_u(continuum(spans, lengths, coders=coders, codes=CODES[:2]))
    if not spans:
        assert result.overall is None and result.reason == REASON_NO_SPANS
        return
    observed = expected = 0.0
    for code in CODES[:2]:
        do, de = oracle_alpha_u(spans, lengths, coders, code)
        figures = result.codes[code]
        assert (figures.observed, figures.expected) == pytest.approx((do, de), rel=1e-9, abs=1e-12)
        if figures.spans:
            assert figures.alpha == (None if de == 0 else pytest.approx(1 - do / de, rel=1e-9, abs=1e-12))
        observed, expected = observed + do, expected + de
    assert result.overall == (None if expected == 0 else pytest.approx(1 - observed / expected, rel=1e-9, abs=1e-12))


@st.composite
def partitions(draw, unit_length: int | None = None):
    """Each coder divides each document into units (with a code) and gaps; abutting units allowed."""
    lengths = {f"doc{k}": draw(st.integers(1, 10)) for k in range(draw(st.integers(1, 2)))}
    coders = [f"c{k}" for k in range(draw(st.integers(2, 3)))]
    spans = []
    for coder in coders:
        for document, size in lengths.items():
            inner = set(range(1, size)) if unit_length == 1 or size == 1 else draw(st.sets(st.integers(1, size - 1)))
            cuts = sorted({0, size} | inner)
            for start, end in zip(cuts[:-1], cuts[1:], strict=True):
                value = draw(st.sampled_from((None, *CODES)))
                if value is not None:
                    spans.append(Span(document, coder, value, start, end))
    return spans, lengths, coders


def positions(spans: list[Span], lengths: dict[str, int], coders: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per coder and character of the continuum: its value (0 a gap, code + 1) and unit (-1 a gap)."""
    offset = dict(zip(lengths, np.cumsum([0, *lengths.values()])[:-1].tolist(), strict=True))
    value = np.zeros((len(coders), sum(lengths.values())), dtype=int)
    unit = np.full(value.shape, -1)
    for number, span in enumerate(spans):
        where = slice(offset[span.document] + span.start, offset[span.document] + span.end)
        value[coders.index(span.coder), where] = CODES.index(span.code) + 1
        unit[coders.index(span.coder), where] = number
    return value, unit


def oracle_u_alpha(spans: list[Span], lengths: dict[str, int], coders: list[str]) -> dict[str, float | None]:
    """uα, |uα and cuα counting characters and pairs of characters, straight from the 2016 formulas."""
    value, unit = positions(spans, lengths, coders)
    m, size = value.shape
    values = len(CODES) + 1
    observed = np.zeros((values, values))
    for i in range(m):
        for j in range(m):
            if i != j:
                for p in range(size):
                    observed[value[i, p], value[j, p]] += 1 / (m - 1)
    pairs = np.zeros((values, values))
    instances = [(i, p) for i in range(m) for p in range(size)]
    for i, p in instances:
        for k, q in instances:
            if i == k and (p == q or (unit[i, p] >= 0 and unit[i, p] == unit[k, q])):
                continue  # a character, or a unit, pairs not with itself
            pairs[value[i, p], value[k, q]] += 1
    total = observed.sum()
    expected = total * pairs / pairs.sum()

    def alpha(do: float, de: float) -> float | None:
        return 1 - do / de if de > 1e-9 else None  # NaN (nothing pairable) is undefined too

    coded = observed[1:, 1:]
    self_pairs = np.zeros(len(CODES))  # S*_c: pairs of characters in one unit that another coder also coded
    for i in range(m):
        for j in range(m):
            for g in set(unit[i].tolist()) - {-1} if i != j else set():
                inside = [p for p in range(size) if unit[i, p] == g and value[j, p] > 0]
                code = value[i, unit[i].tolist().index(g)] - 1
                self_pairs[code] += sum(1 for _ in inside for _ in inside) / (m - 1)
    coded_total = coded.sum()
    result = {"u_alpha": alpha(total - np.trace(observed), total - np.trace(expected)),
              "binary_u_alpha": alpha(observed[0].sum() - observed[0, 0], expected[0].sum() - expected[0, 0])}
    if coded_total == 0:
        return result | {"c_u_alpha": None}
    margin = coded.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):  # each unit only its own pair: undefined
        coded_expected = (np.outer(margin, margin) - np.diag(self_pairs)) / (coded_total - self_pairs.sum() / coded_total)
    return result | {"c_u_alpha": alpha(coded_total - np.trace(coded), coded_total - np.trace(coded_expected))}


def family_values(spans, lengths, coders) -> dict[str, float | None]:
    family = u_alpha(continuum(spans, lengths, coders=coders, codes=CODES))
    return {"u_alpha": family.u_alpha.value, "binary_u_alpha": family.binary_u_alpha.value,
            "c_u_alpha": family.c_u_alpha.value}


@settings(max_examples=150, deadline=None)
@given(partitions())
def test_u_alpha_family_matches_a_count_over_pairs_of_characters(study):
    spans, lengths, coders = study
    got, want = family_values(spans, lengths, coders), oracle_u_alpha(spans, lengths, coders)
    if not spans:
        assert got == dict.fromkeys(want)
        return
    for name, value in want.items():
        assert got[name] == (None if value is None else pytest.approx(value, rel=1e-9, abs=1e-9)), name


def nominal_alpha(data: np.ndarray) -> float | None:
    try:
        with np.errstate(invalid="ignore"):  # nothing pairable: NaN
            value = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    except ValueError:  # one value only: undefined
        return None
    return None if not np.isfinite(value) else float(value)


@settings(max_examples=100, deadline=None)
@given(partitions(unit_length=1))
def test_one_character_units_reduce_to_nominal_alpha_of_the_krippendorff_package(study):
    """With every unit one character long, uα is nominal α over characters (a gap a value of its
    own), |uα is α on unit-or-gap, and for two coders cuα is α with gaps as missing values."""
    spans, lengths, coders = study
    got = family_values(spans, lengths, coders)
    value, _ = positions(spans, lengths, coders)
    checks = {"u_alpha": value.astype(float), "binary_u_alpha": (value > 0).astype(float)}
    if len(coders) == 2:
        checks["c_u_alpha"] = np.where(value > 0, value, np.nan).astype(float)
    for name, data in checks.items():
        want = nominal_alpha(data)
        assert got[name] == (None if want is None else pytest.approx(want, rel=1e-9, abs=1e-9)), name
