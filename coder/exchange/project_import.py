"""REFI-QDA project import (`.qdpx`): lenient with real files, strict with hostile ones.

Real writers differ from the standard: the project XML may be any `*.qde` at the
root, sources may sit in `Sources/`, `sources/` or inline, namespaces vary, GUIDs
vary in case and braces, texts carry a BOM and CRLF, and some writers count
offsets in UTF-16 code units. Each difference is absorbed here and reported.

The archive is untrusted: nothing is extracted to disk, member names that climb
out (`../`) or are absolute are refused, and the declared and the actual unpacked
sizes are capped (zip bombs). XML goes through defusedxml.

Everything is written in one transaction, all or nothing: codebook, transcripts,
every project user as a coder, codings and memos, and the sources' cases, variables
and sets as transcript attributes (`source_facts`). Nothing is dropped: every
selection with a code becomes a coding with its exact span, the text outside every
turn is a turn of its own (`source_turns`), and only a selection outside the text
is not placed, and counted.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from coder.codebook.codebook_file import Codebook
from coder.codebook.study_codebook import apply_codebook
from coder.coding.actions import ensure_coder, place_coding
from coder.errors import CodebookError, CoderError, TranscriptError
from coder.exchange.refi_codebook import (
    children,
    codes_from_element,
    local,
    normalise_guid,
    parse_xml,
)
from coder.exchange.refi_schema import schema_problem
from coder.exchange.source_facts import SourceFacts, source_facts, store_attributes
from coder.exchange.source_turns import declared_participants, source_turns
from coder.ingest.decoding import check_text, decode_as_written
from coder.ingest.formats.parsed import ParsedTranscript, content_hash
from coder.ingest.formats.word import docx_text
from coder.ingest.importer import store_parsed
from coder.storage.audit import record
from coder.storage.audit_events import ProjectImported
from coder.storage.database import Study
from coder.storage.deletions import INCLUDE_DELETED
from coder.storage.models import Code, Coder, Coding, Segment, Transcript
from coder.storage.vocabulary import SCHOOL_TYPES, Attribute, Pass

MAX_MEMBERS = 20_000
MAX_UNPACKED = 512 * 1024 * 1024
IMPORTED_CODER = "imported"


class ProjectError(CodebookError):
    """A `.qdpx` archive that cannot be imported as it stands."""


@dataclass
class SourceReport:
    """One source as imported: how its speakers were read, its offsets' unit, its codings."""

    name: str
    speakers: str
    offset_unit: str
    codings: int = 0
    guid: str = ""


@dataclass
class ProjectImport:
    """What an import did, and everything it had to work around."""

    sources: int = 0
    codings: int = 0
    #: The users who coded something; every user of the project (`users`) becomes a coder.
    coders: set[str] = field(default_factory=set)
    users: list[str] = field(default_factory=list)
    codes: int = 0
    memos: int = 0
    #: Codings that could not be placed (outside the text): the only ones not imported.
    not_placed: int = 0
    #: Codings the study already had (the same project imported again): counted, not doubled.
    already: int = 0
    per_coder: Counter[str] = field(default_factory=Counter)
    per_source: list[SourceReport] = field(default_factory=list)
    offset_unit: str = "code points"
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Selection:
    """A span of a source with its codings: (code id, coder) pairs, each `Coding` naming its
    own coder where the file says (a selection two people coded), else the selection's."""

    start: int
    end: int
    name: str
    codings: tuple[tuple[str, str], ...]
    memo: str
    pass_: str


# --- the archive -----------------------------------------------------------------


