"""A blind second coder in its own process, for the concurrency test: works through the
fragments assigned to them, one code and one finish per fragment, each its own transaction.

    python -m tests.procs.blind_coder STUDY CODER
"""

from __future__ import annotations

import sys

from coder.coding.blind_pass import blind_queue, finish, toggle_blind_code
from coder.storage.database import open_study


def main(target: str, coder: str) -> None:
    study = open_study(target).as_viewer(coder)
    with study.session() as session:
        queue = [item.assignment_id for item in blind_queue(session, coder) if item.pending]
    for assignment_id in queue:
        with study.session() as session:
            toggle_blind_code(session, coder, assignment_id, "reflection")
        with study.session() as session:
            finish(session, coder, assignment_id)
    study.close()
    print(f"done {len(queue)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
