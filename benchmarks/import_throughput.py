"""Import throughput: coder's segmentation and whole import next to the raw spaCy pipeline.

For each corpus size (default 10,000, 100,000 and 1,000,000 words) a corpus is generated
from the shipped sample interviews (their turns reshuffled into new interviews), written
as `.txt` files, and then timed, the rows taking turns in each of `--rounds` rounds (so a
machine that gets busier or quieter during the run weighs on all rows alike; the table
shows each row's best round):

- raw spaCy:     `spacy.blank("nl")` with the standard sentencizer and nothing else, run
                 with `nlp.pipe` over every turn's text in one process (spaCy's default):
                 the reference for the target;
- coder segment: `segment_texts` over the same texts in one process: coder's pipeline
                 with its Dutch rules, and reading the spans off every Doc;
- coder import:  `import_transcripts` on a fresh SQLite study: reading, decoding, parsing,
                 segmenting (on every core) and writing every row in one transaction.

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
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coder.ingest.importer import import_transcripts  # noqa: E402
from coder.ingest.segmentation import pipeline, segment_texts  # noqa: E402
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


def time_raw(nlp: Language, texts: list[str]) -> float:
    """Seconds for the bare pipeline over the turn texts."""
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return time.perf_counter() - start


def time_segment(texts: list[str]) -> float:
    """Seconds for coder's segmentation of the same texts in one process."""
    start = time.perf_counter()
    for _ in segment_texts(texts, processes=1):
        pass
    return time.perf_counter() - start


def time_import(directory: Path, target: str) -> float:
    """Seconds for a full import into a fresh study at `target`."""
    study = open_study(target)
    try:
        start = time.perf_counter()
        import_transcripts(study, [directory], "benchmark")
        return time.perf_counter() - start
    finally:
        study.close()


def measure(words_wanted: int, rounds: int, pg: str | None) -> tuple[int, int, dict[str, float]]:
    """Files, words and each row's best seconds over `rounds` interleaved rounds."""
    nlp = raw_pipeline()
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        files = generate_corpus(corpus, words_wanted)
        texts, words = turn_texts(corpus)
        for round_ in range(rounds):
            timings = {
                "raw spaCy pipeline": time_raw(nlp, texts),
                "coder segment, 1 process": time_segment(texts),
                "coder import, SQLite": time_import(corpus, str(Path(tmp) / f"bench-{round_}.db")),
            }
            if pg:  # the database must be emptied between rounds, so PostgreSQL runs once
                if round_ == 0:
                    timings["coder import, PostgreSQL"] = time_import(corpus, pg)
            for name, seconds in timings.items():
                best[name] = min(seconds, best.get(name, seconds))
    return files, words, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="corpus sizes in words")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; each row shows its best")
    parser.add_argument("--pg", metavar="URL", help="also import into this (empty) PostgreSQL database, once")
    args = parser.parse_args()
    pipeline()  # build coder's pipeline once, outside every timing
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"best of {args.rounds} interleaved rounds per row")
    for size in args.sizes:
        files, words, best = measure(size, args.rounds, args.pg)
        raw_rate = words / best["raw spaCy pipeline"]
        print()
        print(f"corpus: {files} interviews, {words:,} words")
        print(f"{'run':<26} {'seconds':>8} {'words/s':>10} {'vs raw':>7}")
        for name, seconds in best.items():
            rate = words / seconds
            print(f"{name:<26} {seconds:>8.2f} {rate:>10,.0f} {rate / raw_rate:>7.2f}")
    print()
    print("target: coder import at least 0.80x the raw pipeline")


if __name__ == "__main__":
    main()
