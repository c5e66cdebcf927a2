"""Forked worker processes for a big import: its turns segmented on every core.

A worker is forked, so it inherits the built spaCy pipeline without a start-up cost; only the
items (turn texts) and the results (spans) cross between processes, while the importing
process reads the files and stores what comes back. Below `TEXT_PER_WORKER` characters a
second process costs more than it saves, so a small import stays in one process
(`worker_count`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Text per worker process: below it forking costs more than a second process saves. Measured
#: on 2 cores (`benchmarks/import_throughput.py` corpora): see the README's import row.
TEXT_PER_WORKER = 500_000
#: Tasks per worker: a few, so one that ends early takes another and both finish together.
TASKS_PER_WORKER = 4
_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


def worker_count(characters: int, cores: int) -> int:
    """Processes to handle `characters` of text with: one per `TEXT_PER_WORKER`, at least one,
    at most `cores`."""
    return max(1, min(cores, characters // TEXT_PER_WORKER))


def can_fork() -> bool:
    """Forking is safe only while this process runs a single thread (not, say, the TUI)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def groups(sizes: Sequence[int], count: int) -> list[range]:
    """Consecutive runs of items whose sizes add up to about the same, `count` runs at most."""
    share = max(1, sum(sizes) // max(1, count))
    runs, start, filled = [], 0, 0
    for i, size in enumerate(sizes):
        filled += size
        if filled >= share:
            runs.append(range(start, i + 1))
            start, filled = i + 1, 0
    if start < len(sizes):
        runs.append(range(start, len(sizes)))
    return runs


def forked_map(function: Callable[[T], R], items: Iterable[T], processes: int) -> Iterator[R]:
    """`function(item)` for each item, in order, in `processes` forked workers; in this process
    when one is asked for or forking is not safe.

    In workers, every item is taken from `items` (and handed to a worker) before the first
    result is waited for, so the caller's work to make them overlaps the workers'; in this
    process, each item is taken as its result is wanted.
    """
    if processes <= 1 or not can_fork():
        yield from map(function, items)
        return
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))
    try:
        futures = [pool.submit(function, item) for item in items]
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(cancel_futures=True)


def _die_with_parent(parent: int) -> None:
    """Make a worker end with the import that forked it, when that is killed outright (Linux's
    `PR_SET_PDEATHSIG`): else it would go on working for nobody, holding its memory."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # killed before the line above took effect
        os._exit(1)
