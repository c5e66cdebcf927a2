"""Importing transcripts into a study: all or nothing per command.

Every file is read and validated, and every turn segmented, before the first
row is written; the rows then go in one short transaction, so a long import
never holds the study's write lock while spaCy works. A bad file therefore leaves
the study exactly as it was, and the error names that file.

Rows are written with one bulk `INSERT` per table and transcript (see `_store`):
per-object ORM inserts would cost more than spaCy.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import insert, select

from coder.errors import TranscriptError
from coder.ingest.formats.parsed import ParsedTranscript
from coder.ingest.segmentation import Span, segment_texts
from coder.ingest.transcript_formats import SUFFIXES, read_transcript
from coder.storage.audit import record
from coder.storage.audit_events import TranscriptImported
from coder.storage.database import Study
from coder.storage.models import Participant, Segment, Transcript, Turn, utcnow
from coder.storage.vocabulary import SCHOOL_TYPES

#: Called as each file is read: (file name, files read, files in all).
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


@dataclass
class _Batch:
    """The files of one import as they are read: the new transcripts and the skipped."""

    files: list[Path]
    known: set[str]
    overrides: Overrides
    progress: Progress | None
    fresh: list[ParsedTranscript] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def turn_texts(self) -> Iterator[str]:
        """Read each file and hand out its turns' texts, skipping content already known.

        A generator, so files are read while worker processes segment earlier ones.
        """
        for done, path in enumerate(self.files, start=1):
            parsed = self.overrides.apply(read_transcript(path))
            if self.progress:
                self.progress(path.name, done, len(self.files))
            if parsed.content_hash in self.known:
                self.skipped.append((parsed.source, "already imported (same content)"))
                continue
            self.known.add(parsed.content_hash)
            self.fresh.append(parsed)
            yield from (parsed.text[t.start : t.end] for t in parsed.turns)

    def segment(self) -> list[list[list[Span]]]:
        """Sentence spans per turn per new transcript, on every core for a big import."""
        flat = list(segment_texts(self.turn_texts(), processes=os.cpu_count() or 1))
        return _per_transcript(flat, self.fresh)


def _per_transcript(flat: list[list[Span]], parsed: Sequence[ParsedTranscript]) -> list[list[list[Span]]]:
    """Cut one stream of per-turn spans back into one list per transcript."""
    spans, offset = [], 0
    for transcript in parsed:
        spans.append(flat[offset : offset + len(transcript.turns)])
        offset += len(transcript.turns)
    return spans


def store_parsed(session, parsed: Sequence[ParsedTranscript], actor: str) -> list[int]:
    """Segment and store transcripts already read, in the caller's transaction.

    For imports that bring more than transcripts (a REFI-QDA project) and must
    write everything in one transaction. Returns the new transcripts' ids.
    """
    texts = [p.text[t.start : t.end] for p in parsed for t in p.turns]
    spans = _per_transcript(list(segment_texts(texts)), parsed)
    return [_store(session, p, s, actor)[0] for p, s in zip(parsed, spans, strict=True)]


def _executemany(conn, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """One driver-level executemany: SQLAlchemy's per-row parameter handling would
    cost more than SQLite's own work. The SQL is built for the dialect's paramstyle
    and quoting (`start` and `end` are reserved words)."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(model.__tablename__)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    conn.exec_driver_sql(sql, rows)


def _insert_rows(conn, model, columns: tuple[str, ...], rows: list[tuple], transcript_id: int, key: str) -> dict:
    """Insert many rows of one transcript; map `key` to the new ids.

    Reading the ids back with one SELECT is portable and far cheaper than
    RETURNING, which SQLite can only deliver row by row when order matters.
    """
    _executemany(conn, model, columns, rows)
    table = model.__table__
    found = conn.execute(select(table.c[key], table.c.id).where(table.c.transcript_id == transcript_id))
    return dict(found.all())


def _store(session, parsed: ParsedTranscript, spans: list[list[Span]], actor: str) -> tuple[int, int]:
    """Write one transcript with its participants, turns and segments; return (id, segments).

    Bulk inserts on the session's connection, inside its transaction: the ORM's
    unit of work would cost more than segmenting does, and these rows need none
    of its bookkeeping.
    """
    conn = session.connection()
    transcript_id = conn.execute(
        insert(Transcript.__table__).returning(Transcript.__table__.c.id),
        {
            "title": parsed.title, "school": parsed.school, "school_type": parsed.school_type,
            "date": parsed.date, "source_name": Path(parsed.source).name,
            "content_hash": parsed.content_hash, "text": parsed.text,
            "word_count": parsed.word_count, "imported_at": utcnow(), "imported_by": actor,
        },
    ).scalar_one()
    participant_ids = _insert_rows(
        conn, Participant, ("transcript_id", "label", "role"),
        [(transcript_id, p.label, p.role) for p in parsed.participants], transcript_id, "label",
    )
    turn_ids = _insert_rows(
        conn, Turn, ("transcript_id", "participant_id", "position", "start", "end"),
        [(transcript_id, participant_ids[t.label], position, t.start, t.end)
         for position, t in enumerate(parsed.turns)],
        transcript_id, "position",
    )
    rows = []
    for position, (turn, turn_spans) in enumerate(zip(parsed.turns, spans, strict=True)):
        turn_id = turn_ids[position]
        for start, end in turn_spans:
            rows.append((transcript_id, turn_id, len(rows), turn.start + start, turn.start + end))
    _executemany(conn, Segment, ("transcript_id", "turn_id", "position", "start", "end"), rows)
    record(session, actor, TranscriptImported(source=parsed.source, title=parsed.title, segments=len(rows),
                                              hash=parsed.content_hash), transcript_id=transcript_id)
    return transcript_id, len(rows)


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
    with study.session() as session:
        known = set(session.execute(select(Transcript.content_hash)).scalars())
    batch = _Batch(files, known, overrides, progress)
    spans = batch.segment()
    with study.session() as session:
        imported = [
            (parsed.title, _store(session, parsed, transcript_spans, actor)[1])
            for parsed, transcript_spans in zip(batch.fresh, spans, strict=True)
        ]
    return ImportReport(imported=tuple(imported), skipped=tuple(batch.skipped))
