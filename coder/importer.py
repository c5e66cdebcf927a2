"""Importing transcripts into a study: all or nothing per command.

Every file is read and validated, and every turn segmented, before the first
row is written; the rows then go in one transaction. A bad file therefore leaves
the study exactly as it was, and the error names that file.

Rows are written with bulk `INSERT`s (one statement per table, RETURNING ids where
the next table needs them): per-object ORM inserts would cost more than spaCy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import insert, select

from coder.audit import record
from coder.db import Study
from coder.errors import TranscriptError
from coder.models import Participant, Segment, Transcript, Turn
from coder.segment import Span, segment_texts
from coder.transcripts import SCHOOL_TYPES, SUFFIXES, ParsedTranscript, read_transcript

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Overrides:
    """Metadata given on the command line, winning over each file's front matter."""

    school: str | None = None
    school_type: str | None = None

    def apply(self, parsed: ParsedTranscript) -> ParsedTranscript:
        if self.school_type is not None and self.school_type not in SCHOOL_TYPES:
            raise TranscriptError(
                parsed.source, f"school type '{self.school_type}' is not one of {', '.join(SCHOOL_TYPES)}"
            )
        return replace(
            parsed,
            school=self.school if self.school is not None else parsed.school,
            school_type=self.school_type if self.school_type is not None else parsed.school_type,
        )


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[tuple[str, int], ...]  # (title, segments) per new transcript
    skipped: tuple[tuple[str, str], ...]  # (file, reason)

    @property
    def segments(self) -> int:
        return sum(count for _, count in self.imported)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files to import: given files as they are, folders by their transcript files."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()))
        else:
            files.append(path)
    return files


def _segment_all(
    parsed: Sequence[ParsedTranscript], progress: Progress | None
) -> list[list[list[Span]]]:
    """Sentence spans per turn per transcript, all turns through one `nlp.pipe` stream.

    Segmenting is where an import spends its time, so progress is reported here.
    """
    texts = (p.text[t.start : t.end] for p in parsed for t in p.turns)
    stream = segment_texts(texts)
    result = []
    for done, transcript in enumerate(parsed, start=1):
        result.append([next(stream) for _ in transcript.turns])
        if progress:
            progress(transcript.title, done, len(parsed))
    return result


def _store(session, parsed: ParsedTranscript, spans: list[list[Span]], actor: str) -> int:
    """Write one transcript with its participants, turns and segments; return segment count."""
    transcript_id = session.execute(
        insert(Transcript).returning(Transcript.id),
        [{
            "title": parsed.title, "school": parsed.school, "school_type": parsed.school_type,
            "date": parsed.date, "source_name": Path(parsed.source).name,
            "content_hash": parsed.content_hash, "text": parsed.text,
            "word_count": parsed.word_count, "imported_by": actor,
        }],
    ).scalar_one()
    participant_ids = dict(
        zip(
            [p.label for p in parsed.participants],
            session.execute(
                insert(Participant).returning(Participant.id, sort_by_parameter_order=True),
                [{"transcript_id": transcript_id, "label": p.label, "role": p.role} for p in parsed.participants],
            ).scalars(),
        )
    )
    turn_ids = session.execute(
        insert(Turn).returning(Turn.id, sort_by_parameter_order=True),
        [
            {"transcript_id": transcript_id, "participant_id": participant_ids[turn.label],
             "position": position, "start": turn.start, "end": turn.end}
            for position, turn in enumerate(parsed.turns)
        ],
    ).scalars().all()
    rows = []
    for turn, turn_id, turn_spans in zip(parsed.turns, turn_ids, spans):
        for start, end in turn_spans:
            rows.append({
                "transcript_id": transcript_id, "turn_id": turn_id, "position": len(rows),
                "start": turn.start + start, "end": turn.start + end,
                "text": parsed.text[turn.start + start : turn.start + end],
            })
    if rows:
        session.execute(insert(Segment), rows)
    record(
        session, actor, "transcript.import", transcript_id=transcript_id,
        source=parsed.source, title=parsed.title, segments=len(rows), hash=parsed.content_hash,
    )
    return len(rows)


def import_transcripts(
    study: Study,
    paths: Iterable[str | Path],
    actor: str,
    overrides: Overrides = Overrides(),
    progress: Progress | None = None,
) -> ImportReport:
    """Import transcript files (or folders of them) into `study`, all or nothing.

    A file whose content is already in the study (same hash) is skipped, and so
    is a second copy within one command.
    """
    files = expand_paths(paths)
    if not files:
        raise TranscriptError(", ".join(map(str, paths)) or ".", "no transcript files to import")
    parsed_all = [overrides.apply(read_transcript(path)) for path in files]
    with study.session() as session:
        known = set(session.execute(select(Transcript.content_hash)).scalars())
    fresh: list[ParsedTranscript] = []
    skipped: list[tuple[str, str]] = []
    for parsed in parsed_all:
        if parsed.content_hash in known:
            skipped.append((parsed.source, "already imported (same content)"))
            continue
        known.add(parsed.content_hash)
        fresh.append(parsed)
    spans = _segment_all(fresh, progress)
    with study.session() as session:
        imported = [
            (parsed.title, _store(session, parsed, transcript_spans, actor))
            for parsed, transcript_spans in zip(fresh, spans)
        ]
    return ImportReport(imported=tuple(imported), skipped=tuple(skipped))
