"""Importing transcripts into a study: all or nothing per command.

Every file is read, validated and segmented (on every core for a big import:
`ingest.workers`), and the rows of each run of files are written while the next
are read, all in one transaction: a bad file therefore leaves the study exactly as
it was, and the error names that file. Writing after reading everything would add
SQLite's inserts (half the raw spaCy pipeline's time) to the import's.

Rows are written with one bulk `INSERT` per table for each run of transcripts (see
`_store`): per-object ORM inserts, or statements per transcript, would cost more than spaCy.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coder.errors import StudyError, TranscriptError
from coder.ingest.adjust import renamed, unknown_speakers, with_roles, with_sidecar
from coder.ingest.formats.parsed import ParsedTranscript, SpeakerCount
from coder.ingest.formats.timecode import seconds
from coder.ingest.pseudonymise import PseudonymKey
from coder.ingest.segmentation import Span, segment_texts
from coder.ingest.transcript_formats import SUFFIXES, read_transcript
from coder.ingest.workers import TASKS_PER_WORKER, forked_map, groups, worker_count
from coder.storage.audit import record_many
from coder.storage.audit_events import TranscriptImported
from coder.storage.database import Study
from coder.storage.deletions import INCLUDE_DELETED
from coder.storage.models import Participant, Segment, Transcript, Turn, utcnow
from coder.storage.settings import pseudonym_key, set_pseudonym_key
from coder.storage.vocabulary import SCHOOL_TYPES

#: Called as each file is read: (file name, files read, files in all).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Overrides:
    """What the command line says about every file, winning over the files and their sidecars:
    speakers renamed (old label → new), roles (label → role), school and school type."""

    school: str | None = None
    school_type: str | None = None
    speakers: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)

    def apply(self, parsed: ParsedTranscript) -> ParsedTranscript:
        if self.school_type is not None and self.school_type not in SCHOOL_TYPES:
            raise TranscriptError(
                parsed.source, f"school type '{self.school_type}' is not one of {', '.join(SCHOOL_TYPES)}"
            )
        parsed = with_roles(renamed(parsed, self.speakers), self.roles)
        return replace(
            parsed,
            school=self.school if self.school is not None else parsed.school,
            school_type=self.school_type if self.school_type is not None else parsed.school_type,
        )

    def check_speakers(self, speakers: Iterable[str], source: str) -> None:
        """Refuse a `--speaker` or `--role` that names nobody who speaks in the files read
        (a role names a speaker as `--speaker` renamed them)."""
        speakers = list(speakers)
        unknown_speakers(self.speakers, speakers, "--speaker", source)
        unknown_speakers(self.roles, [self.speakers.get(label, label) for label in speakers], "--role", source)


def read_with_sidecar(path: Path) -> ParsedTranscript:
    """A file as it reads, with its sidecar's metadata and roles: what `Overrides` apply to."""
    return with_sidecar(read_transcript(path), path)


#: Names of files a folder holds that are no transcripts though their suffix says so: Word's
#: `~$` lock file beside an open document, macOS's `._` companions and other hidden files.
HIDDEN_PREFIXES = ("~$", ".")
HIDDEN = "hidden or temporary file (such as Word's ~$ lock file), left out of the folder"
DUPLICATE = "already imported (same content; if it was deleted, `coder transcript restore` brings it back)"


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


def _segment_run(texts: list[str]) -> list[list[Span]]:
    """Sentence spans of a run of files' turns: a worker's task."""
    return list(segment_texts(texts))


