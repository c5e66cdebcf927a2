"""Import throughput: coder's segmentation and whole import next to the raw spaCy pipeline.

For each corpus size (default 10,000, 100,000 and 1,000,000 words) a corpus is generated
from the shipped sample interviews (their turns reshuffled into new interviews), written
as `.txt` files, and then timed, the rows taking turns in each of `--rounds` rounds (so a
machine that gets busier or quieter during the run weighs on all rows alike; the table
shows each row's best round; each run starts with cold pipelines, see `fresh_pipelines`):

- raw spaCy:     `spacy.blank("nl")` with the standard sentencizer and nothing else, run
                 with `nlp.pipe` over every turn's text in one process (spaCy's default):
                 the reference for the target;
- coder segment: `segment_texts` over the same texts in one process: coder's pipeline
                 with its Dutch rules, and reading the spans off every Doc;
- coder import:  `import_transcripts` on a fresh SQLite study: reading, decoding, parsing,
                 segmenting (on every core for a big import: `worker_count`) and writing
                 every row in one transaction. The summary shows the peak resident memory of
                 one more import, untimed, in a forked process.

Target (issues 2 and 12): coder's import at least 0.8x the raw pipeline's words per second.

    uv run python benchmarks/import_throughput.py [--sizes 10000 100000 1000000] [--rounds 3] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coder.ingest import segmentation  # noqa: E402
from coder.ingest.importer import import_transcripts  # noqa: E402
from coder.ingest.segmentation import segment_texts  # noqa: E402
from coder.ingest.transcript_formats import read_transcript  # noqa: E402
from coder.storage.database import open_study  # noqa: E402

if TYPE_CHECKING:
    from spacy.language import Language

HEADER = """---
title: Gegenereerd interview {n}
school: School {n} (pseudoniem)
school_type: {school_type}
participants:
  - {{label: I, role: interviewer}}
  - {{label: L, role: teacher}}
  - {{label: J, role: youth-care-worker}}
---
"""


def generate_corpus(directory: Path, words: int, seed: int = 7) -> int:
    """Write interviews of ~2,000 words each until `words` is reached; return files written."""
    rng = random.Random(seed)
    samples = [read_transcript(p) for p in sorted((REPO / "transcripts").glob("*.txt"))]
    turns = [p.text[t.start : t.end] for p in samples for t in p.turns]
    school_types = ["po", "sbo", "so", "vso", "vo", "mbo"]
    written, n = 0, 0
    while written < words:
        n += 1
        body, count = [], 0
        while count < 2000:
            text = rng.choice(turns)
            body.append(f"{rng.choice('ILJ')}: {text}")
            count += len(text.split())
        path = directory / f"interview-{n:04d}.txt"
        path.write_text(HEADER.format(n=n, school_type=rng.choice(school_types)) + "\n".join(body) + "\n")
        written += count
    return n


def turn_texts(directory: Path) -> tuple[list[str], int]:
    """Every turn's text in the corpus, as the importer feeds them to segmentation, and the words."""
    parsed = [read_transcript(p) for p in sorted(directory.glob("*.txt"))]
    return [p.text[t.start : t.end] for p in parsed for t in p.turns], sum(p.word_count for p in parsed)


def raw_pipeline() -> Language:
    """spaCy's blank Dutch pipeline with the standard sentencizer: the reference."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    return nlp


def fresh_pipelines() -> Language:
    """coder's pipeline built again, its remembered chunks (`PlainSegmenter`) and spaCy's
    tokenizer cache gone, and a new raw pipeline: every round starts cold on both sides, as a
    `coder import` does in a new process. Built outside every timing."""
    segmentation.pipeline.cache_clear()
    segmentation._plain_segmenter.cache_clear()
    segmentation.pipeline()
    return raw_pipeline()


def time_raw(nlp: Language, texts: list[str]) -> float:
    """Seconds for the bare pipeline over the turn texts."""
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return time.perf_counter() - start


def time_segment(texts: list[str]) -> float:
    """Seconds for coder's segmentation of the same texts in one process."""
    start = time.perf_counter()
    for _ in segment_texts(texts):
        pass
    return time.perf_counter() - start


