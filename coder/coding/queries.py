"""Read-only questions about a study: what it holds and how far the coding is.

Screens and exports ask these functions; none of them writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from coder.codebook.study_codebook import code_themes
from coder.errors import StudyError
from coder.storage.models import (
    Code,
    Coder,
    Coding,
    Participant,
    Segment,
    Transcript,
    TranscriptAttribute,
    Turn,
)
from coder.storage.settings import uncodable_roles
from coder.storage.vocabulary import SCHOOL_TYPES, Attribute, FragmentRef


@dataclass(frozen=True)
class CodingCount:
    coder: str
    pass_: str
    codings: int


@dataclass(frozen=True)
class StudyStatus:
    transcripts: int
    segments: int
    words: int
    codes: int
    participants_by_role: dict[str, int]
    transcripts_by_school_type: dict[str, int]
    codings: tuple[CodingCount, ...]
    #: Transcripts per attribute ("Age") and per set ("set: Pilot"), from REFI-QDA cases and sets.
    attributes: dict[str, int] = field(default_factory=dict)


def with_speaker(query: Select) -> Select:
    """Join a select over segments to who speaks them: the turn's participant."""
    return query.join(Turn, Turn.id == Segment.turn_id).join(Participant, Participant.id == Turn.participant_id)


#: The first and last segment of a coding, joined by `live_codings` to select and sort on positions.
FIRST, LAST = aliased(Segment, name="first_segment"), aliased(Segment, name="last_segment")


def live_codings(*columns) -> Select:
    """A select of `columns` over the live (not removed) codings, joined to their coder and to
    their first and last segments as `FIRST` and `LAST`, so positions can be selected."""
    return (
        select(*columns).select_from(Coding)
        .join(Coder, Coder.id == Coding.coder_id)
        .join(FIRST, FIRST.id == Coding.first_segment_id)
        .join(LAST, LAST.id == Coding.last_segment_id)
        .where(Coding.deleted_at.is_(None))
    )


def _grouped(session: Session, column, counted) -> dict[str, int]:
    rows = session.execute(select(column, func.count(counted)).group_by(column).order_by(column))
    return {str(key) if key is not None else "unknown": count for key, count in rows}


def study_status(session: Session) -> StudyStatus:
    """Counts for `coder status`: transcripts, segments, codings per coder and pass."""
    coding_rows = session.execute(
        select(
            Coder.name,
            Coding.pass_,
            func.count(Coding.id),
        )
        .join(Coder, Coder.id == Coding.coder_id)
        .where(Coding.deleted_at.is_(None))
        .group_by(Coder.name, Coding.pass_)
        .order_by(Coder.name, Coding.pass_)
    )
    return StudyStatus(
        transcripts=session.execute(select(func.count(Transcript.id))).scalar_one(),
        segments=session.execute(select(func.count(Segment.id))).scalar_one(),
        words=session.execute(select(func.coalesce(func.sum(Transcript.word_count), 0))).scalar_one(),
        codes=session.execute(
            select(func.count(Code.id)).where(Code.retired_at.is_(None))
        ).scalar_one(),
        participants_by_role=_grouped(session, Participant.role, Participant.id),
        transcripts_by_school_type=dict(sorted(
            _grouped(session, Transcript.school_type, Transcript.id).items(),
            key=lambda item: _school_type_rank(item[0]),
        )),
        codings=tuple(CodingCount(*row) for row in coding_rows),
        attributes=_attribute_counts(transcript_attributes(session)),
    )


