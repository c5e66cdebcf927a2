"""Coding-screen latency: time to first frame and keypress-to-refresh, at 1,000 and
100,000 segments, in the same run.

Two generated studies: one interview of about 1,000 segments, and a study of about
100,000 segments in 100 interviews plus one long interview of 100,000 segments on
its own (the hardest case for a screen that must not draw what is off-screen).
The real app runs headless (`run_test`); a key's latency is the time from the key
event reaching the app's driver to the last frame that key caused (its database
worker included), measured at `App._display`, where a frame leaves the compositor.

Targets (issue 3): first frame under 1 s; p95 under 50 ms; 100k/1k ratio under 1.5.

    uv run python benchmarks/tui_latency.py
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from textual import events  # noqa: E402
from textual.worker import WorkerState  # noqa: E402

from coder.codebook.codebook_file import read_codebook  # noqa: E402
from coder.codebook.study_codebook import apply_codebook  # noqa: E402
from coder.coding.queries import transcript_view  # noqa: E402
from coder.ingest.importer import import_transcripts  # noqa: E402
from coder.ingest.transcript_formats import read_transcript  # noqa: E402
from coder.storage.database import open_study  # noqa: E402
from coder.tui.app import WorkbenchApp  # noqa: E402
from coder.tui.pilot import drive  # noqa: E402
from coder.tui.screens.coding import FIRST_PAGE, CodingScreen, TranscriptCompleted  # noqa: E402
from coder.tui.widgets.transcript_pane import TranscriptPane  # noqa: E402

CODEBOOK = REPO / "codebooks" / "interprofessional-collaboration.yaml"
HEADER = "---\ntitle: {title}\nschool_type: po\nparticipants:\n  - {{label: I, role: interviewer}}\n" \
         "  - {{label: L, role: teacher}}\n  - {{label: J, role: youth-care-worker}}\n---\n"
PRESSES = 60


def sentences() -> list[str]:
    """Real sentences from the sample interviews, to build turns from."""
    from coder.ingest.segmentation import segment_text

    out = []
    for path in sorted((REPO / "transcripts").glob("*.txt")):
        parsed = read_transcript(path)
        for turn in parsed.turns:
            text = parsed.text[turn.start : turn.end]
            out += [text[a:b] for a, b in segment_text(text)]
    return out


def write_interview(path: Path, title: str, segments: int, pool: list[str], rng: random.Random) -> None:
    lines, made = [], 0
    while made < segments:
        count = rng.randint(1, 6)
        lines.append(f"{rng.choice('LJ')}: {' '.join(rng.choice(pool) for _ in range(count))}")
        made += count
    path.write_text(HEADER.format(title=title) + "\n".join(lines) + "\n")


def build(directory: Path, name: str, files: dict[str, int], pool: list[str]) -> tuple[str, int]:
    """A study with the given interviews; returns its path and the id of the largest one."""
    rng = random.Random(name)
    sources = directory / name
    sources.mkdir()
    for title, segments in files.items():
        write_interview(sources / f"{title}.txt", title, segments, pool, rng)
    target = str(directory / f"{name}.db")
    study = open_study(target)
    with study.session() as session:
        apply_codebook(session, read_codebook(CODEBOOK), "bench")
    import_transcripts(study, [sources], "bench")
    with study.session() as session:
        sizes = {tid: len(transcript_view(session, tid).segments) for tid in range(1, len(files) + 1)}
    study.close()
    largest = max(sizes, key=sizes.get)
    return target, largest


def busy(app) -> bool:
    """Whether any worker (a database action) is still pending or running."""
    return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)


class Frames:
    """Records when the app hands a finished frame to its driver (`App._display`).

    Pilot's own `press` and `pause` add tens of milliseconds of waiting that are not
    the app's; so a key is sent straight to the driver, and its latency is the time
    to the last frame it caused.
    """

    def __init__(self, app) -> None:
        self.times: list[float] = []
        original = app._display

        def display(screen, renderable):
            if renderable is not None:
                self.times.append(time.perf_counter())
            return original(screen, renderable)

        app._display = display

    async def key(self, app, key: str, quiet: float = 0.08, timeout: float = 5.0) -> float:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        sent = time.perf_counter()
        app._driver.send_message(event)
        deadline = sent + timeout
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
            after = [t for t in self.times if t > sent]
            if after and not busy(app) and time.perf_counter() - after[-1] > quiet:
                return after[-1] - sent
        raise TimeoutError(f"no frame settled after {key!r}")


async def measure(target: str, transcript_id: int) -> dict[str, object]:
    study = open_study(target)
    try:
        started = time.perf_counter()
        app = WorkbenchApp(study, "bench", transcript_id=transcript_id)
        async with drive(app, size=(140, 45)) as pilot:
            frames = Frames(app)
            while not (isinstance(app.screen, CodingScreen)
                       and app.screen.query_one(TranscriptPane).view is not None):
                await asyncio.sleep(0.001)
            shown = time.perf_counter()
            while not [t for t in frames.times if t >= shown]:
                await asyncio.sleep(0.001)
            first_frame = min(t for t in frames.times if t >= shown) - started  # the transcript on screen
            await pilot.pause()
            pane = app.screen.query_one(TranscriptPane)
            segments = len(pane.view.segments)
            pane.set_cursor(segments // 2)  # somewhere in the middle, on a codable segment
            while not pane.view.codable(pane.cursor):
                pane.set_cursor(pane.cursor + 1)
            if segments == FIRST_PAGE:  # a long interview: its rest is still being read
                await pilot.wait_for(TranscriptCompleted)
            results: dict[str, object] = {"segments": len(pane.view.segments), "first frame": first_frame}
            for label, keys in (("cursor move", ["down", "up"]), ("page down", ["pagedown", "pageup"]),
                                ("apply code", ["1"]), ("undo", ["u"])):
                results[label] = [await frames.key(app, keys[index % len(keys)]) for index in range(PRESSES)]
        return results
    finally:
        study.close()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    pool = sentences()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        print("building studies…", file=sys.stderr)
        small = build(directory, "study-1k", {"interview": 1_000}, pool)
        large = build(directory, "study-100k", {f"interview-{i:03d}": 1_000 for i in range(100)}, pool)
        long_one = build(directory, "study-100k-one", {"long-interview": 100_000}, pool)
        runs = [("1k study, 1k interview", small), ("100k study, 1k interview", large),
                ("100k segments in one interview", long_one)]
        results = [(label, asyncio.run(measure(*study))) for label, study in runs]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{PRESSES} presses per key kind; times in milliseconds (first frame in seconds)")
    print()
    header = f"{'case':<32} {'segments':>8} {'1st frame':>9}"
    kinds = ("cursor move", "page down", "apply code", "undo")
    for kind in kinds:
        header += f" {kind + ' med/p95':>22}"
    print(header)
    for label, result in results:
        row = f"{label:<32} {result['segments']:>8} {result['first frame']:>8.2f}s"
        for kind in kinds:
            times = [t * 1000 for t in result[kind]]
            row += f" {statistics.median(times):>10.1f} / {p95(times):>6.1f}"
        print(row)
    print()
    base = results[0][1]
    for label, result in results[1:]:
        ratios = ", ".join(f"{kind} {p95(result[kind]) / p95(base[kind]):.2f}" for kind in kinds)
        print(f"p95 ratio {label} / 1k: {ratios}")
    print("targets: first frame < 1 s; p95 < 50 ms; 100k/1k ratio < 1.5")


if __name__ == "__main__":
    main()
