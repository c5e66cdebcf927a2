"""Import throughput: coder's whole import next to the bare spaCy pipeline, same text, same run.

A corpus of about 1,000,000 words is generated from the shipped sample interviews
(their turns reshuffled into new interviews), written as `.txt` files, and then:

- raw:   the segmentation pipeline (`coder.ingest.segmentation.pipeline()`) run with `nlp.pipe`
         over every turn's text, as the importer feeds it; once in one process
         (spaCy's default, the reference for the target) and once with spaCy's own
         `n_process` set to the number of cores, for comparison;
- coder: `import_transcripts` on a fresh SQLite study: reading, decoding, parsing,
         segmenting (on every core) and writing every row in one transaction.

Target (issue 2): coder's words per second at least 0.8x the raw pipeline's.

    uv run python benchmarks/import_throughput.py [--words 1000000] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coder.ingest.importer import import_transcripts  # noqa: E402
from coder.ingest.segmentation import pipeline  # noqa: E402
from coder.ingest.transcript_formats import read_transcript  # noqa: E402
from coder.storage.database import open_study  # noqa: E402

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


def time_raw(directory: Path, processes: int = 1) -> tuple[int, float]:
    """Words and seconds for the bare pipeline over the same turn texts."""
    parsed = [read_transcript(p) for p in sorted(directory.glob("*.txt"))]
    texts = [p.text[t.start : t.end] for p in parsed for t in p.turns]
    words = sum(p.word_count for p in parsed)
    nlp = pipeline()
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256, n_process=processes):
        pass
    return words, time.perf_counter() - start


def time_import(directory: Path, target: str) -> tuple[int, float]:
    """Segments and seconds for a full import into a fresh study at `target`."""
    study = open_study(target)
    try:
        start = time.perf_counter()
        report = import_transcripts(study, [directory], "benchmark")
        return report.segments, time.perf_counter() - start
    finally:
        study.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=1_000_000, help="corpus size in words")
    parser.add_argument("--pg", metavar="URL", help="also import into this (empty) PostgreSQL database")
    args = parser.parse_args()
    pipeline()  # build once, outside both timings
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        files = generate_corpus(corpus, args.words)
        words, raw_seconds = time_raw(corpus)
        _, raw_parallel_seconds = time_raw(corpus, processes=os.cpu_count() or 1)
        runs = [("coder import, SQLite", *time_import(corpus, str(Path(tmp) / "bench.db")))]
        if args.pg:
            runs.append(("coder import, PostgreSQL", *time_import(corpus, args.pg)))
    raw_rate = words / raw_seconds
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"corpus: {files} interviews, {words:,} words")
    print()
    print(f"{'run':<26} {'seconds':>8} {'words/s':>10} {'vs raw':>7}")
    print(f"{'raw spaCy pipeline':<26} {raw_seconds:>8.2f} {raw_rate:>10,.0f} {1:>7.2f}")
    parallel_rate = words / raw_parallel_seconds
    label = f"raw, n_process={os.cpu_count()}"
    print(f"{label:<26} {raw_parallel_seconds:>8.2f} {parallel_rate:>10,.0f} {parallel_rate / raw_rate:>7.2f}")
    for name, segments, seconds in runs:
        rate = words / seconds
        print(f"{name:<26} {seconds:>8.2f} {rate:>10,.0f} {rate / raw_rate:>7.2f}   ({segments:,} segments)")
    print()
    print("target: coder import at least 0.80x the raw pipeline")


if __name__ == "__main__":
    main()
