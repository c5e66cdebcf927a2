"""Codings export (DESIGN §5, contract): one row per live coding, as CSV or JSON.

The rows carry what an analysis in pandas, R or SPSS needs without the study:
where the fragment is, who said it, which code and theme, who coded it in which
pass, the memo and the text itself. `transcript_id` (last, an extension of the
contract) tells apart transcripts that share a title.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from coder.codebook.study_codebook import code_themes
from coder.coding.queries import with_speaker
from coder.storage.models import Code, Coder, Coding, Participant, Segment, Transcript

COLUMNS = (
    "transcript", "school", "school_type", "speaker", "role", "first_segment", "last_segment",
    "start", "end", "code_id", "code_name", "theme", "coder", "pass", "memo", "text", "transcript_id",
)
FORMATS = ("csv", "json")


def _speakers(session: Session) -> dict[int, list[tuple[str, str | None]]]:
    """Per transcript, indexed by segment position: (speaker label, role)."""
    rows = session.execute(
        with_speaker(select(Segment.transcript_id, Participant.label, Participant.role))
        .order_by(Segment.transcript_id, Segment.position)
    )
    result: dict[int, list[tuple[str, str | None]]] = {}
    for transcript_id, label, role in rows:
        result.setdefault(transcript_id, []).append((label, role))
    return result


def coding_rows(session: Session, coder: str | None = None, pass_: str | None = None) -> list[dict]:
    """The export's rows, ordered by transcript, position and coder.

    A fragment spoken by more than one participant lists them in order, joined by "+".
    """
    first, last = aliased(Segment), aliased(Segment)
    query = (
        select(Transcript.id, Transcript.title, Transcript.school, Transcript.school_type,
               first.position, last.position, Coding.start, Coding.end, Coding.code_id, Code.code_id,
               Code.name, Coder.name, Coding.pass_, Coding.memo)
        .join(Transcript, Transcript.id == Coding.transcript_id)
        .join(Code, Code.id == Coding.code_id)
        .join(Coder, Coder.id == Coding.coder_id)
        .join(first, first.id == Coding.first_segment_id)
        .join(last, last.id == Coding.last_segment_id)
        .where(Coding.deleted_at.is_(None))
        .order_by(Transcript.id, first.position, last.position, Coder.name, Coding.id)
    )
    if coder:
        query = query.where(Coder.name == coder)
    if pass_:
        query = query.where(Coding.pass_ == pass_)
    themes, speakers = code_themes(session), _speakers(session)
    texts: dict[int, str] = {}
    rows = []
    for (tid, title, school, school_type, first_pos, last_pos, start, end, code_row, code_id,
         code_name, coder_name, pass_name, memo) in session.execute(query):
        if tid not in texts:
            texts[tid] = session.execute(select(Transcript.text).where(Transcript.id == tid)).scalar_one()
        people = list(dict.fromkeys(speakers[tid][first_pos : last_pos + 1]))
        rows.append({
            "transcript": title, "school": school or "", "school_type": school_type or "",
            "speaker": "+".join(label for label, _ in people),
            "role": "+".join(role or "" for _, role in people),
            "first_segment": first_pos, "last_segment": last_pos, "start": start, "end": end,
            "code_id": code_id, "code_name": code_name, "theme": themes[code_row],
            "coder": coder_name, "pass": pass_name, "memo": memo, "text": texts[tid][start:end],
            "transcript_id": tid,
        })
    return rows


def write_csv(rows: list[dict], stream: IO[str]) -> None:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


def write_json(rows: list[dict], stream: IO[str]) -> None:
    json.dump(rows, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


WRITERS: dict[str, Callable[[list[dict], IO[str]], None]] = {"csv": write_csv, "json": write_json}


def write_file(path: str | Path, write: Callable[[IO], None], *, bom: bool = False, binary: bool = False) -> None:
    """Write a whole file or nothing: into a temporary file beside it, then rename.

    `bom` starts a text file with a UTF-8 byte-order mark, which Excel needs to
    recognise UTF-8 in a CSV file; `binary` hands `write` a byte stream instead.
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
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