@dataclass
class _Batch:
    """The files of one import as they are read: the new transcripts and the skipped."""

    files: list[Path]
    known: set[str]
    overrides: Overrides
    progress: Progress | None
    key: PseudonymKey | None = None
    fresh: list[ParsedTranscript] = field(default_factory=list)
    spans: list[list[list[Span]]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    summaries: list[FileSummary] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)  # as the files name them

    def read(self) -> Iterator[tuple[list[ParsedTranscript], list[list[list[Span]]]]]:
        """Read and segment every file; yield the new transcripts of each run of files, with
        their spans, as they are segmented, so that they can be stored while later runs are.

        The files are read here, and their turns segmented on every core for a big import
        (the files' sizes stand for their text's length: see `worker_count`): only texts and
        spans cross to the workers and back, which costs far less than parsed transcripts.
        """
        sizes = [_size(path) for path in self.files]
        processes = worker_count(sum(sizes), os.cpu_count() or 1)
        # in one process, storing cannot overlap segmenting: one run, so the write comes after it
        runs = groups(sizes, processes * TASKS_PER_WORKER if processes > 1 else 1)
        new: list[list[ParsedTranscript]] = []  # each run's new transcripts, as it is read
        texts = self._turn_texts(runs, new)
        for flat in forked_map(_segment_run, texts, processes if len(runs) > 1 else 1):
            spans = _per_transcript(flat, new[0])
            self.spans.extend(spans)
            yield new.pop(0), spans
        self.overrides.check_speakers(self.speakers, ", ".join(map(str, self.files)))

    def _turn_texts(self, runs: list[range], new: list[list[ParsedTranscript]]) -> Iterator[list[str]]:
        """Read each run of files and hand out the turns' texts of its new transcripts, which
        go to the end of `new`."""
        for run in runs:
            first = len(self.fresh)
            for path in self.files[run.start : run.stop]:
                self._read(path)
            new.append(self.fresh[first:])
            yield [p.text[t.start : t.end] for p in new[-1] for t in p.turns]

    def _read(self, path: Path) -> None:
        """Read one file, keeping it if its content is new."""
        read = read_with_sidecar(path)
        self.speakers.extend(p.label for p in read.participants)
        parsed = self.overrides.apply(read)
        if self.key is not None:
            parsed = self.key.apply(parsed)
        if self.progress:
            self.progress(path.name, len(self.summaries) + 1, len(self.files))
        self.summaries.append(FileSummary.of(parsed))
        if parsed.content_hash in self.known:
            self.skipped.append((parsed.source, DUPLICATE))
            return
        self.known.add(parsed.content_hash)
        self.fresh.append(parsed)


def _size(path: Path) -> int:
    """A file's size in bytes; 0 for one that cannot be read, which its reader then names."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _per_transcript(flat: list[list[Span]], parsed: Sequence[ParsedTranscript]) -> list[list[list[Span]]]:
    """Cut one stream of per-turn spans back into one list per transcript."""
    spans, offset = [], 0
    for transcript in parsed:
        spans.append(flat[offset : offset + len(transcript.turns)])
        offset += len(transcript.turns)
    return spans


def known_hashes(session) -> set[str]:
    """The content hashes of the study's transcripts, deleted ones too: a file already in the
    study is not imported again, and its unique hash could not be stored twice."""
    return set(session.execute(select(Transcript.content_hash).execution_options(**{INCLUDE_DELETED: True})).scalars())


def store_parsed(session, parsed: Sequence[ParsedTranscript], actor: str) -> list[int]:
    """Segment and store transcripts already read, in the caller's transaction.

    For imports that bring more than transcripts (a REFI-QDA project) and must
    write everything in one transaction. Returns the new transcripts' ids.
    """
    texts = [p.text[t.start : t.end] for p in parsed for t in p.turns]
    spans = _per_transcript(list(segment_texts(texts)), parsed)
    return [transcript_id for transcript_id, _ in _store(session, parsed, spans, actor)]


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


def _new_ids(conn, model, count: int) -> list[int]:
    """Ids for `count` new rows of `model`, given to the rows as they are inserted: reading
    them back after the insert cost the importing process as much as the insert.

    SQLite gives a new row the largest id plus one, and an import holds the study's write
    lock, so the next ids are free; PostgreSQL hands them out of the column's sequence.
    """
    if not count:
        return []
    table = model.__tablename__
    if conn.dialect.name == "postgresql":
        query = f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, {count:d})"
        return [row[0] for row in conn.exec_driver_sql(query)]
    largest = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
    return list(range(largest + 1, largest + 1 + count))


def _insert_transcripts(conn, parsed: Sequence[ParsedTranscript], actor: str) -> list[int]:
    """Insert the transcripts' own rows; their new ids, in order."""
    ids = _new_ids(conn, Transcript, len(parsed))
    columns = ("id", "title", "school", "school_type", "date", "source_name", "content_hash", "text", "word_count",
               "imported_at", "imported_by")
    now = utcnow()
    _executemany(conn, Transcript, columns, [
        (i, p.title, p.school, p.school_type, p.date, Path(p.source).name, p.content_hash, p.text, p.word_count,
         now, actor) for i, p in zip(ids, parsed, strict=True)])
    return ids


