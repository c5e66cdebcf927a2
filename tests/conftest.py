"""Shared fixtures: every database test runs on a SQLite file and on a real PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from coder.storage.database import Study, open_study
from tests.pg import create_database, postgres_server

REPO = Path(__file__).resolve().parent.parent
# The same examples on every run: a property test that fails in CI fails again on a laptop.
settings.register_profile("deterministic", derandomize=True)
settings.load_profile("deterministic")
_db_names = itertools.count()


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request, tmp_path: Path) -> str:
    """A fresh, empty study target on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "study.db")
    admin = request.getfixturevalue("pg_admin_url")
    return create_database(admin, f"coder_test_{next(_db_names)}")


@pytest.fixture
def study(db_target: str) -> Iterator[Study]:
    opened = open_study(db_target)
    yield opened
    opened.close()


SHIPPED_CODEBOOK = REPO / "codebooks" / "interprofessional-collaboration.yaml"
SAMPLE_TRANSCRIPTS = REPO / "transcripts"


def write(directory: Path, name: str, content: str | bytes) -> Path:
    """Write a small input file for a test and return its path."""
    path = directory / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


TRANSCRIPT = """\
---
title: Proefinterview
school: School X (pseudoniem)
school_type: po
date: 2023-03-14
participants:
  - {label: I, role: interviewer}
  - {label: L, role: teacher}
  - {label: J, role: youth-care-worker}
---
I: Hoe gaat de samenwerking? Vertel eens.
L: Goed hoor. We geven bijv. samen les... en dat gaat prima.
J: [pauze] Ja. Ik heb haar echt nodig.
"""


@pytest.fixture
def sample(study, tmp_path):
    """A study with the shipped codebook and TRANSCRIPT imported: (study, transcript id).

    TRANSCRIPT's segments: 0-1 interviewer, 2-3 teacher, 4-5 youth-care worker.
    """
    from sqlmodel import select

    from coder.codebook.codebook_file import read_codebook
    from coder.codebook.study_codebook import apply_codebook
    from coder.ingest.importer import import_transcripts
    from coder.storage.models import Transcript

    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "test")
    import_transcripts(study, [write(tmp_path, "sample.txt", TRANSCRIPT)], "test")
    with study.session() as session:
        return study, session.exec(select(Transcript)).one().id


@pytest.fixture
def demo(tmp_path):
    """A fresh, uncoded demo study (SQLite): the shipped codebook and the eight sample interviews."""
    from coder.demo.demo_study import build_demo

    built = build_demo(str(tmp_path / "demo.db"), coded=False)
    yield built
    built.close()


@pytest.fixture
def coded_demo(tmp_path):
    """The demo study as `coder demo` builds it: with the two demo coders' recorded work."""
    from coder.demo.demo_study import build_demo

    built = build_demo(str(tmp_path / "demo.db"))
    yield built
    built.close()


@pytest.fixture
def empty(tmp_path):
    """A new, empty study in a SQLite file."""
    opened = open_study(str(tmp_path / "empty.db"))
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def built_day(tmp_path_factory):
    """The coded demo study, built once, closed so that its file can be copied whole."""
    from coder.demo.demo_study import build_demo

    path = tmp_path_factory.mktemp("day") / "demo.db"
    build_demo(str(path)).close()
    return path


@pytest.fixture
def day(built_day, tmp_path):
    """A fresh copy of the coded demo study (marieke's and sander's recorded work), and lotte
    with a quarter of marieke's fragments to code blind."""
    import shutil

    from coder.coding.assignments import assign

    path = tmp_path / "demo.db"
    shutil.copy(built_day, path)
    opened = open_study(str(path), create=False)
    with opened.session() as session:
        assign(session, "marieke", "lotte", "lead", fraction=0.25, seed=3)
    yield opened
    opened.close()
