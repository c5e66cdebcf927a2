"""Nothing the screen showed is lost when the process dies; two coders at once keep all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

from sqlmodel import select

from coder.codebook.codebook_file import read_codebook
from coder.codebook.study_codebook import apply_codebook
from coder.coding.actions import add_coding
from coder.coding.assignments import assign
from coder.coding.blind_pass import DONE, blind_queue
from coder.coding.queries import transcript_codings, transcript_view
from coder.demo.demo_study import build_demo
from coder.ingest.importer import import_transcripts
from coder.storage.database import open_study
from coder.storage.models import AuditEntry
from tests.conftest import REPO, SAMPLE_TRANSCRIPTS, SHIPPED_CODEBOOK


def test_sigkill_mid_session_loses_no_acknowledged_coding(tmp_path):
    target = str(tmp_path / "demo.db")
    build_demo(target).close()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.procs.coding_session", target],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    acknowledged = []
    try:
        deadline = time.monotonic() + 60
        while len(acknowledged) < 12 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            acknowledged.append(int(line.split()[1]))
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert len(acknowledged) == 12, "the coding session did not get going"
    study = open_study(target)
    try:
        with study.session() as session:
            coded = {c.first for c in transcript_codings(session, 1, "anna") if c.code_id == "interdependence"}
    finally:
        study.close()
    assert set(acknowledged) <= coded


def test_a_codes_while_b_codes_blind_in_another_process_and_nothing_is_lost(study, tmp_path):
    """DESIGN §1.4 with two people at once: anna goes on coding another interview
    while bram works through his blind queue; every action of both is kept."""
    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "test")
    import_transcripts(study, [SAMPLE_TRANSCRIPTS / "01-po-basisschool-noord.txt",
                               SAMPLE_TRANSCRIPTS / "02-po-basisschool-oost.txt"], "test")
    with study.session() as session:
        view = transcript_view(session, 1)
        for position in [p for p in range(len(view.segments)) if view.codable(p)][:30]:
            add_coding(session, "anna", "mutual-trust", 1, position, position)
        assign(session, "anna", "bram", "lead")
    count = 40
    helpers = (("core_coder", "anna", "primary", str(count), "2"), ("blind_coder", "bram"))
    processes = [
        subprocess.Popen([sys.executable, "-m", f"tests.procs.{name}", study.target, *args],
                         cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, *args in helpers
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (out, err), expected in zip(processes, outputs, (count, 30), strict=True):
        assert process.returncode == 0, err
        assert out.strip() == f"done {expected}"
    with study.session() as session:
        live = Counter((c.coder, c.pass_, t) for t in (1, 2) for c in transcript_codings(session, t))
        queue = blind_queue(session, "bram")
        finished = session.exec(select(AuditEntry).where(AuditEntry.kind == "blind.finish")).all()
    assert live == {("anna", "primary", 1): 30, ("anna", "primary", 2): count, ("bram", "blind", 1): 30}
    assert [(item.state, item.codes) for item in queue] == [(DONE, ("reflection",))] * 30
    assert len(finished) == 30
