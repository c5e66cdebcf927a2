"""How agreement figures are shown to a reader: one home for the CLI table, the summary and the screen.

Pure functions, no I/O. The statistics (`agreement`) stay as computed; this module decides
how a figure reads at a glance, so the faces cannot drift apart:

- numbers: two decimals, "—" for None, never "-0.00" (a value that rounds to zero is 0.00);
- the 95% interval kappa ± 1.96·SE is shown clipped to [−1, 1], the range of kappa, with a
  note where it was clipped (a large-sample interval on few units can pass either end);
- an undefined kappa reads "undefined: <why>" in a few words (`SHORT`), e.g. "undefined: only
  one coder used it" for a code one coder never gave, rather than "0.00 [0.00, 0.00] poor";
- the prevalence flag: observed agreement at least `PREVALENCE_OBSERVED` (0.8) while kappa is
  below `PREVALENCE_KAPPA` (0.4). This is the first paradox of Feinstein & Cicchetti (1990),
  "high agreement but low kappa": where a code is rare (or nearly universal), chance agreement
  p_e is high and kappa low, however well the coders agree. The thresholds are this program's
  reading of their examples (p_o ≥ 0.8 and kappa in Landis & Koch's "fair" band or below); the
  remedy shown is theirs and Byrt, Bishop & Carlin's (1993): PABAK, and Gwet's (2008) AC1,
  beside kappa;
- a pair compared on fewer than `CAUTION_UNITS` (10) units carries a caution: with so few,
  one unit moves kappa by a tenth or more and the large-sample interval is unreliable;
- codes by their codebook names (`name_of`).

The English words are `ENGLISH`; a face in another language passes its own labels with the
same keys and fields (the summary's Dutch does).

References: Feinstein, A. R. & Cicchetti, D. V. (1990) High agreement but low kappa: I. The
problems of two paradoxes. J Clin Epidemiol 43(6):543–549. Byrt, T., Bishop, J. & Carlin, J. B.
(1993) Bias, prevalence and kappa. J Clin Epidemiol 46(5):423–429. Gwet, K. L. (2008)
Computing inter-rater reliability and its variance in the presence of high agreement. Br J Math
Stat Psychol 61:29–48.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from coder.stats.agreement import (
    REASON_ALPHA_NO_VARIATION,
    REASON_ALPHA_POOLED,
    REASON_EVERY_UNIT,
    REASON_NO_VARIATION,
    REASON_ONE_CATEGORY,
    REASON_ONE_CODER_USED,
    REASON_TOO_FEW,
    Report,
    Statistics,
)

CAUTION_UNITS = 10
PREVALENCE_OBSERVED = 0.8
PREVALENCE_KAPPA = 0.4
KAPPA_RANGE = (-1.0, 1.0)
DASH = "—"


class Flag(StrEnum):
    """What a reader must know about a figure before citing it."""

    CLIPPED = "clipped"
    PREVALENCE = "prevalence"


#: The English words of every text this module writes; other languages give the same keys.
ENGLISH: dict[str, str] = {
    "undefined": "undefined: {reason}",
    "clipped": "interval clipped to [−1, 1]",
    "prevalence": "high agreement but low kappa (a rare or near-universal code): PABAK {pabak}, AC1 {ac1}",
    "caution": "Caution: only {units} units were compared; with fewer than {least}, one unit moves kappa"
               " a long way and its interval is unreliable.",
    "beside": "PABAK {pabak} · AC1 {ac1} · Krippendorff's alpha {alpha}",
    "mean": "Mean of the defined per-{level} kappas {mean}",
    "alpha_missing": "— ({reason})",
    REASON_TOO_FEW: "fewer than two units",
    REASON_NO_VARIATION: "every unit rated the same by both",
    REASON_ONE_CODER_USED: "only one coder used it",
    REASON_EVERY_UNIT: "one coder gave it to every unit",
    REASON_ONE_CATEGORY: "one coder gave every unit the same code",
    REASON_ALPHA_POOLED: "not defined for pooled tables",
    REASON_ALPHA_NO_VARIATION: "no variation in the ratings",
}


def number(value: float | None, digits: int = 2, decimal: str = ".") -> str:
    """A figure with `digits` decimals; "—" for None; a value that rounds to zero is never "-0.00"."""
    if value is None:
        return DASH
    text = f"{value:.{digits}f}"
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]
    return text.replace(".", decimal)


def clip(interval: tuple[float, float] | None) -> tuple[tuple[float, float] | None, bool]:
    """The interval within [−1, 1], and whether it had to be clipped."""
    if interval is None:
        return None, False
    low, high = KAPPA_RANGE
    clipped = (max(low, interval[0]), min(high, interval[1]))
    return clipped, clipped != tuple(interval)


def is_prevalence_case(observed: float | None, kappa: float | None) -> bool:
    """High agreement but low kappa (Feinstein & Cicchetti 1990): p_o ≥ 0.8 while kappa < 0.4."""
    return observed is not None and kappa is not None and observed >= PREVALENCE_OBSERVED and kappa < PREVALENCE_KAPPA


def needs_caution(units: int) -> bool:
    """A pair compared on fewer than CAUTION_UNITS units."""
    return units < CAUTION_UNITS


def name_of(code: str, names: Mapping[str, str]) -> str:
    """A code by its codebook name, else by its id (a ratings file has no codebook)."""
    return names.get(code, code)


@dataclass(frozen=True)
class Reading:
    """One row of figures as a reader should see it: clipped interval, flags, the reason if undefined."""

    name: str
    stats: Statistics
    n: int
    interval: tuple[float, float] | None
    flags: tuple[Flag, ...]


def reading(name: str, stats: Statistics, n: int) -> Reading:
    """`stats` ready to show under `name`."""
    interval, clipped = clip(stats.ci95)
    flags = ((Flag.CLIPPED,) if clipped else ()) + (
        (Flag.PREVALENCE,) if is_prevalence_case(stats.observed, stats.kappa) else ())
    return Reading(name, stats, n, interval, flags)


def readings(report: Report, names: Mapping[str, str], overall: str = "overall") -> list[Reading]:
    """Every code's row, by codebook name, then the overall row (n: the units compared)."""
    rows = [reading(name_of(code, names), stats, stats.n) for code, stats in report.codes.items()]
    return rows + [reading(overall, report.overall, report.units)]


