"""The review at the scale of a study: its first open (every agreement taken into the
consensus) and one decision, on 10 and on 1,000 interviews of 1,000 segments.

Each study has the first coder's fragments (a fifth of the segments, in runs) all handed
to the second coder and finished blind, the two agreeing on about 80%; generated straight
into SQLite (`agreement_study.build`). Timed: `accept_agreements` on a fresh copy (what
opening the review does), then `decide` on one disagreement.

Targets (issue 18): the review's first open < 1 s; a decision's time independent of size.

    uv run python benchmarks/review_open.py [--large 1000000]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agreement_study import build

from coder.coding.review import accept_agreements, decide, review_items
from coder.storage.database import open_study
from coder.storage.vocabulary import DecisionKind


def timed(source: str, directory: Path, run: int) -> tuple[float, float, int]:
    """Seconds to accept the agreements and to decide one disagreement, and how many were accepted."""
    copy = directory / f"run{run}-{Path(source).name}"
    shutil.copyfile(source, copy)
    study = open_study(str(copy), create=False)
    start = time.perf_counter()
    with study.session(viewer="bram") as session:
        accepted = accept_agreements(session, "bram", "anna", "bram")
    accepted_at = time.perf_counter()
    with study.reader(viewer="bram") as session:
        item = next(i for i in review_items(session, "anna", "bram") if not i.agreed)
    begin = time.perf_counter()
    with study.session(viewer="bram") as session:
        decide(session, "bram", item.assignment_id, DecisionKind.KEEP_A)
    decided = time.perf_counter()
    study.close()
    return accepted_at - start, decided - begin, accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        sources = {size: build(directory / f"s{size}.db", size, blind=True) for size in (args.small, args.large)}
        best: dict[int, list[float]] = {size: [float("inf"), float("inf"), 0] for size in sources}
        for run in range(3):
            for size, source in sources.items():
                accept, one, accepted = timed(source, directory, run)
                best[size] = [min(best[size][0], accept), min(best[size][1], one), accepted]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'segments':>10} {'accepted':>9} {'first open s':>13} {'one decision s':>15}")
    for size, (accept, one, accepted) in best.items():
        print(f"{size:>10,} {accepted:>9,} {accept:>13.3f} {one:>15.3f}")
    print("targets: first open < 1 s; a decision as fast at either size")


if __name__ == "__main__":
    main()
