"""What a study holds: the tables.

Offsets (`start`, `end`) are character offsets into `Transcript.text`, end exclusive,
counted in Unicode code points after import normalisation, so they index exactly
what the screen shows and what REFI-QDA exchanges.

Nothing here is updated in place by a user action: a coding that changes is
soft-deleted (`deleted_at`) and, when replaced, points at its successor
(`superseded_by`); every action also leaves an `AuditEntry`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coder.storage.vocabulary import FragmentRef, Pass


def utcnow() -> datetime:
    """Timestamps are stored in UTC so two coders in one study sort the same."""
    return datetime.now(UTC)


class Meta(SQLModel, table=True):
    """Key/value facts about the study file itself, e.g. its schema version."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)


class Coder(SQLModel, table=True):
    """A researcher who codes; identified by the name given with `--as`."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class Code(SQLModel, table=True):
    """A theme or core element of the codebook.

    `code_id` is the stable id from the codebook file; reloading a codebook
    matches codes by it, so codings survive renames. A code dropped from the file
    while in use is retired (`retired_at`), never deleted.
    """

    id: int | None = Field(default=None, primary_key=True)
    code_id: str = Field(index=True, unique=True, max_length=120)
    parent_id: int | None = Field(default=None, foreign_key="code.id")
    position: int = 0
    name: str = Field(max_length=255)
    name_en: str | None = Field(default=None, max_length=255)
    key: str | None = Field(default=None, max_length=1)
    color: str | None = Field(default=None, max_length=7)
    definition: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    include: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    exclude: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    #: JSON list of example strings.
    examples: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    codable: bool = True
    guid: str = Field(max_length=36)
    retired_at: datetime | None = None


class Transcript(SQLModel, table=True):
    """One interview: its normalised text and metadata (DESIGN §1.2)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=255)
    school: str | None = Field(default=None, max_length=255)
    school_type: str | None = Field(default=None, max_length=8, index=True)
    date: str | None = Field(default=None, max_length=32)
    source_name: str = Field(max_length=255)
    content_hash: str = Field(index=True, unique=True, max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    word_count: int = 0
    imported_at: datetime = Field(default_factory=utcnow)
    imported_by: str | None = Field(default=None, max_length=120)
    #: A deleted transcript keeps its rows (and its codings) but leaves every list and count.
    #: Indexed: every session asks whether any transcript is deleted, and the column sits
    #: after `text`, which a scan would have to read through.
    deleted_at: datetime | None = Field(default=None, index=True)
    deleted_by: int | None = Field(default=None, foreign_key="coder.id")


class TranscriptAttribute(SQLModel, table=True):
    """A named fact about a transcript beyond the fixed metadata columns.

    Holds what other tools attach to a source (REFI-QDA case variables, the sets a
    source belongs to) and what a team adds later. A name may repeat (a source in
    two sets); a changed value is a new row, the old one soft-deleted.
    """

    __tablename__ = "transcript_attribute"

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(foreign_key="transcript.id", index=True)
    name: str = Field(max_length=255)
    value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=120)
    deleted_at: datetime | None = None