class Archive:
    """Read-only, size-capped access to the members of an untrusted zip file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, FileNotFoundError, IsADirectoryError) as exc:
            raise ProjectError(path, f"not a .qdpx archive ({exc})") from None
        try:
            self.names = self._members()
        except ProjectError:
            self.zip.close()
            raise
        self.budget = MAX_UNPACKED

    def _members(self) -> dict[str, zipfile.ZipInfo]:
        """The archive's files by name, once the directory shows nothing unsafe or too large."""
        path, infos = self.path, self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ProjectError(path, f"refused: {len(infos)} files in the archive (limit {MAX_MEMBERS})")
        for info in infos:
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if info.filename.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", info.filename):
                raise ProjectError(path, f"refused: unsafe path in the archive: {info.filename}")
        declared = sum(info.file_size for info in infos)
        if declared > MAX_UNPACKED:
            raise ProjectError(path, f"refused: unpacks to {declared / 2**20:.0f} MB (limit {MAX_UNPACKED // 2**20} MB)")
        return {info.filename: info for info in infos if not info.is_dir()}

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the file: on Windows an open archive could not be moved or deleted after an import."""
        self.zip.close()

    def read(self, name: str) -> bytes:
        """A member's bytes, read no further than what is left of the size budget.

        zipfile stops at the size the directory declares and then checks the CRC, so a
        member whose header lies about its size fails here (as does a corrupt stream):
        that is a refusal of the archive, not a crash.
        """
        try:
            with self.zip.open(self.names[name]) as member:
                data = member.read(self.budget + 1)
        except (zipfile.BadZipFile, zlib.error) as exc:
            raise ProjectError(self.path, f"refused: {name} is damaged or not the size it declares ({exc})") from None
        if len(data) > self.budget:
            raise ProjectError(self.path, f"refused: {name} unpacks beyond the {MAX_UNPACKED // 2**20} MB limit")
        self.budget -= len(data)
        return data

    def project_name(self) -> str:
        at_root = [n for n in self.names if "/" not in n and n.lower().endswith(".qde")]
        if not at_root:
            raise ProjectError(self.path, "no project file (*.qde) at the root of the archive")
        return "project.qde" if "project.qde" in at_root else sorted(at_root)[0]

    def source(self, reference: str) -> bytes | None:
        """The file a `plainTextPath` names: in Sources/, sources/ or at the root."""
        name = reference.split("://", 1)[-1].strip("/")
        candidates = {f"Sources/{name}", f"sources/{name}", name}
        for member in self.names:
            if member in candidates or member.lower() in {c.lower() for c in candidates}:
                return self.read(member)
        return None


# --- text and offsets --------------------------------------------------------------


def utf16_to_code_points(text: str) -> list[int]:
    """Index map: UTF-16 code-unit offset -> code-point offset (astral characters take two units)."""
    mapping = []
    for index, char in enumerate(text):
        mapping.append(index)
        if ord(char) > 0xFFFF:
            mapping.append(index)
    mapping.append(len(text))
    return mapping


#: What `normalise_line_ends` changes: CRLF first, then the other line breaks (CR, VT, FF, NEL and
#: the Unicode line and paragraph separators), then the control characters a stored text never
#: holds (they would act on the terminal showing it); tab and line feed stay.
_NOT_KEPT = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]|[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def normalise_line_ends(text: str) -> tuple[str, list[int]]:
    """Line breaks of every kind become LF and other control characters go; returns the text and a
    map old offset -> new offset, so selections still name the same characters.

    Only the characters that change are visited (a source of a million characters has a few
    thousand line breaks); the stretches between them map one to one.
    """
    out, mapping, kept, shift = [], [], 0, 0
    for match in _NOT_KEPT.finditer(text):
        start = match.start()
        out.append(text[kept:start])
        mapping.extend(range(kept - shift, start - shift))
        new = start - shift
        if match.group() == "\r\n":
            mapping += [new, new + 1]
            out.append("\n")
            shift += 1
        elif match.group() in "\r\x0b\x0c\x85\u2028\u2029":
            mapping.append(new)
            out.append("\n")
        else:
            mapping.append(new)
            shift += 1
        kept = match.end()
    out.append(text[kept:])
    mapping.extend(range(kept - shift, len(text) - shift + 1))
    return "".join(out), mapping


def _on_boundary(text: str, offset: int) -> bool:
    if offset <= 0 or offset >= len(text):
        return True
    return not (text[offset - 1].isalnum() and text[offset].isalnum())


def choose_unit(text: str, selections: list[Selection]) -> str:
    """Which unit makes the selections land on the text they name (or, without names,
    on word boundaries): code points or UTF-16 code units."""
    if not any(ord(ch) > 0xFFFF for ch in text):
        return "code points"  # both units agree on this text
    mapping = utf16_to_code_points(text)

    def score(convert) -> int:
        total = 0
        for s in selections:
            start, end = convert(s.start), convert(s.end)
            if start is None or end is None:
                continue
            if s.name:
                total += text[start:end] == s.name
            else:
                total += _on_boundary(text, start) and _on_boundary(text, end)
        return total

    as_points = score(lambda o: o if 0 <= o <= len(text) else None)
    as_units = score(lambda o: mapping[o] if 0 <= o < len(mapping) else None)
    return "UTF-16 code units" if as_units > as_points else "code points"


# --- reading the project -------------------------------------------------------------


def _text_of(element, archive: Archive, path: Path) -> str | None:
    """A source's or note's plain text: inline, from its `.txt`, else from its Word file.

    Rich-text sources (`richTextPath`) come with the plain text their offsets count in;
    only a source without one is read from its `.docx`.
    """
    content = children(element, "PlainTextContent")
    if content and content[0].text is not None:
        return content[0].text
    plain, rich = element.get("plainTextPath"), element.get("richTextPath")
    data = archive.source(plain) if plain else None
    if data is not None:
        return decode_as_written(data)
    data = archive.source(rich) if rich else None
    if data is None:
        return None
    try:
        return docx_text(data, f"{path}: {rich}")
    except TranscriptError:
        return None


def import_qdpx(study: Study, path: str | Path, actor: str) -> ProjectImport:
    """Import a REFI-QDA project into `study`, all or nothing.

    Every user of the project becomes a coder, whether they coded or not, and every
    selection with a code becomes a coding with its exact span (see `_store_selections`).
    """
    path = Path(path)
    with Archive(path) as archive:
        return _import_archive(study, path, archive, actor)


def _import_archive(study: Study, path: Path, archive: Archive, actor: str) -> ProjectImport:
    document = archive.read(archive.project_name())
    root = parse_xml(document, path, ProjectError)
    if local(root.tag) != "Project":
        raise ProjectError(path, f"not a REFI-QDA project (root element is <{local(root.tag)}>)")
    report = ProjectImport()
    problem = schema_problem(document)
    if problem:
        report.warnings.append(f"the project does not follow the REFI-QDA schema ({problem}); "
                               "imported as far as its meaning is clear")
    users = {normalise_guid(u.get("guid"), str(path)): (u.get("name") or u.get("id") or IMPORTED_CODER)
             for users_element in children(root, "Users") for u in children(users_element, "User")}
    report.users = list(dict.fromkeys(users.values()))
    books = children(root, "CodeBook")
    specs = codes_from_element(books[0], path) if books else ()
    codebook = Codebook(path=str(path), title=path.stem, codes=specs)
    code_ids = {spec.guid: spec.id for spec, _ in codebook.walk()}
    report.codes = len(code_ids)
    notes = {normalise_guid(n.get("guid"), str(path)): (_text_of(n, archive, path) or "")
             for notes_element in children(root, "Notes") for n in children(notes_element, "Note")}
    facts = source_facts(root, str(path))
    report.warnings += _without_a_place(root, notes, str(path))

    with study.session() as session:
        # deleted transcripts too: their text is in the study, and its hash can be stored only once
        known = dict(session.execute(select(Transcript.content_hash, Transcript.id)
                                     .execution_options(**{INCLUDE_DELETED: True})).all())
    reads = [read for sources in children(root, "Sources") for source in children(sources, "TextSource")
             if (read := _read_source(source, archive, users, notes, code_ids, facts, report, path)) is not None]
    fresh: dict[str, ParsedTranscript] = {}
    for read in reads:
        if read.digest in known or read.digest in fresh:
            read.report.speakers = "the same text as a transcript in the study or a source before it: codings go there"
        else:
            fresh[read.digest] = read.transcript

    with study.session() as session:
        if specs:
            apply_codebook(session, codebook, actor, retire_missing=False)
        for user in report.users:
            ensure_coder(session, user, added_by=actor)
        known |= dict(zip(fresh, store_parsed(session, list(fresh.values()), actor), strict=True))
        for read in reads:
            read.report.codings = _store_selections(session, known[read.digest], read.transcript.title,
                                                    read.transcript.text, read.selections, report, actor)
            report.codings += read.report.codings
            store_attributes(session, known[read.digest], facts[read.report.guid].attributes, actor)
        report.sources = len(fresh)
        record(session, actor, ProjectImported(path=str(path), sources=report.sources, codings=report.codings,
                                               offset_unit=report.offset_unit, warnings=tuple(report.warnings),
                                               not_placed=report.not_placed))
    return report


@dataclass
class _Read:
    """A source as read: its text, selections and the transcript it makes. When a transcript
    in the study or a source before it has the same text, the codings go to that one."""

    transcript: ParsedTranscript
    selections: list[Selection]
    report: SourceReport

    @property
    def digest(self) -> str:
        return self.transcript.content_hash


def _read_source(source, archive: Archive, users, notes, code_ids, facts, report: ProjectImport, path: Path):
    """A source's text, selections and transcript, or None (with a warning) when it has no text."""
    name = source.get("name") or "source"
    raw = _text_of(source, archive, path)
    if raw is None:
        report.warnings.append(f"{name}: its text file is missing from the archive or unreadable; skipped")
        return None
    try:
        check_text(raw, name)  # the cap on any transcript's text, before the work on it
    except TranscriptError as exc:
        raise ProjectError(path, f"source '{name}' is {exc.problem}") from None
    if "\x00" in raw:
        raise ProjectError(path, f"source '{name}' holds NUL characters, which no text has: is it a binary file?")
    selections = [_selection(element, users, notes, code_ids, str(path), report)
                  for element in children(source, "PlainTextSelection")]
    unit = choose_unit(raw, selections)
    if unit != "code points":
        report.offset_unit = unit
        mapping = utf16_to_code_points(raw)
        selections = [_moved(s, mapping) for s in selections]
    text, line_map = normalise_line_ends(raw)
    selections = [_moved(s, line_map) for s in selections]
    if children(source, "Coding"):  # codes applied to the source as a whole
        selections.append(_selection(source, users, notes, code_ids, str(path), report, whole=(0, len(text))))
    digest = content_hash(text)
    guid = normalise_guid(source.get("guid"), str(path))
    fact = facts.setdefault(guid, SourceFacts())
    memo = _source_memo(source, notes, str(path))
    if memo:
        fact.add(Attribute.MEMO, memo)
    turns, participants, speakers = source_turns(text, declared_participants(fact.fixed.get("participants", "")))
    if not turns:
        report.warnings.append(f"{name}: no text; skipped")
        return None
    source_report = SourceReport(name, speakers, unit, guid=guid)
    school_type = (fact.fixed.get("school_type") or "").lower() or None
    if school_type not in (None, *SCHOOL_TYPES):
        report.warnings.append(f"{name}: school type '{school_type}' is not one of coder's; kept as an attribute")
        fact.attributes.append(("school_type", school_type))
        school_type = None
    transcript = ParsedTranscript(
        source=name, title=name, text=text, turns=turns, participants=participants, content_hash=digest,
        school=fact.fixed.get("school"), school_type=school_type, date=fact.fixed.get("date"),
    )
    report.per_source.append(source_report)
    return _Read(transcript, selections, source_report)


