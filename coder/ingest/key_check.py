"""`coder pseudonymise check`: does any name of a key still stand in a study or its exports?

The import replaces every name of its key (DESIGN §7), but a coder may type a real name in a
memo afterwards, a key may have grown since, and an export may come from before. The check
reads every column a person writes or a file brings (texts, titles, labels, memos, notes,
attributes, the audit log) and, for a SQLite study, every byte of the file, its write-ahead
log and its backups, where deleted rows can linger. Exports are read as text, and archives
(.qdpx, .docx) member by member.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table, select
from sqlmodel import Session

from coder.ingest.pseudonymise import PseudonymKey, context
from coder.storage.database import sidecar
from coder.storage.models import (
    Assignment,
    AuditEntry,
    Coding,
    Decision,
    Participant,
    Transcript,
    TranscriptAttribute,
)

#: The columns that hold what people said or wrote, by table.
COLUMNS: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (Transcript.__table__, ("title", "school", "date", "source_name", "text")),
    (Participant.__table__, ("label",)),
    (Coding.__table__, ("memo",)),
    (Assignment.__table__, ("no_code_note",)),
    (Decision.__table__, ("note",)),
    (TranscriptAttribute.__table__, ("name", "value")),
    (AuditEntry.__table__, ("detail",)),
)


@dataclass(frozen=True)
class Finding:
    """A name of the key found somewhere: where (a table row's column, or a file), and its context."""

    where: str
    name: str
    context: str


def findings(key: PseudonymKey, where: str, text: str) -> Iterator[Finding]:
    return (Finding(where, match.group(), context(text, match, 25)) for match in key.find(text))


def check_study(session: Session, key: PseudonymKey) -> list[Finding]:
    """Every name of `key` in the study's tables (read with Core statements: no viewer's blindness hides a row)."""
    found: list[Finding] = []
    conn = session.connection()
    for table, columns in COLUMNS:
        for row in conn.execute(select(table.c.id, *(table.c[c] for c in columns)).order_by(table.c.id)):
            for column, value in zip(columns, row[1:], strict=True):
                found += findings(key, f"{table.name} {row[0]} {column}", value or "")
    return found


def study_files(path: Path) -> list[Path]:
    """A SQLite study's file, its write-ahead log and the backups beside it, as they exist."""
    return [p for p in (path, sidecar(path, "-wal"), *sorted(path.parent.glob(f"{path.name}.bak-v*"))) if p.exists()]


def check_files(paths: Iterable[str | Path], key: PseudonymKey) -> list[Finding]:
    """Every name of `key` in these files (exports, or a study's bytes), archives member by member."""
    found: list[Finding] = []
    for path in map(Path, paths):
        for where, data in _contents(path):
            found += findings(key, where, data.decode("utf-8", "replace"))
    return found


def _contents(path: Path) -> Iterator[tuple[str, bytes]]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                yield f"{path} ({member})", archive.read(member)
    else:
        yield str(path), path.read_bytes()