class Participant(SQLModel, table=True):
    """A speaker in one transcript: the `LABEL:` of their turns and their role."""

    __table_args__ = (UniqueConstraint("transcript_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(foreign_key="transcript.id", index=True)
    label: str = Field(max_length=120)
    role: str | None = Field(default=None, max_length=64)


class Turn(SQLModel, table=True):
    """A speaker turn: the span of text one participant speaks without interruption."""

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(foreign_key="transcript.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    position: int
    start: int
    end: int
    #: Seconds from the start of the recording, as the transcription tool stamped the
    #: turn's first cue; None for formats without times.
    start_time: float | None = None


class Segment(SQLModel, table=True):
    """A sentence within one turn; the unit a cursor moves over and codings span.

    `position` numbers segments through the whole transcript so a fragment is a
    run `first..last` of positions. The text is not copied here: it is
    `Transcript.text[start:end]`.
    """

    #: The unique index also serves every query by transcript, so the column has none of its own.
    __table_args__ = (UniqueConstraint("transcript_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(foreign_key="transcript.id")
    turn_id: int = Field(foreign_key="turn.id", index=True)
    position: int
    start: int
    end: int


class Coding(SQLModel, table=True):
    """A code applied by one coder to a fragment (a run of segments) in one pass."""

    #: Every screen and report asks for one coder's codings in one transcript; a key that
    #: toggles a code, and a blind fragment read again, for the codings of one fragment.
    __table_args__ = (Index("ix_coding_transcript_coder", "transcript_id", "coder_id"),
                      Index("ix_coding_fragment", "first_segment_id", "last_segment_id"))

    id: int | None = Field(default=None, primary_key=True)
    coder_id: int = Field(foreign_key="coder.id", index=True)
    code_id: int = Field(foreign_key="code.id", index=True)
    transcript_id: int = Field(foreign_key="transcript.id", index=True)
    first_segment_id: int = Field(foreign_key="segment.id")
    last_segment_id: int = Field(foreign_key="segment.id")
    start: int
    end: int
    memo: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    pass_: str = Field(default=Pass.PRIMARY, sa_column_kwargs={"name": "pass"}, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None
    deleted_by: int | None = Field(default=None, foreign_key="coder.id")
    superseded_by: int | None = Field(default=None, foreign_key="coding.id")

    @property
    def fragment(self) -> FragmentRef:
        return FragmentRef(self.transcript_id, self.first_segment_id, self.last_segment_id)


class AuditEntry(SQLModel, table=True):
    """One line of the append-only audit trail (Lincoln & Guba 1985)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=120, index=True)
    kind: str = Field(max_length=64, index=True)
    transcript_id: int | None = Field(default=None, foreign_key="transcript.id")
    coding_id: int | None = Field(default=None, foreign_key="coding.id")
    #: JSON object with the details of the action.
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class UndoStep(SQLModel, table=True):
    """A coding action, undo or redo as a step on its coder's undo or redo stack.

    The audit log is the trail; the stacks are a fact undo needs on every press, so they
    live here (schema v6) instead of being replayed from the whole log. An action or a
    redo sits on the undo stack, an undo on the redo stack. Each step keeps the step
    under it on its own stack (`below`) and the top of the other stack once it was taken
    (`other_top`): the coder's latest step gives both tops, so an undo reads a step or
    two however long the history, and the stacks survive a restart. Rows are only added.
    """

    __tablename__ = "undo_step"
    #: The coder's latest step, found by one index seek.
    __table_args__ = (Index("ix_undo_step_coder", "coder_id", "entry_id"),)

    #: The audit row recording the action, which holds what it removed and added.
    entry_id: int = Field(primary_key=True, foreign_key="audit_log.id")
    coder_id: int = Field(foreign_key="coder.id")
    below: int | None = Field(default=None, foreign_key="undo_step.entry_id")
    other_top: int | None = Field(default=None, foreign_key="undo_step.entry_id")


class Assignment(SQLModel, table=True):
    """One of coder A's fragments handed to coder B for blind second coding (DESIGN §1.4).

    Rows are only ever added: extending an assignment adds fragments and never
    reshuffles what B already has.
    """

    __table_args__ = (
        UniqueConstraint("to_coder_id", "transcript_id", "first_segment_id", "last_segment_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    from_coder_id: int = Field(foreign_key="coder.id", index=True)
    to_coder_id: int = Field(foreign_key="coder.id", index=True)
    transcript_id: int = Field(foreign_key="transcript.id", index=True)
    first_segment_id: int = Field(foreign_key="segment.id")
    last_segment_id: int = Field(foreign_key="segment.id")
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(max_length=120)
    #: When B finished the fragment blind; from then on B's blind codes on it are final
    #: and A's codes are no longer hidden from B.
    done_at: datetime | None = None
    #: B finished the fragment by saying that no code applies.
    no_code: bool = False
    #: When B chose to see A's codes before finishing: the fragment then leaves
    #: the agreement statistics (counted as revealed).
    revealed_at: datetime | None = None
    #: B's note on why no code applies (with `no_code`), for the review and the summary.
    no_code_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    #: The draw that handed this fragment on; None for assignments made before schema v4.
    sample_id: int | None = Field(default=None, foreign_key="blind_sample.id", index=True)

    @property
    def fragment(self) -> FragmentRef:
        return FragmentRef(self.transcript_id, self.first_segment_id, self.last_segment_id)


class BlindSample(SQLModel, table=True):
    """One run of `assign`: how the fragments it handed on were chosen (DESIGN §1.4).

    The summary states the sample from these rows, so a later `assign` that adds
    nothing cannot change what it says about an earlier draw.
    """

    __tablename__ = "blind_sample"

    id: int | None = Field(default=None, primary_key=True)
    from_coder_id: int = Field(foreign_key="coder.id", index=True)
    to_coder_id: int = Field(foreign_key="coder.id", index=True)
    #: The share drawn per stratum; None when every fragment was handed on.
    fraction: float | None = None
    #: The seed of the random draw; None for all fragments or hand-picked ones.
    seed: int | None = None
    #: What the draw was stratified by (a `STRATA` name), or None.
    stratify: str | None = Field(default=None, max_length=32)
    #: The fragments were chosen by hand (the assignment form), not drawn.
    chosen: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(max_length=120)


class Decision(SQLModel, table=True):
    """One reconciliation decision: the consensus codes of one fragment and why.

    `kind` is a `DecisionKind`. A decision whose fragment differs from the
    assigned one was adjusted ("bijgesteld").

    Rows are only added. A fragment decided again gets a new row, and its latest
    decision is the one that holds; the consensus codings it made are soft-deleted
    and replaced, so every earlier decision stays readable.
    """

    id: int | None = Field(default=None, primary_key=True)
    #: The reviewed fragment; None for a fragment the review added.
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)
    transcript_id: int = Field(foreign_key="transcript.id", index=True)
    #: The fragment the consensus codes apply to (other than the assignment's when adjusted).
    first_segment_id: int = Field(foreign_key="segment.id")
    last_segment_id: int = Field(foreign_key="segment.id")
    kind: str = Field(max_length=16)
    #: JSON list of the consensus code ids.
    codes: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decided_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def fragment(self) -> FragmentRef:
        return FragmentRef(self.transcript_id, self.first_segment_id, self.last_segment_id)


#: Every table whose rows belong to one transcript, children before parents (the foreign keys'
#: order): what a deleted transcript takes out of every read, and what a purge deletes.
ON_A_TRANSCRIPT = (Decision, Coding, Assignment, TranscriptAttribute, Segment, Turn, Participant)