def _source_memo(source, notes: dict[str, str], path: str) -> str:
    """A source's own memo: its description and the notes it refers to, as one text."""
    parts = [d.text or "" for d in children(source, "Description")]
    parts += [notes.get(normalise_guid(r.get("targetGUID"), path), "") for r in children(source, "NoteRef")]
    return "\n\n".join(part.strip() for part in parts if part.strip())


def _without_a_place(root, notes: dict[str, str], path: str) -> list[str]:
    """Warnings for what coder has no place for: cases that refer to no source, and notes no
    source or selection refers to (a journal, a project memo)."""
    caseless = sum(1 for cases in children(root, "Cases") for case in children(cases, "Case")
                   if not children(case, "SourceRef"))
    referenced = {normalise_guid(r.get("targetGUID"), path)
                  for holder in children(root, "Sources") for r in holder.iter() if local(r.tag) == "NoteRef"}
    unattached = sum(1 for guid, text in notes.items() if guid not in referenced and text.strip())
    return [*([f"{caseless} case(s) refer to no source; their variables are not imported"] if caseless else []),
            *([f"{unattached} note(s) belong to no source or coding (a journal, a project memo): coder has no "
               "place for them; not imported"] if unattached else [])]


def _selection(element, users, notes, code_ids, path: str, report: ProjectImport,
               whole: tuple[int, int] | None = None) -> Selection:
    """One `PlainTextSelection` as read: its span, text, codings with their coders, memo and
    pass. With `whole`, the `Coding`s of a source itself: the span of its whole text."""
    selection_user = _user(element.get("creatingUser"), users, path, IMPORTED_CODER)
    codings, memo_parts = [], []
    for coding in children(element, "Coding"):
        user = _user(coding.get("creatingUser"), users, path, selection_user)
        memo_parts += [notes.get(normalise_guid(r.get("targetGUID"), path), "") for r in children(coding, "NoteRef")]
        for ref in children(coding, "CodeRef"):
            code = code_ids.get(normalise_guid(ref.get("targetGUID"), path))
            if code is None:
                report.warnings.append(f"a coding refers to code {ref.get('targetGUID')}, which the codebook lacks")
            else:
                codings.append((code, user))
    if whole:
        return Selection(*whole, "", tuple(codings), "\n\n".join(p for p in memo_parts if p), Pass.PRIMARY)
    description = children(element, "Description")
    text = (description[0].text or "") if description else ""
    pass_ = next((p for p in Pass if text.strip() == f"pass: {p}"), Pass.PRIMARY)
    memo_parts = [notes.get(normalise_guid(r.get("targetGUID"), path), "")
                  for r in children(element, "NoteRef")] + memo_parts
    if text and not text.startswith("pass: "):
        memo_parts.insert(0, text)
    return Selection(
        _offset(element.get("startPosition")), _offset(element.get("endPosition")), element.get("name") or "",
        tuple(codings), "\n\n".join(p for p in memo_parts if p), pass_,
    )


