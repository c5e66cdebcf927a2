"""Transcripts export (DESIGN §5, contract): the study's transcripts as JSON, or as coder's own text.

JSON is for programs: a list of transcripts with their metadata, participants and turns,
each turn with its speaker, role, start time (`HH:MM:SS` or null) and text. The text form
is coder's own transcript format (front matter, then `[HH:MM:SS] LABEL: text` a turn), so a
transcript corrected in coder (speakers renamed, roles set) can be imported again, into
this study or another, and gives the same turns.

Speakers are named by their participant label as it is now, after any rename; a deleted
transcript is not exported.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import IO

import yaml
from sqlalchemy import select
from sqlmodel import Session

from coder.ingest.formats.labels import looks_like_label
from coder.ingest.formats.timecode import clock
from coder.storage.lookup import find_transcript
from coder.storage.models import Participant, Transcript, Turn

FORMATS = ("json", "txt")


@dataclass(frozen=True)
class TurnOut:
    speaker: str
    role: str | None
    start: str | None
    text: str


@dataclass(frozen=True)
class ParticipantOut:
    label: str
    role: str | None


@dataclass(frozen=True)
class TranscriptOut:
    """One transcript as the contract lays it out; `asdict` gives the JSON object."""

    id: int
    title: str
    school: str | None
    school_type: str | None
    date: str | None
    participants: list[ParticipantOut]
    turns: list[TurnOut]


def _record(session: Session, transcript: Transcript) -> TranscriptOut:
    participants = list(session.execute(
        select(Participant).where(Participant.transcript_id == transcript.id).order_by(Participant.id)).scalars())
    by_id = {p.id: p for p in participants}
    turns = session.execute(select(Turn).where(Turn.transcript_id == transcript.id).order_by(Turn.position)).scalars()
    return TranscriptOut(
        id=transcript.id, title=transcript.title, school=transcript.school, school_type=transcript.school_type,
        date=transcript.date,
        participants=[ParticipantOut(p.label, p.role) for p in participants],
        turns=[
            TurnOut(by_id[t.participant_id].label, by_id[t.participant_id].role,
                    clock(t.start_time) if t.start_time is not None else None, transcript.text[t.start : t.end])
            for t in turns
        ],
    )


def transcript_records(session: Session, transcript: str | None = None) -> list[TranscriptOut]:
    """Every transcript of the study in id order, or the one named by id or title."""
    if transcript is not None:
        return [_record(session, find_transcript(session, transcript))]
    return [_record(session, t) for t in session.execute(select(Transcript).order_by(Transcript.id)).scalars()]


def write_json(records: list[TranscriptOut], out: IO) -> None:
    json.dump([asdict(r) for r in records], out, ensure_ascii=False, indent=2)
    out.write("\n")


#: A line that the reader would take for the start of a turn: words and a colon at its start.
_LOOKS_LIKE_A_TURN = re.compile(r"^(?:\[?[\d:.,-]+\]?[ \t]+)?([^\s:][^\n:]*?)[ \t]*:")


def _safe_line(line: str) -> str:
    """A line of speech as coder's format keeps it: indented when it would read as a new
    turn ("Datum: 12 maart" inside a turn), since an indented line never starts one."""
    match = _LOOKS_LIKE_A_TURN.match(line)
    return f"  {line}" if match and looks_like_label(match.group(1)) else line


def as_coder_text(record: TranscriptOut) -> str:
    """One transcript in coder's own format: front matter, then a turn a paragraph."""
    front = {
        key: value for key, value in
        (("title", record.title), ("school", record.school), ("school_type", record.school_type),
         ("date", record.date))
        if value is not None
    }
    front["participants"] = [
        {"label": p.label, **({"role": p.role} if p.role else {})} for p in record.participants
    ]
    lines = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=False).rstrip("\n"), "---", ""]
    for turn in record.turns:
        first, *rest = turn.text.split("\n")
        when = f"[{turn.start}] " if turn.start else ""
        lines.append(f"{when}{turn.speaker}: {first}")
        lines.extend(_safe_line(line) for line in rest)
        lines.append("")
    return "\n".join(lines)


def write_txt(records: list[TranscriptOut], out: IO) -> None:
    """One transcript's text; several only go to a folder, a file each (`file_name`)."""
    if len(records) != 1:
        raise ValueError("the txt form holds one transcript a file")
    out.write(as_coder_text(records[0]))


def file_name(record: TranscriptOut) -> str:
    """A file name for a transcript in a folder of exports: its id and title, safe on any system."""
    title = re.sub(r"[^\w\-]+", "-", record.title, flags=re.UNICODE).strip("-")[:80] or "transcript"
    return f"{record.id:04d}-{title}.txt"


WRITERS = {"json": write_json, "txt": write_txt}
