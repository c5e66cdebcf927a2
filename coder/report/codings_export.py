"""Codings export (DESIGN §5, contract): one row per live coding, as CSV or JSON.

The rows carry what an analysis in pandas, R or SPSS needs without the study:
where the fragment is, who said it, which code and theme, who coded it in which
pass, the memo and the text itself. Segments are numbered as every screen numbers
them, from 1, so a row goes back in through `coder code`. `transcript_id` (an extension of
the contract) tells apart transcripts that share a title, and `time` (another extension, last)
is where in the recording the fragment's turn starts (`HH:MM:SS`), for files that give times.

In CSV, a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return starts with a single quote `'` as well (OWASP, "CSV Injection"): a
spreadsheet would run it as a formula, and memos, titles and quotes come from
interviews and colleagues, not from us. That holds for a memo "-5" too: it is
text, and the quote keeps it text. Numbers are not touched, and JSON, read by
programs rather than spreadsheets, keeps every value as it is.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import IO

from sqlmodel import Session

from coder.coding.queries import CodingRecord, coding_records, segment_number
from coder.ingest.formats.timecode import clock

COLUMNS = (
    "transcript", "school", "school_type", "speaker", "role", "first_segment", "last_segment",
    "start", "end", "code_id", "code_name", "theme", "coder", "pass", "memo", "text", "transcript_id", "time",
)
FORMATS = ("csv", "json")
#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def coding_rows(session: Session, coder: str | None = None, pass_: str | None = None) -> list[dict]:
    """The export's rows, ordered by transcript, position and coder.

    A fragment spoken by more than one participant lists them in order, joined by "+".
    """
    return [_row(record) for record in coding_records(session, coder, pass_)]


def _row(record: CodingRecord) -> dict:
    return {
        "transcript": record.transcript, "school": record.school or "", "school_type": record.school_type or "",
        "speaker": "+".join(speaker.label for speaker in record.speakers),
        "role": "+".join(speaker.role or "" for speaker in record.speakers),
        "first_segment": segment_number(record.first), "last_segment": segment_number(record.last),
        "start": record.start, "end": record.end,
        "code_id": record.code_id, "code_name": record.code_name, "theme": record.theme, "coder": record.coder,
        "pass": record.pass_, "memo": record.memo, "text": record.text, "transcript_id": record.fragment.transcript_id,
        "time": clock(record.start_time) if record.start_time is not None else "",
    }


def inert(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text that would start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: list[dict], stream: IO[str]) -> None:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: inert(value) for key, value in row.items()} for row in rows)


def write_json(rows: list[dict], stream: IO[str]) -> None:
    json.dump(rows, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


WRITERS: dict[str, Callable[[list[dict], IO[str]], None]] = {"csv": write_csv, "json": write_json}
