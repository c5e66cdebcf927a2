"""Coding actions: apply a code to a fragment, remove it, change its memo, undo, redo.

Each function works inside the caller's session, so one user action is one
transaction, and records itself in the audit log. Nothing is overwritten: a
removed coding is soft-deleted (`deleted_at`, `deleted_by`); a changed memo
supersedes the coding with a new row (`superseded_by`).

Every action is stored as the pair (removed coding, added coding). That makes
undo generic: the inverse of (R, A) removes A and restores a copy of R. Undo and
redo stacks are not kept in memory but stored, one `UndoStep` row per action,
undo and redo, linked to the step under it, so they survive a restart, an undo
reads a step or two however long the coder's history is, and "redo" is simply
undoing an undo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import select
from sqlmodel import Session

from coder.errors import StudyError
from coder.storage.audit import read_event, record
from coder.storage.audit_events import (
    REDO,
    UNDO,
    ActionRedone,
    ActionUndone,
    CoderAdded,
    CodingAdded,
    CodingChange,
    CodingRemoved,
    MemoChanged,
)
from coder.storage.database import LockSpace, serialise
from coder.storage.models import (
    AuditEntry,
    Code,
    Coder,
    Coding,
    Participant,
    Segment,
    Transcript,
    Turn,
    UndoStep,
    utcnow,
)
from coder.storage.settings import uncodable_roles
from coder.storage.values import problem
from coder.storage.vocabulary import Pass


@dataclass(frozen=True)
class Action:
    """What one coding action did: the coding it took away and the one it added."""

    entry_id: int
    kind: str
    removed: int | None
    added: int | None
    transcript_id: int


def ensure_coder(session: Session, name: str, added_by: str | None = None) -> Coder:
    """The coder row for `name`, created on first use; `added_by` when someone else brings the
    coder in (an import), so the audit log names who did it."""
    coder = session.execute(select(Coder).where(Coder.name == name)).scalar_one_or_none()
    if coder is None:  # first use: another process may be bringing the same coder in
        serialise(session, LockSpace.CODER, name)
        coder = session.execute(select(Coder).where(Coder.name == name)).scalar_one_or_none()
    if coder is None:
        if found := problem(Coder, "name", name, f"the coder name '{name[:40]}...'"):
            raise StudyError(found)
        coder = Coder(name=name)
        session.add(coder)
        session.flush()
        record(session, added_by or name, CoderAdded(name=name if added_by else None))
    return coder


def _segment(session: Session, transcript_id: int, position: int) -> Segment:
    segment = session.execute(
        select(Segment).where(Segment.transcript_id == transcript_id, Segment.position == position)
    ).scalar_one_or_none()
    if segment is None:
        raise StudyError(f"transcript {transcript_id} has no segment {position}")
    return segment


def _check_codable(session: Session, *segments: Segment) -> None:
    """A fragment may not start or end in a turn whose speaker's role is not coded."""
    blocked = uncodable_roles(session)
    roles = session.execute(
        select(Participant.role).join(Turn, Turn.participant_id == Participant.id)
        .where(Turn.id.in_({s.turn_id for s in segments}))
    ).scalars()
    refused = sorted({role for role in roles if (role or "") in blocked})
    if refused:
        raise StudyError(f"turns of the {', '.join(refused)} are not coded; start and end the fragment elsewhere")


def _code(session: Session, code_id: str) -> Code:
    code = session.execute(
        select(Code).where(Code.code_id == code_id, Code.retired_at.is_(None))
    ).scalar_one_or_none()
    if code is None:
        raise StudyError(f"no code '{code_id}' in the study's codebook")
    return code


def _record_action(session: Session, actor: str, change: CodingChange, transcript_id: int) -> Action:
    """Audit `change` and put it on the actor's stacks, as the step its kind makes it."""
    coder_id = ensure_coder(session, actor).id
    tops = _tops(session, coder_id)
    entry = record(session, actor, change, transcript_id=transcript_id, coding_id=change.added or change.removed)
    session.flush()
    if change.kind == UNDO:  # the undo top moves to the redo stack
        below, other_top = tops.redo, _below(session, tops.undo)
    elif change.kind == REDO:  # the redo top moves back to the undo stack
        below, other_top = tops.undo, _below(session, tops.redo)
    else:  # a new action clears the redo stack, as in any editor
        below, other_top = tops.undo, None
    session.add(UndoStep(entry_id=entry.id, coder_id=coder_id, below=below, other_top=other_top))
    session.flush()
    return Action(entry.id, change.kind, change.removed, change.added, transcript_id)


def _id(coding: Coding | None) -> int | None:
    return coding.id if coding is not None else None


def soft_delete(session: Session, coding: Coding, actor: str, superseded_by: int | None = None) -> None:
    if coding.deleted_at is not None:
        raise StudyError(f"coding {coding.id} was already removed")
    coding.deleted_at = utcnow()
    coding.deleted_by = ensure_coder(session, actor).id
    coding.superseded_by = superseded_by
    session.add(coding)


