"""Deleted transcripts leave every list, count and statistic, and keep their rows.

Deleting a transcript (`Transcript.deleted_at`) is soft, like every deletion in coder: the
transcript, its segments and every coding on it stay in the study and its audit trail, so a
mistaken delete can be restored. What reads the study must then not see them. As with
blindness (`visibility`), the rule is added where data is read: a `do_orm_execute` hook
gives every ORM SELECT of a session the criteria that leave out deleted transcripts and
every row that hangs off one, in joins and aliases too.

The hook costs nothing in the common case: it asks once per session whether any transcript
is deleted at all, and adds criteria only when one is. The audit log is left whole (it is
the history, and it records the deletion itself).
"""

from __future__ import annotations

from sqlalchemy import event, exists, select
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlmodel import Session

from coder.storage.models import ON_A_TRANSCRIPT, Transcript

#: An execution option that lets one statement see deleted transcripts too: the importer's
#: duplicate check, the log's titles, restoring a transcript.
INCLUDE_DELETED = "include_deleted"
_ANY_DELETED = "any_transcript_deleted"
_TRANSCRIPT = Transcript.__table__


def _deleted_ids():
    """The ids of deleted transcripts, as a subquery on the plain table (so that this rule
    does not apply to itself)."""
    return select(_TRANSCRIPT.c.id).where(_TRANSCRIPT.c.deleted_at.is_not(None))


def _any_deleted(session: Session) -> bool:
    """Whether the study has a deleted transcript, asked once per session through Core."""
    if _ANY_DELETED not in session.info:
        query = select(exists(_deleted_ids()))
        session.info[_ANY_DELETED] = bool(session.connection().execute(query).scalar())
    return session.info[_ANY_DELETED]


def _leave_out_deleted(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    if state.execution_options.get(INCLUDE_DELETED) or not _any_deleted(state.session):
        return
    criteria = [with_loader_criteria(Transcript, lambda cls: cls.deleted_at.is_(None), include_aliases=True)]
    criteria += [
        with_loader_criteria(model, lambda cls: cls.transcript_id.not_in(_deleted_ids()), include_aliases=True)
        for model in ON_A_TRANSCRIPT
    ]
    state.statement = state.statement.options(*criteria)


def leave_out_deleted(session: Session) -> Session:
    """Make `session` blind to deleted transcripts; returns it for chaining."""
    event.listen(session, "do_orm_execute", _leave_out_deleted)
    return session


def deletions_changed(session: Session) -> None:
    """Forget the session's answer to "is any transcript deleted?" after deleting or restoring one."""
    session.info.pop(_ANY_DELETED, None)
