"""The audit catalogue: every kind of event the audit log records, with its payload.

Taguette declares each command kind once with its fields; coder does the same
here. Each event is a small frozen dataclass whose fields are the JSON `detail`
of its audit row, and whose `kind` is the row's `kind`. Writers build one and
hand it to `audit.record`; readers get it back from `audit.read_event`, so
undo, the log and the summary read a schema instead of guessing keys.

Field names are those the rows have always carried (`pass_`, `of`, ...), so a
study's older audit rows read back through the same classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from coder.storage.vocabulary import DecisionKind


@dataclass(frozen=True)
class Event:
    """An audit event; subclasses name their `KIND` and their payload fields."""

    KIND: ClassVar[str] = ""

    @property
    def kind(self) -> str:
        return self.KIND

    def detail(self) -> dict[str, Any]:
        """The payload as the audit row's JSON object."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- the study and its codebook ----------------------------------------------------


@dataclass(frozen=True)
class CoderAdded(Event):
    """A coder row was created: by the coder's own first action (`name` None, the actor is the
    coder), or by someone importing that coder's work from another program (`name` the coder)."""

    KIND = "coder.add"
    name: str | None = None


@dataclass(frozen=True)
class CodebookLoaded(Event):
    KIND = "codebook.load"
    path: str
    title: str
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeUpdated(Event):
    """A codebook load changed a code; `before` holds the columns' earlier values."""

    KIND = "code.update"
    code: str
    before: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UncodableRolesChanged(Event):
    KIND = "study.uncodable_roles"
    before: str
    after: str


@dataclass(frozen=True)
class PseudonymKeyChanged(Event):
    """The study is now pseudonymised with another key: the hashes of the keys, never a key."""

    KIND = "study.pseudonym_key"
    before: str | None
    after: str


@dataclass(frozen=True)
class TranscriptImported(Event):
    KIND = "transcript.import"
    source: str
    title: str
    segments: int
    hash: str


@dataclass(frozen=True)
class TranscriptChanged(Event):
    """Metadata corrected after import; `before` and `after` hold the columns that changed."""

    KIND = "transcript.update"
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TranscriptDeleted(Event):
    """A transcript taken out of the study, softly: its rows and `codings` stay, and return on restore."""

    KIND = "transcript.delete"
    title: str
    codings: int = 0


@dataclass(frozen=True)
class TranscriptRestored(Event):
    KIND = "transcript.restore"
    title: str


@dataclass(frozen=True)
class SpeakerChanged(Event):
    """A speaker renamed or given a role (`before`/`after` hold `label` and `role`), or, with
    `merged_into`, merged with another speaker of the transcript: their `turns` move over."""

    KIND = "speaker.update"
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    merged_into: str | None = None
    turns: int = 0


@dataclass(frozen=True)
class TranscriptPurged(Event):
    """A transcript was purged at a participant's request (`coder purge`): how much went with it.

    Only ids and counts: the purge is there so that no word of the transcript stays,
    its title included. The audit rows about the transcript went with it (`audit_entries`).
    """

    KIND = "transcript.purge"
    transcript: int
    segments: int
    codings: int
    memos: int
    assignments: int
    decisions: int
    audit_entries: int


@dataclass(frozen=True)
class ProjectImported(Event):
    KIND = "project.import"
    path: str
    sources: int
    codings: int
    offset_unit: str
    warnings: tuple[str, ...] = ()
    #: Codings that could not be placed (outside their source's text); 0 in rows written before it was recorded.
    not_placed: int = 0


# --- coding actions: each stored as the pair (removed coding, added coding) -------------


@dataclass(frozen=True)
class CodingChange(Event):
    """What one coding action did: the coding it took away and the one it added.

    That pair is all undo needs: the inverse of (removed, added) removes `added`
    and restores a copy of `removed`.
    """

    removed: int | None = None
    added: int | None = None


