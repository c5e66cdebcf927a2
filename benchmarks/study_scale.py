"""The paths of issue 18 on a whole study, each at 1/100 and at full size, sides interleaved.

The full study has 1,000 interviews of 100 segments (100,000 segments), 10,000 fragments of
the first coder (anna), all handed to the second (bram): 5,000 finished blind and 5,000
pending, and 13,000 past actions on anna's undo stack; the small one is the same at 1/100
(10 interviews, 100 fragments, 130 actions). Both are generated straight into SQLite
(`agreement_study.add_transcript`: segments are rows here, not sentences).

Timed, through the real app (`run_test`, keys sent to its driver, a key's latency up to the
last frame it caused: `tui_latency.Frames`; each app's first press of a kind is not timed: it
compiles the process's first statements) unless said otherwise:

- undo / redo: `u` and `U` in turn on the coding screen, on the transcript of anna's last action;
- a key on the blind screen: a digit toggling a code on bram's first pending fragment;
- the study list: `s` (sort) and a key typed in its filter, up to the list shown filtered
  (the filter applies at each key; it waited 120 ms for the next one before, which was in
  the figure);
- a review decision: `decide` on one of bram's finished fragments (the core, as
  `review_open.py` times it);
- the coding screen's first frame on the full study;
- peak memory (maximum resident set) of a process with the coding screen open on one
  interview of 100,000 segments, read to its end.

Targets (issue 18): every key p95 < 50 ms and large/small ≤ 1.5; first frames < 1 s;
peak memory ≤ 250 MB.

    uv run python benchmarks/study_scale.py [--rounds 3] [--presses 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from agreement_study import PER_TURN, REPO, THEMES, WIDTH, add_transcript  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from tui_latency import Frames, p95  # noqa: E402

from coder.codebook.codebook_file import read_codebook  # noqa: E402
from coder.codebook.study_codebook import apply_codebook  # noqa: E402
from coder.coding.actions import ensure_coder  # noqa: E402
from coder.coding.review import decide  # noqa: E402
from coder.storage.audit_events import CodingAdded, CodingRemoved  # noqa: E402
from coder.storage.database import open_study  # noqa: E402
from coder.storage.models import Assignment, AuditEntry, Code, Coding, UndoStep, utcnow  # noqa: E402
from coder.storage.vocabulary import DecisionKind, Pass  # noqa: E402
from coder.tui.app import WorkbenchApp  # noqa: E402
from coder.tui.pilot import Driver, drive  # noqa: E402
from coder.tui.screens.blind_coding import BlindScreen, QueueRead  # noqa: E402
from coder.tui.screens.coding import CodingScreen, TranscriptCompleted  # noqa: E402
from coder.tui.screens.study import StudyRead  # noqa: E402
from coder.tui.widgets.transcript_pane import TranscriptPane  # noqa: E402

SEGMENTS = 100
FRAGMENTS = 10  # per interview, on the teacher's turns
SIZE = (140, 45)


def build(path: Path, interviews: int, seed: int = 18) -> str:
    """The study described above with `interviews` interviews; its path."""
    study = open_study(str(path))
    rng = random.Random(seed)
    with study.session() as session:
        apply_codebook(session, read_codebook(REPO / "codebooks" / "interprofessional-collaboration.yaml"), "bench")
        anna, bram = (ensure_coder(session, name).id for name in ("anna", "bram"))
        codes = {c.code_id: c.id for c in session.execute(select(Code)).scalars()}
        conn = session.connection()
        history: list[tuple[int, object, int]] = []  # (transcript, event, coding) of anna's past actions
        for number in range(interviews):
            tid, ids = add_transcript(conn, session, number, SEGMENTS)
            fragments = [(5 + 2 * PER_TURN * k, 6 + 2 * PER_TURN * k) for k in range(FRAGMENTS)]
            coding = {"coder_id": anna, "transcript_id": tid, "memo": "", "pass": Pass.PRIMARY}
            rows = [coding | {"code_id": codes[rng.choice(THEMES)], "first_segment_id": ids[first],
                              "last_segment_id": ids[last], "start": first * WIDTH, "end": last * WIDTH + WIDTH - 1}
                    for first, last in fragments]
            extra = [rows[k] | {"code_id": codes["mutual-trust"], "deleted_at": utcnow(), "deleted_by": anna}
                     for k in range(1 + number % 2)]  # coded and taken back again: 1.5 pairs an interview
            made = list(conn.execute(insert(Coding.__table__).returning(Coding.__table__.c.id), rows + extra).scalars())
            history += [(tid, CodingAdded(added=c, code="theme", first=f, last=last, pass_=Pass.PRIMARY), c)
                        for c, (f, last) in zip(made, fragments, strict=False)]
            for c in made[len(rows):]:
                history += [(tid, CodingAdded(added=c, code="mutual-trust", first=5, last=6, pass_=Pass.PRIMARY), c),
                            (tid, CodingRemoved(removed=c), c)]
            handed = [{"from_coder_id": anna, "to_coder_id": bram, "transcript_id": tid, "created_by": "bench",
                       "first_segment_id": ids[first], "last_segment_id": ids[last], "no_code_note": "",
                       "done_at": utcnow() if k % 2 else None} for k, (first, last) in enumerate(fragments)]
            conn.execute(insert(Assignment.__table__), handed)
            conn.execute(insert(Coding.__table__), [
                row | {"coder_id": bram, "pass": Pass.BLIND, "code_id": codes[rng.choice(THEMES)]}
                for k, row in enumerate(rows) if k % 2])
        _past_actions(conn, anna, history)
    study.close()
    return str(path)


def _past_actions(conn, anna: int, history: list[tuple[int, object, int]]) -> None:
    """anna's past actions as the audit log and her undo stack hold them, each on the one before."""
    now = utcnow()
    conn.execute(insert(AuditEntry.__table__), [
        {"at": now, "actor": "anna", "kind": event.kind, "transcript_id": tid, "coding_id": coding,
         "detail": json.dumps(event.detail(), sort_keys=True)} for tid, event, coding in history])
    entries = list(conn.execute(select(AuditEntry.__table__.c.id).where(
        AuditEntry.__table__.c.kind.in_((CodingAdded.KIND, CodingRemoved.KIND))).order_by("id")).scalars())
    conn.execute(insert(UndoStep.__table__), [
        {"entry_id": entry, "coder_id": anna, "below": below, "other_top": None}
        for entry, below in zip(entries, [None, *entries[:-1]], strict=True)])