def time_import(directory: Path, target: str) -> float:
    """Seconds for a full import into a fresh study at `target`, in this process, as the raw
    pipeline is timed: a forked child would pay a copy of every memory page it writes to that
    the parent built (the pipeline's), which neither a new `coder import` nor the raw side pays."""
    study = open_study(target)
    try:
        start = time.perf_counter()
        import_transcripts(study, [directory], "benchmark")
        return time.perf_counter() - start
    finally:
        study.close()


def import_peak(directory: Path, target: str) -> int:
    """The peak resident memory in bytes of a full import into a fresh study at `target`
    (its segmenting workers not counted), not timed.

    The import runs in a forked child, so its peak is its own and not the largest of all that
    this benchmark did before.
    """
    pid = os.fork()
    if pid == 0:  # the child: import, and leave without cleaning up the parent's state
        status = 1
        try:
            study = open_study(target)
            import_transcripts(study, [directory], "benchmark")
            study.close()
            status = 0
        finally:
            os._exit(status)
    _, status, usage = os.wait4(pid, 0)
    if status:
        raise RuntimeError(f"the import failed in its process (wait status {status})")
    return usage.ru_maxrss * 1024


@dataclass(frozen=True)
class Result:
    """One corpus size: its files and words, each row's best seconds, the import's peak memory."""

    files: int
    words: int
    best: dict[str, float]
    peak: int

    def rate(self, row: str) -> float:
        return self.words / self.best[row]

    def ratio(self, row: str) -> float:
        return self.rate(row) / self.rate(RAW)


RAW, SEGMENT, IMPORT = "raw spaCy pipeline", "coder segment, 1 process", "coder import, SQLite"


def measure(words_wanted: int, rounds: int, pg: str | None) -> Result:
    """Each row's best seconds over `rounds` interleaved rounds, and the import's peak memory."""
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        files = generate_corpus(corpus, words_wanted)
        texts, words = turn_texts(corpus)
        fresh_pipelines()
        peak = import_peak(corpus, str(Path(tmp) / "peak.db"))
        for round_ in range(rounds):
            fresh_pipelines()
            imported = time_import(corpus, str(Path(tmp) / f"bench-{round_}.db"))
            nlp = fresh_pipelines()
            raw = time_raw(nlp, texts)
            fresh_pipelines()
            timings = {RAW: raw, SEGMENT: time_segment(texts), IMPORT: imported}
            if pg and round_ == 0:  # the database must be emptied between rounds, so PostgreSQL runs once
                fresh_pipelines()
                timings["coder import, PostgreSQL"] = time_import(corpus, pg)
            for name, seconds in timings.items():
                best[name] = min(seconds, best.get(name, seconds))
    return Result(files, words, best, peak)


def print_size(result: Result) -> None:
    print()
    print(f"corpus: {result.files} interviews, {result.words:,} words")
    print(f"{'run':<26} {'seconds':>8} {'words/s':>10} {'vs raw':>7}")
    for name, seconds in result.best.items():
        print(f"{name:<26} {seconds:>8.2f} {result.rate(name):>10,.0f} {result.ratio(name):>7.2f}")


def print_summary(results: list[Result]) -> None:
    """One line per size: what the README's Benchmarks row quotes."""
    print()
    print(f"{'words':>10} {'raw words/s':>12} {'segment':>8} {'import':>7} {'import peak':>12}")
    for result in results:
        print(f"{result.words:>10,} {result.rate(RAW):>12,.0f} {result.ratio(SEGMENT):>7.2f}x "
              f"{result.ratio(IMPORT):>6.2f}x {result.peak / 2**20:>9,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="corpus sizes in words")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; each row shows its best")
    parser.add_argument("--pg", metavar="URL", help="also import into this (empty) PostgreSQL database, once")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"best of {args.rounds} interleaved rounds per row")
    results = [measure(size, args.rounds, args.pg) for size in args.sizes]
    for result in results:
        print_size(result)
    print_summary(results)
    print()
    print("target: coder import at least 0.80x the raw pipeline")


if __name__ == "__main__":
    main()
