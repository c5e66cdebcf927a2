"""Finding a transcript the way a user names it: by id, or by its exact title."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from coder.errors import StudyError
from coder.storage.deletions import INCLUDE_DELETED
from coder.storage.models import Transcript


def find_transcript(session: Session, name: str, *, include_deleted: bool = False) -> Transcript:
    """A transcript by id, else by its exact title; a title two transcripts share must be given by id.

    `include_deleted` finds deleted transcripts too (to restore or purge one).
    """
    options = {INCLUDE_DELETED: include_deleted}
    if name.isdigit():
        found = session.execute(select(Transcript).where(Transcript.id == int(name)).execution_options(**options))
        if (transcript := found.scalar_one_or_none()) is not None:
            return transcript
    query = select(Transcript).where(Transcript.title == name).execution_options(**options)
    matches = session.execute(query).scalars().all()
    if len(matches) > 1:
        raise StudyError(f"{len(matches)} transcripts are titled '{name}'; give the transcript's id instead")
    if not matches:
        raise StudyError(f"no transcript '{name}' (give a title or id, as `coder status` lists them)")
    return matches[0]
