"""Writing a file the user asked for: whole or not at all.

Every export goes through `write_file`, so a command killed half-way, or a
disk that fills up, leaves the old file as it was instead of half a new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_file(path: str | Path, write: Callable[[IO], None], *, bom: bool = False, binary: bool = False) -> None:
    """Write a whole file or nothing: into a temporary file beside it, flushed to disk, then renamed.

    `bom` starts a text file with a UTF-8 byte-order mark, which Excel needs to
    recognise UTF-8 in a CSV file; `binary` hands `write` a byte stream instead.
    The data reach the disk (`fsync`) before the rename, so after a crash the
    name points at either the old file or the whole new one.
    """
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if binary:
            stream = os.fdopen(descriptor, "wb")
        else:
            stream = os.fdopen(descriptor, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        with stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