def _user(guid: str | None, users: dict[str, str], path: str, default: str) -> str:
    """The name of the user a `creatingUser` GUID names, or `default` without one."""
    return users.get(normalise_guid(guid, path), IMPORTED_CODER) if guid else default


def _offset(value: str | None) -> int:
    """A selection's offset; one that is no number places the selection outside the text (-1)."""
    try:
        return int(value or "")
    except ValueError:
        return -1


def _moved(selection: Selection, mapping: list[int]) -> Selection:
    """The selection with its offsets mapped; one outside the text keeps them, to be refused."""
    if not 0 <= selection.start < selection.end < len(mapping):
        return selection
    return replace(selection, start=mapping[selection.start], end=mapping[selection.end])


def _store_selections(session, transcript_id: int, title: str, text: str,
                      selections: list[Selection], report: ProjectImport, actor: str) -> int:
    """Each selection's codings, as its original coder's; the import itself is `actor`'s action.

    A coding keeps the selection's exact span and so its exact text. Its segments are
    those the span overlaps; a span that overlaps none (on a speaker label or between
    turns) is attached to the segment after it, or the last one. Only a span outside
    the text cannot be placed: it is counted as not placed. A coding the transcript
    already has (same coder, code, span and pass: the project was imported before) is
    counted, not doubled.
    """
    # Segments follow each other through the text, so both their starts and their ends
    # ascend: the segments a selection overlaps are found by bisection.
    segments = session.execute(
        select(Segment.start, Segment.end)
        .where(Segment.transcript_id == transcript_id).order_by(Segment.position)
    ).all()
    starts, ends = [start for start, _ in segments], [end for _, end in segments]
    present = set(session.execute(
        select(Coder.name, Code.code_id, Coding.start, Coding.end, Coding.pass_)
        .join(Coder, Coder.id == Coding.coder_id).join(Code, Code.id == Coding.code_id)
        .where(Coding.transcript_id == transcript_id, Coding.deleted_at.is_(None))
    ).all())
    stored = on_labels = 0
    for s in selections:
        if not s.codings:
            continue  # a selection without a code is no coding
        if not (0 <= s.start < s.end <= len(text)):
            report.warnings.append(f"{title}: a coding at {s.start}-{s.end} lies outside the text "
                                   f"(length {len(text)}); not imported")
            report.not_placed += len(s.codings)
            continue
        first, last = bisect_right(ends, s.start), bisect_left(starts, s.end) - 1
        if first > last:
            on_labels += 1
            first = last = min(first, len(segments) - 1)
        for code_id, user in s.codings:
            if (user, code_id, s.start, s.end, s.pass_) in present:
                report.already += 1
                continue
            try:
                place_coding(session, user, code_id, transcript_id, first, last, pass_=s.pass_,
                             memo=s.memo, span=(s.start, s.end), imported_by=actor)
            except CoderError as exc:
                report.warnings.append(f"{title}: {exc}; not imported")
                report.not_placed += 1
                continue
            present.add((user, code_id, s.start, s.end, s.pass_))
            report.coders.add(user)
            report.per_coder[user] += 1
            report.memos += bool(s.memo)
            stored += 1
    if on_labels:
        report.warnings.append(f"{title}: {on_labels} selection(s) lie on a speaker label or between turns only; "
                               "kept with their exact text, on the turn that follows")
    return stored
