"""Unitizing speed: αu and the uα family on 1,000,000 characters x 30 codes x 2 coders.

Each coder marks 20,000 spans that do not overlap (so that the uα family is defined too);
the second coder moves most boundaries of the first by a few characters, drops a few spans
and changes some codes. Seeded, so every run measures the same data.

Target (issue 16): αu in under 1 s.

    uv run python benchmarks/unitizing_speed.py [--characters 1000000] [--codes 30] [--spans 20000]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coder.stats.unitizing import Continuum, alpha_u, from_arrays, u_alpha


def spans(characters: int, codes: int, count: int, seed: int = 16) -> Continuum:
    """Two coders' spans on one document: B is A with boundaries moved, spans dropped, codes changed."""
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(characters, size=2 * count, replace=False))
    start_a, end_a = cuts[0::2], cuts[1::2] + 1
    code_a = rng.integers(0, codes, size=count)
    # B's span k stays between the midpoints of A's gaps around span k, so B's spans never overlap
    middles = (np.append(0, end_a) + np.append(start_a, characters)) // 2
    start_b = np.clip(start_a + rng.integers(-3, 4, size=count), middles[:-1], end_a - 1)
    end_b = np.clip(end_a + rng.integers(-3, 4, size=count), start_b + 1, middles[1:])
    code_b = np.where(rng.random(count) < 0.1, rng.integers(0, codes, size=count), code_a)
    keep = rng.random(count) > 0.05
    start_b, end_b, code_b = start_b[keep], end_b[keep], code_b[keep]
    return from_arrays(
        coders=("A", "B"), codes=tuple(f"code{k}" for k in range(codes)), documents=("interview",),
        bounds=np.array([0, characters]), coder=np.repeat([0, 1], [start_a.size, start_b.size]),
        code=np.concatenate([code_a, code_b]), start=np.concatenate([start_a, start_b]),
        end=np.concatenate([end_a, end_b]),
    )


def median_of(runs: int, fn) -> tuple[float, object]:
    """The median of `runs` timings, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--characters", type=int, default=1_000_000)
    parser.add_argument("--codes", type=int, default=30)
    parser.add_argument("--spans", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = spans(args.characters, args.codes, args.spans)
    alpha_seconds, alpha = median_of(args.runs, lambda: alpha_u(data))
    family_seconds, family = median_of(args.runs, lambda: u_alpha(data))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"spans: {args.characters:,} characters x {args.codes} codes x 2 coders, "
          f"{np.bincount(data.coder).tolist()} spans per coder; median of {args.runs} runs")
    print()
    print(f"{'run':<40} {'seconds':>8}  value")
    print(f"{'alpha_u (per code and overall)':<40} {alpha_seconds:>8.3f}  {alpha.overall:.4f}")
    print(f"{'u_alpha (uα, |uα, cuα)':<40} {family_seconds:>8.3f}  "
          f"{family.u_alpha.value:.4f}, {family.binary_u_alpha.value:.4f}, {family.c_u_alpha.value:.4f}")
    print()
    print("target: alpha_u under 1 s")


if __name__ == "__main__":
    main()
