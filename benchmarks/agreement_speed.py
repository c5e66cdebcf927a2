"""Agreement speed: per-code kappa with 95% intervals on 1,000,000 units x 30 codes.

coder's `per_code_kappa` (one counting pass, then the Fleiss–Cohen–Everitt formula on
all codes at once) next to scikit-learn's `cohen_kappa_score` looped over the codes,
on the same ratings, in the same run. scikit-learn gives kappa only, no interval.

Target (issue 4): at least 20x faster than the scikit-learn loop, and under 1 s.

    uv run python benchmarks/agreement_speed.py [--units 1000000] [--codes 30]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import cohen_kappa_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coder.stats.agreement import per_code_kappa


def ratings(units: int, codes: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """Two coders who agree on about 85% of the cells, codes of varying prevalence."""
    rng = np.random.default_rng(seed)
    prevalence = rng.uniform(0.05, 0.5, size=codes)
    a = rng.random((units, codes)) < prevalence
    b = a ^ (rng.random((units, codes)) < 0.15)
    return a, b


def best_of(runs: int, fn) -> tuple[float, object]:
    """The fastest of `runs` timings, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--codes", type=int, default=30)
    args = parser.parse_args()
    a, b = ratings(args.units, args.codes)
    ours_seconds, ours = best_of(3, lambda: per_code_kappa(a, b))
    columns_a, columns_b = np.asfortranarray(a), np.asfortranarray(b)
    sklearn_seconds, theirs = best_of(
        1, lambda: [cohen_kappa_score(columns_a[:, j], columns_b[:, j]) for j in range(args.codes)]
    )
    worst = float(np.max(np.abs(ours["kappa"] - np.array(theirs))))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"ratings: {args.units:,} units x {args.codes} codes, two coders")
    print()
    print(f"{'run':<44} {'seconds':>8} {'speed-up':>9}")
    print(f"{'scikit-learn cohen_kappa_score, loop':<44} {sklearn_seconds:>8.3f} {1:>9.1f}")
    print(f"{'coder per_code_kappa (kappa, SE, 95% CI)':<44} {ours_seconds:>8.3f} "
          f"{sklearn_seconds / ours_seconds:>9.1f}")
    print()
    print(f"largest kappa difference from scikit-learn: {worst:.1e}")
    print("target: at least 20x the scikit-learn loop, and under 1 s")


if __name__ == "__main__":
    main()