@dataclass(frozen=True)
class CodingAdded(CodingChange):
    KIND = "coding.add"
    code: str | None = None
    first: int | None = None
    last: int | None = None
    pass_: str | None = None


@dataclass(frozen=True)
class CodingRemoved(CodingChange):
    KIND = "coding.remove"


@dataclass(frozen=True)
class MemoChanged(CodingChange):
    KIND = "coding.memo"


@dataclass(frozen=True)
class ActionUndone(CodingChange):
    """An undo; `of` is the audit id of the action it undid."""

    KIND = "coding.undo"
    of: int | None = None


@dataclass(frozen=True)
class ActionRedone(CodingChange):
    """A redo: the undo `of` undone again."""

    KIND = "coding.redo"
    of: int | None = None


#: The two kinds that move actions between a coder's undo and redo stacks.
UNDO, REDO = ActionUndone.KIND, ActionRedone.KIND


# --- the blind pass and the review ----------------------------------------------------


@dataclass(frozen=True)
class FragmentsAssigned(Event):
    """`assign` handed fragments on; the draw itself is a `BlindSample` row (`sample`)."""

    KIND = "assignment.add"
    from_coder: str
    to_coder: str
    added: int
    sample: int | None = None
    fraction: float | None = None
    seed: int | None = None
    stratify: str | None = None
    chosen: bool = False
    assigned: int | None = None


@dataclass(frozen=True)
class BlindFinished(Event):
    KIND = "blind.finish"
    assignment: int
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoCodeApplies(Event):
    """The note is kept on the assignment too (`no_code_note`), where readers take it from."""

    KIND = "blind.no_code"
    assignment: int
    note: str = ""


@dataclass(frozen=True)
class CodesRevealed(Event):
    KIND = "blind.reveal"
    assignment: int
    codes_so_far: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewDecided(Event):
    """A review decision; its kind is `review.<decision kind>`. The `Decision` row holds the facts."""

    FAMILY: ClassVar[str] = "review"
    decision_kind: str
    decision: int
    assignment: int | None
    codes: tuple[str, ...]
    note: str
    first: int
    last: int
    added: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()

    @property
    def kind(self) -> str:
        return f"{self.FAMILY}.{self.decision_kind}"

    def detail(self) -> dict[str, Any]:
        detail = super().detail()
        del detail["decision_kind"]  # it is in the row's kind
        return detail


#: Every event kind, in one list: the catalogue readers decode audit rows with.
EVENTS: dict[str, type[Event]] = {
    cls.KIND: cls
    for cls in (CoderAdded, CodebookLoaded, CodeUpdated, UncodableRolesChanged, PseudonymKeyChanged,
                TranscriptImported, TranscriptChanged, TranscriptDeleted, TranscriptRestored, TranscriptPurged,
                SpeakerChanged, ProjectImported, CodingAdded, CodingRemoved, MemoChanged, ActionUndone,
                ActionRedone, FragmentsAssigned, BlindFinished, NoCodeApplies, CodesRevealed)
}
KINDS: tuple[str, ...] = (*EVENTS, *(f"{ReviewDecided.FAMILY}.{kind}" for kind in DecisionKind))


def decode_event(kind: str, detail: dict[str, Any]) -> Event:
    """The event of an audit row, from its kind and JSON detail.

    Keys a payload does not declare are ignored, so a row written by a later
    coder with more detail still reads.
    """
    if kind.startswith(f"{ReviewDecided.FAMILY}."):
        cls: type[Event] = ReviewDecided
        detail = {**detail, "decision_kind": kind.split(".", 1)[1]}
    elif kind in EVENTS:
        cls = EVENTS[kind]
    else:
        raise ValueError(f"unknown audit event kind '{kind}'")
    known = {f.name for f in fields(cls)}
    values = {key: tuple(value) if isinstance(value, list) else value
              for key, value in detail.items() if key in known}
    return cls(**values)
