"""A study file the user may only read opens read-only; nobody's file has its mode changed (DESIGN §3).

Limitation: these tests run as root, and root may write any file whatever its
mode, so `os.access` would say yes to everything. The decision is therefore
tested through the seam `database._writable`, which the tests replace; what the
seam feeds (a `mode=ro` connection, the refusals) is real. Where the tests may
drop to an unprivileged user (root can `setuid`), a forked child checks the same
against real permissions.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select

from coder.coding.queries import study_status
from coder.errors import StudyError
from coder.storage import database
from coder.storage.database import open_study
from coder.storage.migrations import SCHEMA_VERSION
from coder.storage.models import Coder
from coder.storage.settings import set_uncodable_roles
from tests.old_studies import STUDY_V1
from tests.test_cli import run

NOBODY = 65534


def forbid_writing(monkeypatch, *forbidden: Path) -> None:
    """Make `forbidden` (files or directories) unwritable for coder, as they would be for another user."""
    real = database._writable
    monkeypatch.setattr(database, "_writable", lambda path: Path(path) not in forbidden and real(path))


@pytest.fixture(params=["plain", "odd name"])
def made(request, tmp_path) -> Path:
    """A study with one coder in it, closed again; its path may hold what a file URI must escape."""
    path = tmp_path / ("study.db" if request.param == "plain" else "my study #1 (50%).db")
    study = open_study(str(path))
    with study.session() as session:
        session.add(Coder(name="anna"))
    study.close()
    return path


def snapshot(path: Path) -> tuple[bytes, int, list[str]]:
    return path.read_bytes(), stat.S_IMODE(path.stat().st_mode), sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize("unwritable", ["file", "directory"])
def test_a_study_the_user_may_not_write_opens_read_only(capsys, monkeypatch, made, unwritable):
    forbid_writing(monkeypatch, made if unwritable == "file" else made.parent)
    before = snapshot(made)
    study = open_study(str(made), create=False)
    try:
        assert study.read_only and str(made if unwritable == "file" else made.parent) in study.read_only
        with study.reader() as session:
            assert [c.name for c in session.exec(select(Coder))] == ["anna"]
    finally:
        study.close()
    code, out, err = run(capsys, "--db", str(made), "status")
    assert code == 0 and "read-only for you" in out, err
    code, out, _ = run(capsys, "--db", str(made), "export", "codings")
    assert code == 0 and out.startswith("transcript,")
    assert snapshot(made) == before


def test_a_write_to_a_read_only_study_is_a_clear_error(capsys, monkeypatch, made):
    forbid_writing(monkeypatch, made)
    study = open_study(str(made), create=False)
    try:
        with pytest.raises(StudyError, match=re.escape(f"this study is read-only for you: you may not write {made}")):
            with study.session() as session:
                set_uncodable_roles(session, ["interviewer"], "anna")
    finally:
        study.close()
    code, _, err = run(capsys, "--db", str(made), "roles", "--uncodable", "interviewer")
    assert code == 1 and err.startswith("coder: error: this study is read-only for you") and "Traceback" not in err


def test_a_read_only_study_that_needs_migrating_is_refused_and_left_alone(tmp_path, monkeypatch):
    old = tmp_path / "old.db"
    shutil.copy(STUDY_V1, old)
    forbid_writing(monkeypatch, old)
    before = snapshot(old)
    with pytest.raises(StudyError, match=rf"schema version 1 .* to {SCHEMA_VERSION}, but it is read-only for you"
                                         r".*coder migrate"):
        open_study(str(old), create=False)
    with pytest.raises(StudyError, match="read-only for you"):
        database.migrate_study(str(old))
    assert snapshot(old)[:2] == before[:2]
    assert not [name for name in snapshot(old)[2] if ".bak" in name]  # and no backup was made


def test_init_cannot_create_a_study_in_a_file_it_may_not_write(tmp_path, monkeypatch):
    empty = tmp_path / "empty.db"
    empty.touch(mode=0o644)
    forbid_writing(monkeypatch, empty)
    with pytest.raises(StudyError, match=r"cannot create a study in .*empty.db: it is read-only for you"):
        open_study(str(empty))
    assert empty.stat().st_size == 0


def test_opening_never_changes_the_mode_of_an_existing_file(made):
    """A study shared with a group (0640, 0660) keeps its mode; only a file coder creates is 0600."""
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    for mode in (0o640, 0o660):
        made.chmod(mode)
        study = open_study(str(made), create=False)
        try:
            with study.session() as session:
                session.add(Coder(name=f"mode-{mode:o}"))
        finally:
            study.close()
        assert stat.S_IMODE(made.stat().st_mode) == mode


def as_nobody(action: Callable[[], str]) -> str:
    """Run `action` in a forked child that has dropped to the unprivileged user; its result or error."""
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through the pipe)
        os.close(reading)
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = action()
        except BaseException as exc:  # everything goes back to the parent
            result = f"{type(exc).__name__}: {exc}"
        os.write(writing, result.encode())
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        result = pipe.read().decode()
    os.waitpid(child, 0)
    return result


@pytest.fixture
def shared_directory() -> Path:
    """A directory the unprivileged user can reach (pytest's tmp_path is private to root)."""
    if os.geteuid() != 0:
        pytest.skip("dropping to another user needs root")
    directory = Path(tempfile.mkdtemp(prefix="coder-shared-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


def _status_and_write(path: Path) -> str:
    study = open_study(str(path), create=False)
    try:
        with study.reader() as session:
            counted = study_status(session).codes
        try:
            with study.session() as session:
                session.add(Coder(name="nobody"))
            wrote = "wrote"
        except StudyError as exc:
            wrote = str(exc)
        return f"read_only={study.read_only!r} codes={counted} {wrote}"
    finally:
        study.close()


@pytest.mark.parametrize("live", [False, True], ids=["closed", "in-use-by-its-owner"])
def test_really_read_only_for_another_user(shared_directory, live):
    """Root's study, 0644 in a 0755 directory, opened by nobody: read, not written, not changed.

    Closed, it has no -wal or -shm beside it, and nobody may not create them there;
    in use by its owner it has them (mode 0644 like the file)."""
    path = shared_directory / "study.db"
    open_study(str(path)).close()
    path.chmod(0o644)
    owner = open_study(str(path), create=False)
    try:
        if live:
            with owner.session() as session:
                session.add(Coder(name="owner"))
        else:
            owner.close()
        before = stat.S_IMODE(path.stat().st_mode)
        result = as_nobody(lambda: _status_and_write(path))
    finally:
        owner.close()
    assert result.startswith("read_only='you may not write") and " codes=0 " in result, result
    assert result.endswith("this study is read-only for you: " + result.split("'")[1] + "; nothing was written"), result
    assert stat.S_IMODE(path.stat().st_mode) == before


def test_really_shared_with_everyone_for_another_user(shared_directory):
    """A study others may write (0666 in a 0777 directory) opens for writing, and its mode stays."""
    shared_directory.chmod(0o777)
    path = shared_directory / "study.db"
    open_study(str(path)).close()
    path.chmod(0o666)
    assert as_nobody(lambda: _status_and_write(path)) == "read_only=None codes=0 wrote"
    assert stat.S_IMODE(path.stat().st_mode) == 0o666


def test_really_no_study_where_another_user_may_not_create_one(shared_directory):
    def create() -> str:
        open_study(str(shared_directory / "new.db")).close()
        return "created"

    assert as_nobody(create) == f"StudyError: cannot create a study at {shared_directory / 'new.db'}: Permission denied"
