"""Agreement on a study, segments mode with its bootstrap interval, at 1,000 and 100,000 segments.

What `coder agreement --mode segments` does after opening the study: read both coders'
codings, build the ratings (every non-interviewer segment a unit) and compute the report,
pooled kappa's seeded bootstrap interval included. The two studies are generated straight
into SQLite (no spaCy: segments are rows here, not sentences), and the sides are timed
interleaved, best of three each.

Target (issue 18): under 1 s at 100,000 segments.

    uv run python benchmarks/agreement_study.py [--large 100000]
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

from sqlalchemy import insert, select  # noqa: E402

from coder.codebook.codebook_file import read_codebook  # noqa: E402
from coder.codebook.study_codebook import apply_codebook  # noqa: E402
from coder.coding.actions import ensure_coder  # noqa: E402
from coder.stats.agreement import agreement  # noqa: E402
from coder.stats.units import study_ratings  # noqa: E402
from coder.storage.database import open_study  # noqa: E402
from coder.storage.models import Assignment, Code, Coding, Participant, Segment, Transcript, Turn, utcnow  # noqa: E402

SEGMENTS_PER_TRANSCRIPT = 1_000
THEMES = ("interdependence", "new-activities", "flexibility", "reflection")


#: Characters per generated segment: "Zin 000042. " and so on, a sentence each.
WIDTH = 12
PER_TURN = 5


def add_transcript(conn, session, number: int, segments: int) -> tuple[int, list[int]]:
    """Insert transcript `T{number}` of `segments` sentences, an interviewer and a teacher taking
    turns of `PER_TURN` segments (the interviewer first); its id and its segment ids in order."""
    text = "".join(f"Zin {p:06d}. " for p in range(segments))
    tid = conn.execute(insert(Transcript.__table__).returning(Transcript.__table__.c.id), {
        "title": f"T{number}", "source_name": f"t{number}.txt", "content_hash": f"{number:064d}",
        "text": text, "word_count": 2 * segments, "imported_by": "bench"}).scalar_one()
    speakers = [conn.execute(insert(Participant.__table__).returning(Participant.__table__.c.id),
                             {"transcript_id": tid, "label": label, "role": role}).scalar_one()
                for label, role in (("I", "interviewer"), ("L", "teacher"))]
    turns = -(-segments // PER_TURN)
    conn.execute(insert(Turn.__table__), [
        {"transcript_id": tid, "participant_id": speakers[t % 2], "position": t,
         "start": t * PER_TURN * WIDTH, "end": min((t + 1) * PER_TURN, segments) * WIDTH} for t in range(turns)])
    turn_ids = list(session.execute(select(Turn.id).where(Turn.transcript_id == tid).order_by(Turn.position)).scalars())
    conn.execute(insert(Segment.__table__), [
        {"transcript_id": tid, "turn_id": turn_ids[p // PER_TURN], "position": p, "start": p * WIDTH,
         "end": p * WIDTH + WIDTH - 1} for p in range(segments)])
    ids = list(session.execute(select(Segment.id).where(Segment.transcript_id == tid).order_by(Segment.position)).scalars())
    return tid, ids


def build(path: Path, segments: int, seed: int = 5, blind: bool = False) -> str:
    """A study of `segments` segments in transcripts of 1,000, a turn each 5 segments, with
    one coder coding a fifth of them in runs and the other agreeing on most; `blind`: the
    second coder's codes are a finished blind pass on fragments assigned to them."""
    study = open_study(str(path))
    rng = random.Random(seed)
    with study.session() as session:
        apply_codebook(session, read_codebook(REPO / "codebooks" / "interprofessional-collaboration.yaml"), "bench")
        coders = [ensure_coder(session, name).id for name in ("anna", "bram")]
        codes = {c.code_id: c.id for c in session.execute(select(Code)).scalars()}
        conn = session.connection()
        for number in range(segments // SEGMENTS_PER_TRANSCRIPT):
            tid, ids = add_transcript(conn, session, number, SEGMENTS_PER_TRANSCRIPT)
            rows, handed = [], []
            for first in range(5, SEGMENTS_PER_TRANSCRIPT - 3, 10):  # teacher turns: 5-9, 15-19, ...
                if rng.random() > 0.4:
                    continue
                last, theme = first + rng.randrange(3), rng.choice(THEMES)
                for coder in coders:
                    code = theme if coder == coders[0] or rng.random() < 0.8 else rng.choice(THEMES)
                    second_pass = "blind" if blind and coder == coders[1] else "primary"
                    rows.append({"coder_id": coder, "code_id": codes[code], "transcript_id": tid,
                                 "first_segment_id": ids[first], "last_segment_id": ids[last],
                                 "start": first * WIDTH, "end": last * WIDTH + WIDTH - 1, "memo": "",
                                 "pass": second_pass})
                handed.append({"from_coder_id": coders[0], "to_coder_id": coders[1], "transcript_id": tid,
                               "first_segment_id": ids[first], "last_segment_id": ids[last], "created_by": "bench",
                               "done_at": utcnow(), "no_code_note": ""})
            conn.execute(insert(Coding.__table__), rows)
            if blind:
                conn.execute(insert(Assignment.__table__), handed)
    study.close()
    return str(path)


def timed(target: str) -> tuple[float, float]:
    """Seconds to build the ratings, and to compute the report from them."""
    study = open_study(target, create=False)
    with study.reader() as session:
        start = time.perf_counter()
        ratings = study_ratings(session, mode="segments", level="theme", coders=("anna", "bram"))
        built = time.perf_counter()
        report = agreement(ratings, "theme")
        done = time.perf_counter()
    study.close()
    assert report.overall.ci95 is not None
    return built - start, done - built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        targets = {size: build(Path(directory) / f"s{size}.db", size) for size in (args.small, args.large)}
        best = {size: (float("inf"), float("inf")) for size in targets}
        for _ in range(3):
            for size, target in targets.items():
                ratings, report = timed(target)
                best[size] = (min(best[size][0], ratings), min(best[size][1], report))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'segments':>10} {'ratings s':>10} {'report s':>10} {'total s':>10}")
    for size, (ratings, report) in best.items():
        print(f"{size:>10,} {ratings:>10.3f} {report:>10.3f} {ratings + report:>10.3f}")
    small, large = (sum(best[s]) for s in targets)
    print(f"large/small: {large / small:.1f}×; target: total under 1 s at {args.large:,} segments")


if __name__ == "__main__":
    main()
