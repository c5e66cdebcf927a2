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
from sqlalchemy.exc import IntegrityError

from coder.errors import StudyError, TranscriptError
from coder.ingest.formats.parsed import ParsedTranscript, SpeakerCount
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


#: Names of files a folder holds that are no transcripts though their suffix says so: Word's
#: `~$` lock file beside an open document, macOS's `._` companions and other hidden files.
HIDDEN_PREFIXES = ("~$", ".")
HIDDEN = "hidden or temporary file (such as Word's ~$ lock file), left out of the folder"
DUPLICATE = "already imported (same content)"


@dataclass(frozen=True)
class FileSummary:
    """What one file was read as: its format and the speakers found, with their turns."""

    source: str
    title: str
    format: str
    speakers: tuple[SpeakerCount, ...]
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, parsed: ParsedTranscript) -> FileSummary:
        return cls(parsed.source, parsed.title, parsed.format, parsed.speakers, parsed.notes)


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[tuple[str, int], ...]  # (title, segments) per new transcript
    skipped: tuple[tuple[str, str], ...]  # (file, reason)
    files: tuple[FileSummary, ...] = ()  # every file read, imported or not, in the order read

    @property
    def segments(self) -> int:
        return sum(count for _, count in self.imported)


@dataclass(frozen=True)
class Selection:
    """The files a command names: those to read, and the hidden ones left out of folders."""

    files: list[Path]
    hidden: list[Path]


def is_hidden(path: Path) -> bool:
    return path.name.startswith(HIDDEN_PREFIXES)


def expand_paths(paths: Iterable[str | Path]) -> Selection:
    """Files to import: given files as they are (a hidden one too: it was asked for), folders by
    their transcript files, leaving out hidden and temporary ones."""
    files: list[Path] = []
    hidden: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
            files.extend(p for p in found if not is_hidden(p))
            hidden.extend(p for p in found if is_hidden(p))
        else:
            files.append(path)
    return Selection(files, hidden)


@dataclass
class _Batch:
    """The files of one import as they are read: the new transcripts and the skipped."""

    files: list[Path]
    known: set[str]
    overrides: Overrides
    progress: Progress | None
    fresh: list[ParsedTranscript] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    summaries: list[FileSummary] = field(default_factory=list)

    def turn_texts(self) -> Iterator[str]:
        """Read each file and hand out its turns' texts, skipping content already known.

        A generator, so files are read while worker processes segment earlier ones.
        """
        for done, path in enumerate(self.files, start=1):
            parsed = self.overrides.apply(read_transcript(path))
            if self.progress:
                self.progress(path.name, done, len(self.files))
            self.summaries.append(FileSummary.of(parsed))
            if parsed.content_hash in self.known:
                self.skipped.append((parsed.source, DUPLICATE))
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


def _store_new(study: Study, batch: _Batch, spans: list[list[list[Span]]], actor: str) -> list[tuple[str, int]]:
    """Write the batch's new transcripts in one transaction; (title, segments) for each.

    Another import (another process, another coder) may store one of them while this one
    segments: the unique content hash then refuses the transaction, and it is tried again
    without the transcripts that are now in the study, which are skipped as duplicates.
    """
    for _ in range(3):
        try:
            with study.session() as session:
                return [(parsed.title, _store(session, parsed, transcript_spans, actor)[1])
                        for parsed, transcript_spans in zip(batch.fresh, spans, strict=True)]
        except IntegrityError:
            with study.session() as session:
                known = set(session.execute(select(Transcript.content_hash)).scalars())
            if not any(parsed.content_hash in known for parsed in batch.fresh):
                raise
            batch.skipped.extend((parsed.source, DUPLICATE) for parsed in batch.fresh if parsed.content_hash in known)
            spans = [s for parsed, s in zip(batch.fresh, spans, strict=True) if parsed.content_hash not in known]
            batch.fresh = [parsed for parsed in batch.fresh if parsed.content_hash not in known]
    raise StudyError("other imports kept storing the same transcripts at the same time; run this import again")


def import_transcripts(
    study: Study,
    paths: Iterable[str | Path],
    actor: str,
    overrides: Overrides = Overrides(),
    progress: Progress | None = None,
) -> ImportReport:
    """Import transcript files (or folders of them) into `study`, all or nothing.

    A file whose content is already in the study (same hash) is skipped, and so
    is a second copy within one command; so are hidden and temporary files in a
    folder. The report names each file's format and the speakers found in it.
    """
    selection = expand_paths(paths)
    if not selection.files:
        left_out = f" ({len(selection.hidden)} hidden or temporary left out)" if selection.hidden else ""
        raise TranscriptError(", ".join(map(str, paths)) or ".", f"no transcript files to import{left_out}")
    with study.session() as session:
        known = set(session.execute(select(Transcript.content_hash)).scalars())
    batch = _Batch(selection.files, known, overrides, progress, skipped=[(str(p), HIDDEN) for p in selection.hidden])
    imported = _store_new(study, batch, batch.segment(), actor)
    return ImportReport(imported=tuple(imported), skipped=tuple(batch.skipped), files=tuple(batch.summaries))
