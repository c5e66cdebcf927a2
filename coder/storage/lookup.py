"""Finding a transcript the way a user names it: by id, or by its exact title."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from coder.errors import StudyError
from coder.storage.models import Transcript


def find_transcript(session: Session, name: str) -> int:
    """A transcript by id, else by its exact title; a title two transcripts share must be given by id."""
    if name.isdigit() and session.get(Transcript, int(name)) is not None:
        return int(name)
    ids = session.execute(select(Transcript.id).where(Transcript.title == name)).scalars().all()
    if len(ids) > 1:
        raise StudyError(f"{len(ids)} transcripts are titled '{name}'; give the transcript's id instead")
    if not ids:
        raise StudyError(f"no transcript '{name}' (give a title or id, as `coder status` lists them)")
    return ids[0]
