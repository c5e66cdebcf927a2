"""`write_file`, the writer behind every `-o`: whole or nothing, and only ever over a regular file."""

from __future__ import annotations

import os
import socket
import stat
import tempfile
import threading
import time
from pathlib import Path

import pytest

from coder.files import STALE_AFTER, write_file
from tests.test_cli import run


def _text(data: str):
    return lambda stream: stream.write(data)


def test_a_new_file_is_private_and_nothing_else_is_left(tmp_path):
    out = tmp_path / "codings.csv"
    write_file(out, _text("a,b\r\n"))
    assert out.read_bytes() == b"a,b\r\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [out]


def test_a_file_that_is_replaced_keeps_its_mode(tmp_path):
    out = tmp_path / "summary.md"
    out.write_text("old")
    out.chmod(0o640)
    write_file(out, _text("new"))
    assert out.read_text() == "new" and stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    out = tmp_path / "codings.csv"
    out.write_text("old")

    def fail(stream) -> None:
        stream.write("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_file(out, fail)
    assert out.read_text() == "old" and list(tmp_path.iterdir()) == [out]


def test_a_symlink_stays_a_link_and_its_target_gets_the_data(tmp_path):
    (tmp_path / "here").mkdir()
    (tmp_path / "there").mkdir()
    target = tmp_path / "there" / "codings.csv"
    target.write_text("old")
    link = tmp_path / "here" / "latest.csv"
    link.symlink_to(Path("..") / "there" / "codings.csv")
    write_file(link, _text("new"))
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "there" / "codings.csv")
    assert target.read_text() == "new"
    assert list((tmp_path / "here").iterdir()) == [link]  # the temporary file was beside the target
    assert list((tmp_path / "there").iterdir()) == [target]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "latest.csv"
    link.symlink_to(tmp_path / "made.csv")
    write_file(link, _text("new"))
    assert link.is_symlink() and (tmp_path / "made.csv").read_text() == "new"


def test_a_fifo_receives_the_data_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_file(fifo, _text("eén regel\n"), bom=True)
    reader.join(timeout=10)
    assert received == ["\ufeffeén regel\n".encode()]
    assert stat.S_ISFIFO(fifo.stat().st_mode) and list(tmp_path.iterdir()) == [fifo]


def test_a_character_device_like_dev_null_stays_a_device(tmp_path):
    """`-o /dev/null` as root: the data go to the device, which stays one. The test makes its
    own null device (root only), so that a regression cannot replace the system's /dev/null."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device needs root")
    write_file(null, lambda stream: stream.write(b"\x00" * 10), binary=True)
    assert stat.S_ISCHR(null.stat().st_mode) and list(tmp_path.iterdir()) == [null]


def test_a_directory_is_refused_clearly(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(IsADirectoryError, match=r"it is a directory; name a file to write: '.*/out'"):
        write_file(tmp_path / "out", _text("x"))
    assert list((tmp_path / "out").iterdir()) == []


def test_the_command_line_refuses_a_directory_in_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "--db", str(tmp_path / "none.db"), "export", "codings", "-o", str(tmp_path))
    assert code == 2 and "is a directory" in err and "Traceback" not in err


def test_a_socket_is_refused_clearly():
    with tempfile.TemporaryDirectory(dir="/tmp") as short:  # a socket path must be short
        path = Path(short) / "s"
        with socket.socket(socket.AF_UNIX) as listening:
            listening.bind(str(path))
            with pytest.raises(OSError, match="not a regular file"):
                write_file(path, _text("x"))
            assert stat.S_ISSOCK(path.stat().st_mode)


def test_a_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"cannot write it: No such file or directory: '.*/nowhere/out.csv'"):
        write_file(tmp_path / "nowhere" / "out.csv", _text("x"))


def test_a_killed_writers_temporary_file_is_removed_on_the_next_write(tmp_path):
    """A writer killed by SIGKILL cannot clean up: the next write to the same target does,
    once the temporary file is old enough that no writer can still be at work on it."""
    out = tmp_path / "codings.csv"
    stale = tmp_path / ".codings.csv.0123456789abcdef.tmp"
    fresh = tmp_path / ".codings.csv.fedcba9876543210.tmp"
    other = tmp_path / ".codings.csv.bak.0123456789abcdef.tmp"  # another target's
    mine_in_name_only = tmp_path / ".codings.csv.notours.tmp"
    for leftover in (stale, fresh, other, mine_in_name_only):
        leftover.write_text("personal data")
    long_ago = time.time() - STALE_AFTER - 60
    for old in (stale, other, mine_in_name_only):
        os.utime(old, (long_ago, long_ago))
    write_file(out, _text("new"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (out, fresh, other, mine_in_name_only))