def _copy(session: Session, coding: Coding, memo: str | None = None) -> Coding:
    """A new live row with the same coder, code, fragment and pass."""
    copy = Coding(
        coder_id=coding.coder_id, code_id=coding.code_id, transcript_id=coding.transcript_id,
        first_segment_id=coding.first_segment_id, last_segment_id=coding.last_segment_id,
        start=coding.start, end=coding.end, memo=coding.memo if memo is None else memo,
        pass_=coding.pass_,
    )
    session.add(copy)
    session.flush()
    return copy


def place_coding(
    session: Session,
    coder: str,
    code_id: str,
    transcript_id: int,
    first: int,
    last: int,
    *,
    pass_: Pass = Pass.PRIMARY,
    memo: str = "",
    span: tuple[int, int] | None = None,
    imported_by: str | None = None,
) -> Coding:
    """Store a coding of `code_id` on segment positions `first..last`, unaudited.

    The building block of `add_coding`, of the review (which audits its decisions
    itself) and of project imports (audited as one import by the person importing,
    `imported_by`; the coding stays its original coder's, off that coder's undo
    stack). `span` keeps an exact character span inside those segments (a selection
    made in another program); imported codings keep whatever turns they are in, as
    the other program allowed them.
    """
    if pass_ not in tuple(Pass):
        raise StudyError(f"pass must be one of {', '.join(Pass)}, not '{pass_}'")
    first, last = min(first, last), max(first, last)
    code = _code(session, code_id)
    start, end = _segment(session, transcript_id, first), _segment(session, transcript_id, last)
    if imported_by is None:
        _check_codable(session, start, end)
    char_start, char_end = span or (start.start, end.end)
    coding = Coding(
        coder_id=ensure_coder(session, coder, added_by=imported_by).id, code_id=code.id, transcript_id=transcript_id,
        first_segment_id=start.id, last_segment_id=end.id, start=char_start, end=char_end,
        memo=memo, pass_=pass_,
    )
    session.add(coding)
    session.flush()
    return coding


def add_coding(
    session: Session, coder: str, code_id: str, transcript_id: int, first: int, last: int, **options: Any,
) -> Coding:
    """Apply code `code_id` to the fragment of segment positions `first..last`: an
    action the coder can undo. `options` are those of `place_coding` (pass_, memo, ...)."""
    serialise(session, LockSpace.CODER, coder)
    coding = place_coding(session, coder, code_id, transcript_id, first, last, **options)
    _record_action(session, coder, CodingAdded(added=coding.id, code=code_id, first=min(first, last),
                                               last=max(first, last), pass_=coding.pass_), transcript_id)
    return coding


def _live(session: Session, coding_id: int) -> Coding:
    coding = session.get(Coding, coding_id)
    if coding is None or coding.deleted_at is not None:
        raise StudyError(f"no live coding {coding_id}")
    return coding


def remove_coding(session: Session, coding_id: int, actor: str) -> Coding:
    """Soft-delete a coding: it stays in the study, marked as removed by `actor`."""
    serialise(session, LockSpace.CODER, actor)
    coding = _live(session, coding_id)
    soft_delete(session, coding, actor)
    _record_action(session, actor, CodingRemoved(removed=coding.id), coding.transcript_id)
    return coding


def set_memo(session: Session, coding_id: int, memo: str, actor: str) -> Coding:
    """Change a coding's memo by superseding it with a copy that carries the new memo."""
    serialise(session, LockSpace.CODER, actor)
    old = _live(session, coding_id)
    new = _copy(session, old, memo=memo)
    soft_delete(session, old, actor, superseded_by=new.id)
    _record_action(session, actor, MemoChanged(removed=old.id, added=new.id), old.transcript_id)
    return new


def toggle_code(
    session: Session, coder: str, code_id: str, transcript_id: int, first: int, last: int,
    *, pass_: Pass = Pass.PRIMARY,
) -> tuple[bool, Coding]:
    """The digit keys: remove the coder's coding of exactly this fragment, else add one.

    Returns (added?, the coding added or removed).
    """
    serialise(session, LockSpace.CODER, coder)
    first, last = min(first, last), max(first, last)
    start, end = _segment(session, transcript_id, first), _segment(session, transcript_id, last)
    existing = session.execute(
        select(Coding).join(Coder, Coder.id == Coding.coder_id)
        .where(Coder.name == coder, Coding.code_id == _code(session, code_id).id,
               Coding.first_segment_id == start.id, Coding.last_segment_id == end.id,
               Coding.pass_ == pass_, Coding.deleted_at.is_(None))
    ).scalars().first()
    if existing is not None:
        return False, remove_coding(session, existing.id, coder)
    return True, add_coding(session, coder, code_id, transcript_id, first, last, pass_=pass_)


# --- undo and redo ---------------------------------------------------------------


@dataclass(frozen=True)
class _Tops:
    """The steps on top of a coder's undo and redo stacks (audit ids; None for an empty stack)."""

    undo: int | None = None
    redo: int | None = None


