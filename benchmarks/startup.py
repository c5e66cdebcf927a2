"""Start-up time of the command line beside the interpreter's own (issue #11: instant start).

Each row is the median wall time of N runs of a fresh process; the rows take turns
(one run of each, N times over), so a machine that gets busier or quieter during the
run weighs on all of them alike.

    uv run python benchmarks/startup.py [N]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time

PYTHON = sys.executable
CODER = shutil.which("coder") or "coder"
COMMANDS = {
    "python -c pass": [PYTHON, "-c", "pass"],
    'python -c "import click"': [PYTHON, "-c", "import click"],
    "coder --version": [CODER, "--version"],
    "coder --help": [CODER, "--help"],
}


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, float]:
    """The median seconds of each command, the commands interleaved run by run."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            times[name].append(wall_time(command))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    medians = measure(runs)
    print(f"| command | median of {runs} runs |")
    print("| --- | ---: |")
    for name, seconds in medians.items():
        print(f"| `{name}` | {seconds * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