# --- the paths ----------------------------------------------------------------------------

async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.002)


async def coding_keys(target: str, presses: int) -> dict[str, list[float]]:
    """Undo and redo on the coding screen, on the transcript of anna's last action; and its first frame."""
    study = open_study(target)
    try:
        with study.reader() as session:
            last = session.execute(select(AuditEntry.transcript_id).where(AuditEntry.actor == "anna")
                                   .order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        started = time.perf_counter()
        app = WorkbenchApp(study, "anna", transcript_id=last)
        async with drive(app, size=SIZE):
            frames = Frames(app)
            await _until(lambda: isinstance(app.screen, CodingScreen)
                         and app.screen.query_one(TranscriptPane).view is not None)
            shown = time.perf_counter()
            await _until(lambda: any(t >= shown for t in frames.times))
            first = min(t for t in frames.times if t >= shown) - started
            times = {"undo": [], "redo": []}
            await frames.key(app, "u")  # warm: the first write of a process compiles its statements
            await frames.key(app, "U")
            for _ in range(presses):
                times["undo"].append(await frames.key(app, "u"))
                times["redo"].append(await frames.key(app, "U"))
            return times | {"first frame": [first]}
    finally:
        study.close()


@asynccontextmanager
async def study_screen(target: str, coder: str) -> AsyncIterator[tuple[WorkbenchApp, Driver, Frames]]:
    """The workbench on `target` for `coder`, its study screen read: the app, its driver, its frames."""
    study = open_study(target)
    try:
        app = WorkbenchApp(study, coder)
        async with drive(app, size=SIZE) as pilot:
            await pilot.wait_for(StudyRead)
            yield app, pilot, Frames(app)
    finally:
        study.close()


async def blind_keys(target: str, presses: int) -> dict[str, list[float]]:
    """A digit on bram's first pending fragment, applying and taking back a code in turn."""
    async with study_screen(target, "bram") as (app, pilot, frames):
        await pilot.press("b", until=QueueRead)
        assert isinstance(app.screen, BlindScreen)
        await frames.key(app, "1")  # warm, and back with the first timed press
        return {"blind key": [await frames.key(app, "1") for _ in range(presses)]}


async def study_keys(target: str, presses: int) -> dict[str, list[float]]:
    """`s` on the study list, and a key typed in its filter up to the list shown filtered."""
    async with study_screen(target, "anna") as (app, _, frames):
        await frames.key(app, "s")  # warm
        sorts = [await frames.key(app, "s") for _ in range(presses)]
        await frames.key(app, "slash")
        typed = [await frames.key(app, key) for key in ["T", "1", "backspace", "backspace"] * (presses // 4)]
        return {"sort key": sorts, "filter key": typed}


async def review_decision(target: str, presses: int) -> dict[str, list[float]]:
    """`decide` on bram's finished fragments, one after another (the core, no screen)."""
    study = open_study(target)
    try:
        with study.reader() as session:
            finished = list(session.execute(select(Assignment.id).where(Assignment.done_at.is_not(None))
                                            .order_by(Assignment.id.desc()).limit(presses + 1)).scalars())
        times = []  # the first decision warms
        for assignment in finished:
            start = time.perf_counter()
            with study.session(viewer="bram") as session:
                decide(session, "bram", assignment, DecisionKind.KEEP_A)
            times.append(time.perf_counter() - start)
        return {"review decision": times[1:]}
    finally:
        study.close()


PATHS: tuple[Callable[[str, int], Awaitable[dict[str, list[float]]]], ...] = (
    coding_keys, blind_keys, study_keys, review_decision)


def peak_memory(directory: Path) -> float:
    """MB of maximum resident set of a process showing one interview of 100,000 segments."""
    target = build_long(directory / "long.db")
    child = subprocess.run([sys.executable, __file__, "--memory", target], capture_output=True, text=True, check=True)
    return float(child.stdout.split()[-1])


def build_long(path: Path) -> str:
    study = open_study(str(path))
    with study.session() as session:
        apply_codebook(session, read_codebook(REPO / "codebooks" / "interprofessional-collaboration.yaml"), "bench")
        add_transcript(session.connection(), session, 0, 100_000)
    study.close()
    return str(path)


async def _show_long(target: str) -> None:
    study = open_study(target)
    try:
        app = WorkbenchApp(study, "anna", transcript_id=1)
        async with drive(app, size=SIZE) as pilot:
            await pilot.wait_for(TranscriptCompleted)
            await pilot.pause()
    finally:
        study.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--path", action="append", choices=[path.__name__ for path in PATHS],
                        help="time only this path (again for more); peak memory is then left out")
    parser.add_argument("--memory", help=argparse.SUPPRESS)  # the child process of `peak_memory`
    args = parser.parse_args()
    if args.memory:
        asyncio.run(_show_long(args.memory))
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        print("building studies…", file=sys.stderr)
        targets = {"small": build(directory / "small.db", 10), "large": build(directory / "large.db", 1_000)}
        times: dict[str, dict[str, list[float]]] = {side: {} for side in targets}
        for _ in range(args.rounds):
            for path in (p for p in PATHS if args.path is None or p.__name__ in args.path):
                for side, target in targets.items():  # the sides interleaved, path by path
                    for label, values in asyncio.run(path(target, args.presses)).items():
                        times[side].setdefault(label, []).extend(values)
        memory = peak_memory(directory) if args.path is None else None
    report(times, memory, args)


def report(times: dict[str, dict[str, list[float]]], memory: float | None, args: argparse.Namespace) -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{args.rounds} rounds × {args.presses} presses; key times in ms (first frame in s)")
    print(f"{'path':<18} {'small med/p95':>16} {'large med/p95':>16} {'p95 ratio':>10}")
    for label in times["small"]:
        small, large = times["small"][label], times["large"][label]
        if label == "first frame":
            print(f"{label:<18} {min(small):>15.2f}s {min(large):>15.2f}s {min(large) / min(small):>10.2f}")
            continue
        ms = {side: [t * 1000 for t in values] for side, values in (("small", small), ("large", large))}
        cells = [f"{statistics.median(ms[side]):>7.1f} / {p95(ms[side]):>5.1f}" for side in ("small", "large")]
        print(f"{label:<18} {cells[0]:>16} {cells[1]:>16} {p95(ms['large']) / p95(ms['small']):>10.2f}")
    if memory is not None:
        print(f"peak memory, coding screen on one interview of 100,000 segments: {memory:.0f} MB")
    print("targets: key p95 < 50 ms, large/small ≤ 1.5; first frame < 1 s; peak memory ≤ 250 MB")


if __name__ == "__main__":
    main()