def _store(session, parsed: Sequence[ParsedTranscript], spans: Sequence[list[list[Span]]], actor: str) -> list[tuple[int, int]]:
    """Write the transcripts with their participants, turns and segments; (id, segments) for each.

    One bulk insert per table for all of them, on the session's connection inside its
    transaction: the ORM's unit of work, or a statement per transcript, would cost more than
    segmenting does, and these rows need none of its bookkeeping. Rows the session holds
    (a pseudonym key's audit entry) are flushed first, so the audit log keeps their order.
    """
    session.flush()
    conn = session.connection()
    transcript_ids = _insert_transcripts(conn, parsed, actor)
    people = [(t, p) for t, one in zip(transcript_ids, parsed, strict=True) for p in one.participants]
    participant_ids = dict(zip(((t, p.label) for t, p in people), _new_ids(conn, Participant, len(people)), strict=True))
    _executemany(conn, Participant, ("id", "transcript_id", "label", "role"),
                 [(participant_ids[t, p.label], t, p.label, p.role) for t, p in people])
    turn_ids = iter(_new_ids(conn, Turn, sum(len(one.turns) for one in parsed)))
    turns, rows, counts = [], [], []
    for t, one, transcript_spans in zip(transcript_ids, parsed, spans, strict=True):
        first = len(rows)
        for position, (turn, turn_spans) in enumerate(zip(one.turns, transcript_spans, strict=True)):
            turn_id = next(turn_ids)
            turns.append((turn_id, t, participant_ids[t, turn.label], position, turn.start, turn.end,
                          seconds(turn.start_time) if turn.start_time else None))
            for start, end in turn_spans:
                rows.append((t, turn_id, len(rows) - first, turn.start + start, turn.start + end))
        counts.append(len(rows) - first)
    _executemany(conn, Turn, ("id", "transcript_id", "participant_id", "position", "start", "end", "start_time"), turns)
    _executemany(conn, Segment, ("transcript_id", "turn_id", "position", "start", "end"), rows)
    record_many(session, actor, [
        (TranscriptImported(source=p.source, title=p.title, segments=count, hash=p.content_hash), t)
        for t, p, count in zip(transcript_ids, parsed, counts, strict=True)])
    return list(zip(transcript_ids, counts, strict=True))


def check_key(session, key: PseudonymKey | None, force: bool) -> None:
    """Refuse, unless `force`, an import that would mix pseudonymised and other transcripts.

    A study's transcripts are pseudonymised with one key or not at all: importing into a
    study with transcripts under another key, under a key into one without, or without a
    key into a pseudonymised one asks for `force`.
    """
    recorded, wanted = pseudonym_key(session), key.sha256 if key is not None else None
    if force or recorded == wanted or not session.execute(select(func.count(Transcript.id))).scalar_one():
        return
    if recorded is None:
        problem = ("its transcripts were imported without a pseudonym key, so only the new ones would be "
                   "pseudonymised")
    elif wanted is None:
        problem = "it is pseudonymised: import with --pseudonymise and the key it was made with"
    else:
        problem = "it was pseudonymised with another key (the key file differs): import with that key"
    raise StudyError(f"not imported: {problem}; add --force to import anyway")


