"""The speakers of a study's transcripts, and correcting them after import.

Transcription tools name speakers `SPEAKER_00`, "Spreker 1" or a Teams user id, and a role
decides whether a turn is coded and counted (interviewer turns are not). So a speaker can
be listed, renamed, merged into another speaker of the same transcript, or given a role,
each as one audited transaction. A speaker is a `Participant` row; turns point at it, so
codings (which point at segments) are untouched by any of these.

The stored text keeps the labels as imported: codings hold character offsets into it, and
it is the source as it came in. Every screen, report and export names speakers by their
participant label, so a renamed speaker shows under the new name everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from coder.errors import StudyError
from coder.storage.audit import record
from coder.storage.audit_events import SpeakerChanged
from coder.storage.lookup import find_transcript
from coder.storage.models import Participant, Transcript, Turn

MAX_LABEL, MAX_ROLE = 120, 64


@dataclass(frozen=True)
class SpeakerRow:
    transcript_id: int
    title: str
    label: str
    role: str | None
    turns: int


def speaker_rows(session: Session, transcript: str | None = None) -> list[SpeakerRow]:
    """Every speaker with their turn count, per transcript in id order, or of one transcript."""
    turns = func.count(Turn.id)
    query = (
        select(Transcript.id, Transcript.title, Participant.label, Participant.role, turns)
        .join(Participant, Participant.transcript_id == Transcript.id)
        .outerjoin(Turn, Turn.participant_id == Participant.id)
        .group_by(Transcript.id, Transcript.title, Participant.id, Participant.label, Participant.role)
        .order_by(Transcript.id, Participant.id)
    )
    if transcript is not None:
        query = query.where(Transcript.id == find_transcript(session, transcript).id)
    return [SpeakerRow(*row) for row in session.execute(query)]


def _speakers_named(session: Session, label: str, transcript: str | None) -> list[Participant]:
    """The speakers called `label`, in one transcript or in all; none is an error."""
    query = select(Participant).where(Participant.label == label).order_by(Participant.transcript_id)
    where = "in any transcript"
    if transcript is not None:
        found = find_transcript(session, transcript)
        query, where = query.where(Participant.transcript_id == found.id), f"in transcript {found.id} '{found.title}'"
    speakers = list(session.execute(query).scalars())
    if not speakers:
        raise StudyError(f"no speaker '{label}' {where} (`coder speakers` lists them)")
    return speakers


def _checked_label(label: str) -> str:
    label = label.strip()
    if not label or len(label) > MAX_LABEL or ":" in label or "\n" in label:
        raise StudyError(f"a speaker's name is 1 to {MAX_LABEL} characters on one line, without ':'; not '{label}'")
    return label


def rename_speaker(session: Session, old: str, new: str, actor: str, transcript: str | None = None) -> int:
    """Rename speaker `old` to `new` in one transcript, or in every transcript that has one;
    returns how many transcripts changed. Where `new` already speaks, say to merge instead."""
    new = _checked_label(new)
    speakers = _speakers_named(session, old, transcript)
    for speaker in speakers:
        clash = session.execute(select(Participant.id).where(
            Participant.transcript_id == speaker.transcript_id, Participant.label == new)).scalar()
        if clash is not None:
            raise StudyError(f"transcript {speaker.transcript_id} already has a speaker '{new}': "
                             f"merge the two with `coder speakers merge {old} {new} --transcript {speaker.transcript_id}`")
        speaker.label = new
        session.add(speaker)
        record(session, actor, SpeakerChanged(before={"label": old}, after={"label": new}),
               transcript_id=speaker.transcript_id)
    return len(speakers)


def set_role(session: Session, label: str, role: str, actor: str, transcript: str | None = None) -> int:
    """Give speaker `label` a role (empty for none) in one transcript or in all; returns how many changed."""
    role_value = role.strip().lower() or None
    if role_value is not None and len(role_value) > MAX_ROLE:
        raise StudyError(f"a role is at most {MAX_ROLE} characters")
    changed = 0
    for speaker in _speakers_named(session, label, transcript):
        if speaker.role == role_value:
            continue
        record(session, actor, SpeakerChanged(before={"role": speaker.role}, after={"role": role_value}),
               transcript_id=speaker.transcript_id)
        speaker.role = role_value
        session.add(speaker)
        changed += 1
    return changed


def merge_speakers(session: Session, source: str, into: str, actor: str, transcript: str) -> int:
    """Give every turn of speaker `source` to speaker `into` of the same transcript (one tool
    heard one person as two); `source` then leaves the transcript. Returns the turns moved."""
    found = find_transcript(session, transcript)
    [moving] = _speakers_named(session, source, str(found.id))
    [staying] = _speakers_named(session, into, str(found.id))
    if moving.id == staying.id:
        raise StudyError(f"'{source}' and '{into}' are the same speaker")
    turns = list(session.execute(select(Turn).where(Turn.participant_id == moving.id)).scalars())
    for turn in turns:
        turn.participant_id = staying.id
        session.add(turn)
    session.flush()
    session.delete(moving)
    record(session, actor, SpeakerChanged(before={"label": source, "role": moving.role}, after={"label": into},
                                          merged_into=into, turns=len(turns)), transcript_id=found.id)
    return len(turns)
