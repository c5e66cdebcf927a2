"""Codings in (DESIGN §5, contract): a CSV of fragments and codes, applied as one coder's actions.

For scripts, for codes decided in a spreadsheet, and for tests that act as a coder
without the workbench. The whole file is one transaction: every row is checked
against the study, and one bad row stores nothing and names its line.

Header `transcript,first,last,code` and an optional `memo` column. `transcript` is
a title or an id; `first` and `last` are segment numbers as every screen shows
them (1 is a transcript's first segment); `code` is a code id or its name.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from coder.coding.actions import add_coding
from coder.coding.queries import FIRST, LAST, live_codings, segment_position
from coder.errors import CodingsFileError, StudyError
from coder.ingest.decoding import read_utf8
from coder.storage.lookup import find_transcript
from coder.storage.models import Code, Coder, Coding, Segment
from coder.storage.values import problem

REQUIRED = ("transcript", "first", "last", "code")
OPTIONAL = ("memo",)


@dataclass(frozen=True)
class CodingLine:
    """One row of a codings file, with the file line it came from."""

    line: int
    transcript: str
    first: int
    last: int
    code: str
    memo: str = ""


def parse_codings(text: str, path: str) -> list[CodingLine]:
    """The rows of a codings file; a malformed header or row raises `CodingsFileError` with its line."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in (*REQUIRED, *OPTIONAL)]
    if missing or unknown:
        problem = f"missing column {', '.join(missing)}" if missing else f"unknown column {', '.join(unknown)}"
        raise CodingsFileError(path, f"{problem}; the header is {','.join(REQUIRED)}[,memo]", 1)
    reader.fieldnames = header
    return [_line(row, reader.line_num, path) for row in reader if any((value or "").strip() for value in row.values())]


def _line(row: dict[str, str | None], line: int, path: str) -> CodingLine:
    if None in row:
        raise CodingsFileError(path, "more fields than the header names", line)
    values = {key: (value or "").strip() for key, value in row.items()}
    empty = [name for name in REQUIRED if not values[name]]
    if empty:
        raise CodingsFileError(path, f"no {', '.join(empty)}", line)
    numbers = []
    for name in ("first", "last"):
        if not values[name].isdigit() or int(values[name]) < 1:
            raise CodingsFileError(path, f"'{name}' must be a segment number from 1, not '{values[name]}'", line)
        numbers.append(int(values[name]))
    if numbers[0] > numbers[1]:
        raise CodingsFileError(path, f"'first' ({numbers[0]}) comes after 'last' ({numbers[1]})", line)
    if found := problem(Coding, "memo", values.get("memo"), "the memo"):
        raise CodingsFileError(path, found, line)
    return CodingLine(line, values["transcript"], numbers[0], numbers[1], values["code"], values.get("memo", ""))


def _check_segments(session: Session, transcript_id: int, last: int) -> None:
    count = session.execute(select(func.count(Segment.id)).where(Segment.transcript_id == transcript_id)).scalar_one()
    if last > count:
        raise StudyError(f"transcript {transcript_id} has {count} segments; there is no segment {last}")


def _code_id(session: Session, name: str) -> str:
    """A live code by its id, else by its name (any case)."""
    live = Code.retired_at.is_(None)
    by_id = session.execute(select(Code.code_id).where(live, Code.code_id == name)).scalar()
    if by_id is not None:
        return by_id
    by_name = session.execute(select(Code.code_id).where(live, func.lower(Code.name) == name.lower())).scalars().all()
    if len(by_name) > 1:
        raise StudyError(f"{len(by_name)} codes are named '{name}'; give the code's id instead")
    if not by_name:
        raise StudyError(f"no code '{name}' in the study's codebook")
    return by_name[0]


def _already_coded(session: Session, coder: str, code_id: str, transcript_id: int, first: int, last: int) -> bool:
    return session.execute(
        live_codings(func.count(Coding.id)).join(Code, Code.id == Coding.code_id)
        .where(Coder.name == coder, Code.code_id == code_id, Coding.transcript_id == transcript_id,
               FIRST.position == first, LAST.position == last)
    ).scalar_one() > 0


def apply_codings(session: Session, coder: str, lines: list[CodingLine], path: str) -> int:
    """Apply every row as `coder`'s own primary coding, in the caller's transaction; returns how many.

    A row the study refuses (unknown transcript or code, a segment that does not
    exist or is not coded, a coding the coder already has) raises `CodingsFileError`
    naming its line, and the caller's transaction then stores nothing.
    """
    for row in lines:
        try:
            transcript_id = find_transcript(session, row.transcript).id
            _check_segments(session, transcript_id, row.last)
            code_id = _code_id(session, row.code)
            first, last = segment_position(row.first), segment_position(row.last)
            if _already_coded(session, coder, code_id, transcript_id, first, last):
                raise StudyError(f"{coder} already has '{code_id}' on segments {row.first}–{row.last}")
            add_coding(session, coder, code_id, transcript_id, first, last, memo=row.memo)
        except StudyError as exc:
            raise CodingsFileError(path, str(exc), row.line) from None
    return len(lines)


def read_codings(path: str | Path) -> list[CodingLine]:
    """Read and check a codings file."""
    return parse_codings(read_utf8(path, CodingsFileError, "codings file"), str(path))