#: Allocations between two of the garbage collector's youngest collections during an import.
#: An import makes hundreds of thousands of objects that live to its end, and at Python's
#: 700 the collector went through them so often that it took a fifth of a big import.
IMPORT_COLLECTION_THRESHOLD = 100_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often while importing (workers forked meanwhile inherit it), and as
    before once the import ends."""
    before = gc.get_threshold()
    gc.set_threshold(IMPORT_COLLECTION_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _store_new(study: Study, batch: _Batch, actor: str, key: PseudonymKey | None) -> list[tuple[str, int]]:
    """Write the batch's new transcripts in one transaction; (title, segments) for each. With a
    pseudonym `key`, the study records it in the same transaction.

    In a big import each run of files is written as it comes back from its worker
    (`_Batch.read`): the transaction, and on SQLite the study's write lock, begin with the
    first new transcript and last until all are read, about a second per million words, in
    which other writers wait (the busy timeout). A small one, in one process, writes after
    reading everything. Another import (another process, another coder) may store one
    of them meanwhile: the unique content hash then refuses the transaction, and it is tried
    again without the transcripts that are now in the study, which are skipped as duplicates.
    """
    reading = batch.read()
    try:
        return _store_while_reading(study, reading, actor, key)
    except IntegrityError as refused:
        error = refused
        for _ in reading:  # read the files that are left; they are stored below
            pass
    for _ in range(3):
        with study.session() as session:
            known = known_hashes(session)
        if not any(parsed.content_hash in known for parsed in batch.fresh):
            raise error
        batch.skipped.extend((parsed.source, DUPLICATE) for parsed in batch.fresh if parsed.content_hash in known)
        batch.spans = [s for parsed, s in zip(batch.fresh, batch.spans, strict=True) if parsed.content_hash not in known]
        batch.fresh = [parsed for parsed in batch.fresh if parsed.content_hash not in known]
        try:
            return _store_while_reading(study, [(batch.fresh, batch.spans)], actor, key)
        except IntegrityError as refused:
            error = refused
    raise StudyError("other imports kept storing the same transcripts at the same time; run this import again")


def _store_while_reading(study: Study, runs: Iterable[tuple[list[ParsedTranscript], list[list[list[Span]]]]],
                         actor: str, key: PseudonymKey | None) -> list[tuple[str, int]]:
    """Store each run of new transcripts in one transaction, opened with the first of them
    (an import with none writes nothing); (title, segments) for each."""
    stored: list[tuple[str, int]] = []
    with ExitStack() as stack:
        session = None
        for fresh, spans in runs:
            if not fresh:
                continue
            if session is None:
                session = stack.enter_context(study.session())
                if key is not None:
                    set_pseudonym_key(session, key.sha256, actor)
            counts = [count for _, count in _store(session, fresh, spans, actor)]
            stored += [(parsed.title, count) for parsed, count in zip(fresh, counts, strict=True)]
    return stored


def import_transcripts(
    study: Study,
    paths: Iterable[str | Path],
    actor: str,
    overrides: Overrides = Overrides(),
    progress: Progress | None = None,
    key: PseudonymKey | None = None,
    force: bool = False,
) -> ImportReport:
    """Import transcript files (or folders of them) into `study`, all or nothing.

    A file whose content is already in the study (same hash) is skipped, and so
    is a second copy within one command; so are hidden and temporary files in a
    folder. The report names each file's format and the speakers found in it.
    With a pseudonym `key`, every name in it is replaced as each file is read, so
    no real name reaches the study (DESIGN §7); see `check_key` for `force`.
    """
    selection = expand_paths(paths)
    if not selection.files:
        left_out = f" ({len(selection.hidden)} hidden or temporary left out)" if selection.hidden else ""
        raise TranscriptError(", ".join(map(str, paths)) or ".", f"no transcript files to import{left_out}")
    with study.session() as session:
        check_key(session, key, force)
        known = known_hashes(session)
    batch = _Batch(selection.files, known, overrides, progress, key, skipped=[(str(p), HIDDEN) for p in selection.hidden])
    with _fewer_collections():
        imported = _store_new(study, batch, actor, key)
    return ImportReport(imported=tuple(imported), skipped=tuple(batch.skipped), files=tuple(batch.summaries))
