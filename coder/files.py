"""Writing a file the user asked for: whole or not at all, and never over something that is not a file.

Every export goes through `write_file`, so a command killed half-way, or a
disk that fills up, leaves the old file as it was instead of half a new one.

`-o` names what the user wants written, which is not always a plain file:

- a symbolic link is followed, and its target is replaced (the link stays a link);
- a pipe or a character device (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is
  written to directly, as the shell's `>` would: it cannot be replaced, and a
  temporary file beside `/dev/null` would only litter `/dev`;
- a directory, a socket or a block device is refused with a clear message.

Failures are `OSError`s that name the path the user gave (not a temporary
file): this module sits below `coder.errors` in the layers, and the screens
and the command line already report an `OSError` about a file they wrote.

The temporary file (`.NAME.<random>.tmp`, mode 0600: it holds interview data)
is removed when the write fails; a writer killed outright cannot do that, so
the next write to the same target removes such files once they are older than
`STALE_AFTER`, long after any writer still at work would have touched them.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import IO

#: Seconds after which a temporary file of a target can only be a killed writer's.
STALE_AFTER = 15 * 60


def write_file(path: str | Path, write: Callable[[IO], None], *, bom: bool = False, binary: bool = False) -> None:
    """Write a whole file or nothing: into a temporary file beside it, flushed to disk, then renamed.

    `bom` starts a text file with a UTF-8 byte-order mark, which Excel needs to
    recognise UTF-8 in a CSV file; `binary` hands `write` a byte stream instead.
    The data reach the disk (`fsync`) before the rename, so after a crash the
    name points at either the old file or the whole new one. A file that is
    replaced keeps its permissions; a new one is private (0600). Pipes and
    devices are streamed to (see the module's docstring); anything else that is
    not a regular file is refused (`IsADirectoryError` for a directory). Any
    `OSError` names `path`, never the temporary file.
    """
    target = Path(os.path.realpath(path))
    try:
        try:
            mode = target.stat().st_mode
        except FileNotFoundError:
            mode = None
        if mode is None or stat.S_ISREG(mode):
            _replace(target, mode, write, bom=bom, binary=binary)
        elif stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
            with _stream(os.open(target, os.O_WRONLY), bom=bom, binary=binary) as stream:
                write(stream)
        elif stat.S_ISDIR(mode):
            raise OSError(errno.EISDIR, "it is a directory; name a file to write", str(path))
        else:
            raise OSError(errno.EINVAL, "it is not a regular file, a pipe or a terminal; name a file to write", str(path))
    except OSError as exc:
        if exc.filename == str(path):
            raise
        raise OSError(exc.errno, f"cannot write it: {exc.strerror}", str(path)) from exc


def _replace(target: Path, mode: int | None, write: Callable[[IO], None], *, bom: bool, binary: bool) -> None:
    """Write `target` through a private temporary file beside it, renamed over it once on disk."""
    _remove_stale_temporaries(target)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if mode is not None:
            os.fchmod(descriptor, stat.S_IMODE(mode))
        with _stream(descriptor, bom=bom, binary=binary) as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def _stream(descriptor: int, *, bom: bool, binary: bool) -> IO:
    if binary:
        return os.fdopen(descriptor, "wb")
    return os.fdopen(descriptor, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable: it lives in the directory, not in the file."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_stale_temporaries(target: Path) -> None:
    """Remove this target's temporary files that a killed writer left, if they are ours and old."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{16}}\.tmp")
    before = time.time() - STALE_AFTER
    with os.scandir(target.parent) as entries:
        for entry in entries:
            if not pattern.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            info = entry.stat(follow_symlinks=False)
            if info.st_uid == os.getuid() and info.st_mtime < before:
                with suppress(FileNotFoundError):
                    os.unlink(entry.path)
