"""A coder in its own process, for the concurrency test: applies one code to many
segments, one transaction each, as fast as it can.

    python -m tests.procs.core_coder STUDY CODER PASS COUNT TRANSCRIPT
"""

from __future__ import annotations

import sys

from coder.coding.actions import add_coding
from coder.coding.queries import transcript_view
from coder.storage.database import open_study


def main(target: str, coder: str, pass_: str, count: int, transcript_id: int) -> None:
    study = open_study(target)
    with study.session() as session:
        view = transcript_view(session, transcript_id)
    positions = [p for p in range(len(view.segments)) if view.codable(p)][:count]
    for position in positions:
        with study.session() as session:
            add_coding(session, coder, "flexibility", transcript_id, position, position, pass_=pass_)
    study.close()
    print(f"done {len(positions)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
