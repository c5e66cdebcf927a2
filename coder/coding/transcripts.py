"""Correcting a transcript after import: its metadata, its deletion and its restoration.

A title mistyped in the front matter or a school type left out should not mean importing
again and losing the codings. Each correction is one transaction with its audit entry,
which holds the values before and after: the audit trail is the history of a transcript's
metadata, as it is of its codings. Deleting is soft (`deletions`): the transcript and its
codings leave every list and statistic, and `restore_transcript` brings them back whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from coder.coding.actions import ensure_coder
from coder.coding.speakers import merge_speakers, rename_speaker, set_role, speaker_rows
from coder.errors import StudyError
from coder.storage.audit import record
from coder.storage.audit_events import TranscriptChanged, TranscriptDeleted, TranscriptRestored
from coder.storage.deletions import INCLUDE_DELETED, deletions_changed
from coder.storage.lookup import find_transcript
from coder.storage.models import Coding, Transcript, utcnow
from coder.storage.vocabulary import SCHOOL_TYPES

#: The metadata a researcher may correct, with the longest value each column holds.
EDITABLE = {"title": 255, "school": 255, "school_type": 8, "date": 32}


@dataclass(frozen=True)
class Correction:
    """What a correction changed: the transcript and the values before and after."""

    transcript_id: int
    before: dict[str, str | None]
    after: dict[str, str | None]


def _checked(column: str, value: str | None) -> str | None:
    """A new value for `column`, trimmed; empty clears an optional column."""
    if column not in EDITABLE:
        raise StudyError(f"'{column}' cannot be changed; the metadata are {', '.join(EDITABLE)}")
    value = (value or "").strip() or None
    if value is None and column == "title":
        raise StudyError("a transcript needs a title")
    if value is not None and len(value) > EDITABLE[column]:
        raise StudyError(f"{column} may be at most {EDITABLE[column]} characters, not {len(value)}")
    if column == "school_type" and value is not None and value not in SCHOOL_TYPES:
        raise StudyError(f"school type '{value}' is not one of {', '.join(SCHOOL_TYPES)}")
    return value


def change_transcript(session: Session, name: str, actor: str, changes: dict[str, str | None]) -> Correction:
    """Set the metadata in `changes` (column → value) of transcript `name`, and audit it.

    Values equal to the stored ones are left out; a correction that changes nothing is refused,
    so that a typo in a column name or title cannot pass for a change.
    """
    transcript = find_transcript(session, name)
    wanted = {column: _checked(column, value) for column, value in changes.items()}
    after = {column: value for column, value in wanted.items() if getattr(transcript, column) != value}
    if not after:
        raise StudyError(f"transcript {transcript.id} '{transcript.title}' already has these values; nothing changed")
    before = {column: getattr(transcript, column) for column in after}
    for column, value in after.items():
        setattr(transcript, column, value)
    session.add(transcript)
    record(session, actor, TranscriptChanged(before=before, after=after), transcript_id=transcript.id)
    return Correction(transcript.id, before, after)


def live_coding_count(session: Session, transcript_id: int) -> int:
    """Codings on the transcript that are not removed, of every coder and pass."""
    query = select(func.count(Coding.id)).where(Coding.transcript_id == transcript_id, Coding.deleted_at.is_(None))
    return session.execute(query).scalar_one()


def delete_transcript(session: Session, name: str, actor: str, *, force: bool = False) -> TranscriptDeleted:
    """Take transcript `name` out of the study, softly; a coded one only with `force`."""
    transcript = find_transcript(session, name)
    codings = live_coding_count(session, transcript.id)
    if codings and not force:
        raise StudyError(
            f"transcript {transcript.id} '{transcript.title}' has {codings} codings; deleting it takes them out "
            "of every statistic and the summary (they can be restored): repeat with --force to delete it"
        )
    transcript.deleted_at, transcript.deleted_by = utcnow(), ensure_coder(session, actor).id
    session.add(transcript)
    session.flush()
    event = TranscriptDeleted(title=transcript.title, codings=codings)
    record(session, actor, event, transcript_id=transcript.id)
    deletions_changed(session)
    return event


def restore_transcript(session: Session, name: str, actor: str) -> Transcript:
    """Bring a deleted transcript back, with every coding it had when it was deleted."""
    transcript = find_transcript(session, name, include_deleted=True)
    if transcript.deleted_at is None:
        raise StudyError(f"transcript {transcript.id} '{transcript.title}' is not deleted")
    transcript.deleted_at, transcript.deleted_by = None, None
    session.add(transcript)
    session.flush()
    record(session, actor, TranscriptRestored(title=transcript.title), transcript_id=transcript.id)
    deletions_changed(session)
    return transcript


def deleted_transcripts(session: Session) -> list[Transcript]:
    """The deleted transcripts, oldest deletion first: what `restore` can bring back."""
    query = (select(Transcript).where(Transcript.deleted_at.is_not(None)).order_by(Transcript.deleted_at)
             .execution_options(**{INCLUDE_DELETED: True}))
    return list(session.execute(query).scalars())


@dataclass(frozen=True)
class SpeakerEdit:
    """One speaker as the study screen's form left it: its name before and after, and its role."""

    label: str
    new_label: str
    role: str


def correct_transcript(session: Session, transcript_id: int, actor: str, metadata: dict[str, str | None],
                       speakers: list[SpeakerEdit]) -> list[str]:
    """Apply the study screen's form in one transaction: the changed metadata, then each
    speaker's role, then its name. A speaker renamed to the name of another speaker of the
    transcript is merged into that one (one tool heard one person as two). Returns what changed,
    in words; every part is audited as the commands audit it.
    """
    name, done = str(transcript_id), []
    if metadata:
        done.append(f"set {', '.join(change_transcript(session, name, actor, metadata).after)}")
    labels = {row.label for row in speaker_rows(session, name)}
    for edit in speakers:
        if set_role(session, edit.label, edit.role, actor, name):  # it skips a role that is already so
            done.append(f"{edit.label} is {edit.role.strip().lower() or 'without a role'}")
    renamed = {edit.label: edit.new_label.strip() for edit in speakers if edit.new_label.strip() != edit.label}
    for old, new in renamed.items():
        if new in labels and new not in renamed:
            merge_speakers(session, old, new, actor, name)
            done.append(f"{old} merged into {new}")
        else:
            rename_speaker(session, old, new, actor, name)
            done.append(f"{old} renamed {new}")
    return done