def transcript_attributes(session: Session) -> dict[int, list[tuple[str, str]]]:
    """Transcript id -> its live attributes (name, value), in the order they were added."""
    rows = session.execute(
        select(TranscriptAttribute.transcript_id, TranscriptAttribute.name, TranscriptAttribute.value)
        .where(TranscriptAttribute.deleted_at.is_(None)).order_by(TranscriptAttribute.id)
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for transcript_id, name, value in rows:
        found.setdefault(transcript_id, []).append((name, value))
    return found


def _attribute_key(name: str, value: str) -> str:
    """A set is told by its name ("set: Pilot"), any other attribute by the attribute's."""
    return f"{Attribute.SET}: {value}" if name == Attribute.SET else name


def _attribute_counts(attributes: dict[int, list[tuple[str, str]]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for pairs in attributes.values():
        for key in dict.fromkeys(_attribute_key(name, value) for name, value in pairs):
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def attributes_text(pairs: list[tuple[str, str]]) -> str:
    """A transcript's attributes in one line, as the study screen's filter searches them."""
    return " · ".join(f"{name} {value}" for name, value in pairs)


@dataclass(frozen=True)
class TranscriptRow:
    """One line of the study screen's transcript list."""

    id: int
    title: str
    school: str | None
    school_type: str | None
    date: str | None
    participants: str
    words: int
    segments: int
    #: Its attributes (REFI-QDA case variables, sets) in one line: see `attributes_text`.
    attributes: str = ""


def _school_type_rank(school_type: str | None) -> int:
    """Primary first, vocational last: the order the study reports school types in."""
    return SCHOOL_TYPES.index(school_type) if school_type in SCHOOL_TYPES else len(SCHOOL_TYPES)


def transcript_overview(session: Session) -> list[TranscriptRow]:
    """Every transcript with its metadata, participants (label and role) and size."""
    segment_counts = dict(
        session.execute(select(Segment.transcript_id, func.count()).group_by(Segment.transcript_id)).all()
    )
    people: dict[int, list[str]] = {}
    for transcript_id, label, role in session.execute(
        select(Participant.transcript_id, Participant.label, Participant.role).order_by(Participant.id)
    ):
        people.setdefault(transcript_id, []).append(f"{label} ({role})" if role else label)
    columns = (Transcript.id, Transcript.title, Transcript.school, Transcript.school_type,
               Transcript.date, Transcript.word_count)  # not the text: the list never shows it
    transcripts = sorted(
        session.execute(select(*columns)).all(),
        key=lambda t: (_school_type_rank(t.school_type), t.title),
    )
    attributes = transcript_attributes(session)
    return [
        TranscriptRow(
            id=t.id, title=t.title, school=t.school, school_type=t.school_type, date=t.date,
            participants=", ".join(people.get(t.id, [])), words=t.word_count,
            segments=segment_counts.get(t.id, 0), attributes=attributes_text(attributes.get(t.id, [])),
        )
        for t in transcripts
    ]


class SegmentRow(NamedTuple):
    """A segment with its text, as screens and exports show it.

    A named tuple rather than a dataclass: a long interview has 100,000 of them
    and the coding screen builds them all when it opens one.
    """

    id: int
    position: int
    turn_id: int
    start: int
    end: int
    text: str


def transcript_segments(
    session: Session, transcript_id: int, first: int = 0, limit: int | None = None
) -> list[SegmentRow]:
    """Segments of one transcript in order, from position `first`, `limit` at most.

    The offsets come from SQL and the text is cut here, from the transcript read
    once: SQL `substr` must decode a long text from its start for every row.
    """
    text = session.execute(select(Transcript.text).where(Transcript.id == transcript_id)).scalar_one()
    query = (
        select(Segment.id, Segment.position, Segment.turn_id, Segment.start, Segment.end)
        .where(Segment.transcript_id == transcript_id, Segment.position >= first)
        .order_by(Segment.position)
        .limit(limit)
    )
    rows = session.connection().execute(query)  # Core rows: the ORM's row handling costs more
    return [SegmentRow(sid, pos, turn, start, end, text[start:end]) for sid, pos, turn, start, end in rows]


# --- what the coding screen shows ------------------------------------------------------

@dataclass(frozen=True)
class TurnInfo:
    id: int
    label: str
    role: str | None
    codable: bool
    #: Seconds into the recording where the turn starts, where the file gave times.
    start_time: float | None = None


@dataclass(frozen=True)
class TranscriptView:
    """One transcript as the coding screen needs it: segments in order and their turns."""

    id: int
    title: str
    school: str | None
    school_type: str | None
    segments: tuple[SegmentRow, ...]
    turns: dict[int, TurnInfo]

    def codable(self, position: int) -> bool:
        return self.turns[self.segments[position].turn_id].codable


def transcript_ids(session: Session) -> list[int]:
    """Transcripts in the order the study screen lists them."""
    return [row.id for row in transcript_overview(session)]


def transcript_view(session: Session, transcript_id: int, limit: int | None = None) -> TranscriptView:
    """Everything needed to draw one transcript, or its first `limit` segments."""
    transcript = session.get(Transcript, transcript_id)
    if transcript is None:
        raise StudyError(f"no transcript {transcript_id}")
    blocked = uncodable_roles(session)
    turns = {
        turn_id: TurnInfo(turn_id, label, role, (role or "") not in blocked, start_time)
        for turn_id, label, role, start_time in session.execute(
            select(Turn.id, Participant.label, Participant.role, Turn.start_time)
            .join(Participant, Participant.id == Turn.participant_id)
            .where(Turn.transcript_id == transcript_id)
        )
    }
    return TranscriptView(
        id=transcript.id, title=transcript.title, school=transcript.school,
        school_type=transcript.school_type,
        segments=tuple(transcript_segments(session, transcript_id, limit=limit)), turns=turns,
    )


def segment_number(position: int) -> int:
    """A segment's number as every screen, export and log shows it: 1 for a transcript's
    first segment (DESIGN §5, the codings file's contract); positions count from 0."""
    return position + 1


def segment_position(number: int) -> int:
    """The position of the segment people call `number`."""
    return number - 1


def segment_span(first: int, last: int) -> str:
    """A run of segments by position, as people read it: "segment 19", "segments 19–21"."""
    if first == last:
        return f"segment {segment_number(first)}"
    return f"segments {segment_number(first)}–{segment_number(last)}"


@dataclass(frozen=True)
class CodingRow:
    """A live coding as the coding screen draws it."""

    id: int
    coder: str
    code_id: str
    name: str
    color: str | None
    first: int
    last: int
    memo: str
    pass_: str
    #: A core element (a code under a theme), drawn with a thinner bar than its theme.
    element: bool = False


def transcript_codings(session: Session, transcript_id: int, coder: str | None = None) -> list[CodingRow]:
    """Live codings in a transcript (of one coder, or everyone's), by fragment position.

    A core element without its own colour is drawn in its theme's colour.
    """
    query = (
        live_codings(Coding.id, Coder.name, Code.code_id, Code.name, Code.color, Code.parent_id,
                     FIRST.position, LAST.position, Coding.memo, Coding.pass_)
        .join(Code, Code.id == Coding.code_id)
        .where(Coding.transcript_id == transcript_id)
        .order_by(FIRST.position, LAST.position, Coding.id)
    )
    if coder is not None:
        query = query.where(Coder.name == coder)
    colours = dict(session.execute(select(Code.id, Code.color)).all())
    return [
        CodingRow(cid, who, code_id, name, color or colours.get(parent_id), first_pos, last_pos, memo, pass_,
                  parent_id is not None)
        for cid, who, code_id, name, color, parent_id, first_pos, last_pos, memo, pass_ in session.execute(query)
    ]


@dataclass(frozen=True)
class Progress:
    """How much of a transcript's codable text each coder has coded."""

    codable: int
    coded: dict[str, int]

    def share(self, coder: str) -> float:
        return self.coded.get(coder, 0) / self.codable if self.codable else 0.0


def coding_progress(session: Session) -> dict[int, Progress]:
    """Per transcript: codable segments, and how many of them each coder's live codings cover.

    Counting is done in SQL; only the segments that codings cover are looked at
    one by one, so a large study with few codings costs little.
    """
    blocked = tuple(uncodable_roles(session)) or ("",)
    by_role = with_speaker(select(Segment.transcript_id, func.count())).group_by(Segment.transcript_id)
    is_blocked = func.coalesce(Participant.role, "").in_(blocked)
    codable = dict(session.execute(by_role.where(~is_blocked)).all())
    covered: dict[tuple[int, str], set[int]] = {}
    for transcript_id, coder, start, end in session.execute(
        live_codings(Coding.transcript_id, Coder.name, FIRST.position, LAST.position)
    ):
        covered.setdefault((transcript_id, coder), set()).update(range(start, end + 1))
    uncodable: dict[int, set[int]] = {}
    coded_transcripts = {tid for tid, _ in covered}
    if coded_transcripts:
        for transcript_id, position in session.execute(
            with_speaker(select(Segment.transcript_id, Segment.position))
            .where(is_blocked, Segment.transcript_id.in_(coded_transcripts))
        ):
            uncodable.setdefault(transcript_id, set()).add(position)
    coded: dict[int, dict[str, int]] = {}
    for (transcript_id, coder), positions in covered.items():
        coded.setdefault(transcript_id, {})[coder] = len(positions - uncodable.get(transcript_id, set()))
    return {tid: Progress(count, coded.get(tid, {})) for tid, count in codable.items()}


def fragment_codes(session: Session, coder_id: int, pass_: str, *where) -> dict[FragmentRef, list[tuple[str, str]]]:
    """A coder's live (code id, memo) pairs in one pass, per fragment, in codebook order.

    `where` narrows the codings read (e.g. to one transcript).
    """
    found: dict[FragmentRef, list[tuple[str, str]]] = {}
    for transcript, first, last, code, memo in session.execute(
        select(Coding.transcript_id, Coding.first_segment_id, Coding.last_segment_id, Code.code_id, Coding.memo)
        .join(Code, Code.id == Coding.code_id)
        .where(Coding.coder_id == coder_id, Coding.pass_ == pass_, Coding.deleted_at.is_(None), *where)
        .order_by(Code.position, Code.id)
    ):
        found.setdefault(FragmentRef(transcript, first, last), []).append((code, memo))
    return found


def segment_positions(session: Session, segment_ids: set[int]) -> dict[int, int]:
    """Each segment id's position in its transcript."""
    return dict(session.execute(select(Segment.id, Segment.position).where(Segment.id.in_(segment_ids))).all())


class Speaker(NamedTuple):
    label: str
    role: str | None


@dataclass(frozen=True)
class CodingRecord:
    """One live coding with everything an export or the summary says about it.

    The codings export, the peer-debriefing summary and their tests all read
    these, so they agree on who spoke a fragment, its theme and its text.
    `speakers` lists each participant who speaks in the fragment once, in order.
    """

    coding_id: int
    fragment: FragmentRef
    transcript: str
    school: str | None
    school_type: str | None
    speakers: tuple[Speaker, ...]
    first: int
    last: int
    start: int
    end: int
    code_id: str
    code_name: str
    theme: str
    coder: str
    pass_: str
    memo: str
    text: str
    #: Seconds into the recording where the turn of the fragment's first segment starts.
    start_time: float | None = None


def _speakers_by_position(session: Session, transcript_ids: set[int]) -> dict[int, list[tuple[Speaker, float | None]]]:
    """Per transcript, indexed by segment position: who speaks that segment, and when their turn starts."""
    rows = session.execute(
        with_speaker(select(Segment.transcript_id, Participant.label, Participant.role, Turn.start_time))
        .where(Segment.transcript_id.in_(transcript_ids))
        .order_by(Segment.transcript_id, Segment.position)
    )
    result: dict[int, list[tuple[Speaker, float | None]]] = {}
    for transcript_id, label, role, start_time in rows:
        result.setdefault(transcript_id, []).append((Speaker(label, role), start_time))
    return result


def coding_records(session: Session, coder: str | None = None, pass_: str | None = None) -> list[CodingRecord]:
    """Every live coding (of one coder, of one pass), by transcript, position and coder."""
    query = (
        live_codings(Coding, Transcript.title, Transcript.school, Transcript.school_type, FIRST.position,
                     LAST.position, Code.code_id, Code.name, Coder.name)
        .join(Transcript, Transcript.id == Coding.transcript_id)
        .join(Code, Code.id == Coding.code_id)
        .order_by(Transcript.id, FIRST.position, LAST.position, Coder.name, Coding.id)
    )
    if coder:
        query = query.where(Coder.name == coder)
    if pass_:
        query = query.where(Coding.pass_ == pass_)
    rows = session.execute(query).all()
    transcript_ids = {row[0].transcript_id for row in rows}
    themes, speakers = code_themes(session), _speakers_by_position(session, transcript_ids)
    texts = dict(session.execute(select(Transcript.id, Transcript.text).where(Transcript.id.in_(transcript_ids))).all())
    return [
        CodingRecord(
            coding.id, coding.fragment, title, school, school_type,
            tuple(dict.fromkeys(s for s, _ in speakers[coding.transcript_id][first_pos:last_pos + 1])),
            first_pos, last_pos,
            coding.start, coding.end, code_id, code_name, themes[coding.code_id], coder_name, coding.pass_, coding.memo,
            texts[coding.transcript_id][coding.start:coding.end], speakers[coding.transcript_id][first_pos][1],
        )
        for coding, title, school, school_type, first_pos, last_pos, code_id, code_name, coder_name in rows
    ]
