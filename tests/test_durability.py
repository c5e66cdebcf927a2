"""Nothing the screen showed is lost when the process dies; two coders at once keep all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlmodel import select

from coder.codebook import apply_codebook, read_codebook
from coder.db import open_study
from coder.demo import build_demo
from coder.importer import import_transcripts
from coder.models import Coder, Coding
from coder.study import transcript_codings
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


def test_two_coders_in_two_processes_keep_all_their_work(study, tmp_path):
    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "test")
    import_transcripts(study, [SAMPLE_TRANSCRIPTS / "01-po-basisschool-noord.txt"], "test")
    count = 40
    processes = [
        subprocess.Popen([sys.executable, "-m", "tests.procs.core_coder", study.target, coder, pass_, str(count)],
                         cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for coder, pass_ in (("anna", "primary"), ("bram", "blind"))
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err
        assert out.strip() == f"done {count}"
    with study.session() as session:
        for name in ("anna", "bram"):
            coder = session.exec(select(Coder).where(Coder.name == name)).one()
            live = session.exec(select(Coding).where(Coding.coder_id == coder.id,
                                                     Coding.deleted_at.is_(None))).all()
            assert len(live) == count