def _tops(session: Session, coder_id: int | None) -> _Tops:
    """Both tops, from the coder's latest step alone: that step is the top of its own stack
    and knows the other's (`UndoStep.other_top`)."""
    latest = session.execute(
        select(UndoStep.entry_id, UndoStep.other_top, AuditEntry.kind)
        .join(AuditEntry, AuditEntry.id == UndoStep.entry_id)
        .where(UndoStep.coder_id == coder_id).order_by(UndoStep.entry_id.desc()).limit(1)
    ).first()
    if latest is None:
        return _Tops()
    step, other_top, kind = latest
    return _Tops(undo=other_top, redo=step) if kind == UNDO else _Tops(undo=step, redo=other_top)


def _below(session: Session, step: int | None) -> int | None:
    """The step under `step` on its stack."""
    return session.get(UndoStep, step).below if step is not None else None


def _coder_id(session: Session, actor: str) -> int | None:
    return session.execute(select(Coder.id).where(Coder.name == actor)).scalar_one_or_none()


def _action(session: Session, step: int) -> Action:
    """The action a step records, read from its audit row."""
    entry = session.get(AuditEntry, step)
    change = cast(CodingChange, read_event(entry))  # every step is a coding change
    return Action(entry.id, entry.kind, change.removed, change.added, entry.transcript_id)


def _stack(session: Session, top: int | None) -> list[Action]:
    """A whole stack, oldest first, walked down from its top."""
    actions = []
    while top is not None:
        actions.append(_action(session, top))
        top = _below(session, top)
    return actions[::-1]


def history(session: Session, actor: str) -> tuple[list[Action], list[Action]]:
    """The coder's undo and redo stacks (newest last).

    A new action clears the redo stack, as in any editor; an undo moves its action
    to the redo stack; a redo moves the undo back, as an action that can be undone.
    """
    tops = _tops(session, _coder_id(session, actor))
    return _stack(session, tops.undo), _stack(session, tops.redo)


def _current(session: Session, coding_id: int) -> Coding:
    """The live coding that now stands for `coding_id`, following `superseded_by`.

    An action's coding may since have been superseded (a memo change, an undo that
    restored a copy); undoing the action must act on its live successor.
    """
    coding = session.get(Coding, coding_id)
    while coding is not None and coding.deleted_at is not None and coding.superseded_by is not None:
        coding = session.get(Coding, coding.superseded_by)
    if coding is None or coding.deleted_at is not None:
        raise StudyError(f"coding {coding_id} is no longer in the study")
    return coding


def _invert(session: Session, action: Action, actor: str, inverse: type[ActionUndone | ActionRedone]) -> Action:
    """Apply the inverse of `action`: remove what it added, restore a copy of what it removed.

    The restored copy becomes the successor of both rows, so a later undo further
    down the stack finds it through `_current`.
    """
    added = _current(session, action.added) if action.added else None
    removed = session.get(Coding, action.removed) if action.removed else None
    restored = _copy(session, removed) if removed is not None else None
    if added is not None:
        soft_delete(session, added, actor, superseded_by=restored.id if restored else None)
    if removed is not None and removed.superseded_by is None:  # else its chain already leads here
        removed.superseded_by = restored.id
        session.add(removed)
    return _record_action(session, actor, inverse(removed=_id(added), added=_id(restored), of=action.entry_id),
                          action.transcript_id)


def next_step(session: Session, actor: str, redo: bool = False) -> Action | None:
    """The action the coder's next undo (or redo) would take back, without taking it."""
    tops = _tops(session, _coder_id(session, actor))
    top = tops.redo if redo else tops.undo
    return _action(session, top) if top is not None else None


@dataclass(frozen=True)
class ActionSummary:
    """An action as the coder did it: "applied Flexibiliteit" on positions 6–8 of a transcript."""

    verb: str
    code: str
    first: int
    last: int
    transcript_id: int
    title: str


def summarize(session: Session, action: Action) -> ActionSummary:
    """What `action` did, by the code's codebook name, so that an undo can say what it undid."""
    verb = "changed the memo on" if action.added and action.removed else "applied" if action.added else "removed"
    coding = session.get(Coding, action.added or action.removed)
    positions = dict(session.execute(select(Segment.id, Segment.position).where(
        Segment.id.in_((coding.first_segment_id, coding.last_segment_id)))).all())
    title = session.execute(select(Transcript.title).where(Transcript.id == coding.transcript_id)).scalar_one()
    return ActionSummary(verb, session.get(Code, coding.code_id).name, positions[coding.first_segment_id],
                         positions[coding.last_segment_id], coding.transcript_id, title)


def undo(session: Session, actor: str) -> Action | None:
    """Undo the coder's last coding action (or redo); None when there is nothing to undo."""
    serialise(session, LockSpace.CODER, actor)
    action = next_step(session, actor)
    return _invert(session, action, actor, ActionUndone) if action else None


def redo(session: Session, actor: str) -> Action | None:
    """Undo the coder's last undo; None when there is nothing to redo."""
    serialise(session, LockSpace.CODER, actor)
    action = next_step(session, actor, redo=True)
    return _invert(session, action, actor, ActionRedone) if action else None