class Wording:
    """The texts of readings in one language: `labels` has `ENGLISH`'s keys and fields."""

    def __init__(self, labels: Mapping[str, str] = ENGLISH, decimal: str = ".") -> None:
        self.labels = labels
        self.decimal = decimal

    def number(self, value: float | None) -> str:
        return number(value, decimal=self.decimal)

    def interval(self, row: Reading, template: str = "[{low}, {high}]") -> str:
        """The clipped interval, or "—"."""
        if row.interval is None:
            return DASH
        return template.format(low=self.number(row.interval[0]), high=self.number(row.interval[1]))

    def reason(self, reason: str) -> str:
        """A REASON_* sentence in a few words (the sentence itself if it has none)."""
        return self.labels.get(reason, reason)

    def band(self, row: Reading, bands: Mapping[str, str] | None = None) -> str:
        """The Landis & Koch band (through `bands` to translate it), or "undefined: <why>"."""
        stats = row.stats
        if stats.band:
            return (bands or {}).get(stats.band, stats.band)
        return self.labels["undefined"].format(reason=self.reason(stats.reason or REASON_NO_VARIATION))

    def notes(self, row: Reading) -> str:
        """The row's flags in words, separated by semicolons; "" when there are none."""
        texts = []
        for flag in row.flags:
            fields = {"pabak": self.number(row.stats.pabak), "ac1": self.number(row.stats.ac1)}
            texts.append(self.labels[flag].format(**fields))
        return "; ".join(texts)

    def alpha(self, stats: Statistics) -> str:
        """Krippendorff's alpha, or "— (why not)"."""
        if stats.alpha is not None or stats.alpha_reason is None:
            return self.number(stats.alpha)
        return self.labels["alpha_missing"].format(reason=self.reason(stats.alpha_reason))

    def beside(self, report: Report, level: str) -> str:
        """The overall figures that stand beside kappa, and the mean of per-code kappas."""
        overall = report.overall
        line = self.labels["beside"].format(pabak=self.number(overall.pabak), ac1=self.number(overall.ac1),
                                            alpha=self.alpha(overall))
        mean = self.labels["mean"].format(level=level, mean=self.number(report.mean_kappa))
        return f"{mean} · {line}"

    def caution(self, units: int) -> str | None:
        """The caution for a pair compared on few units, or None."""
        return self.labels["caution"].format(units=units, least=CAUTION_UNITS) if needs_caution(units) else None
