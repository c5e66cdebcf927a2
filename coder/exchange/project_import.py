"""REFI-QDA project import (`.qdpx`): lenient with real files, strict with hostile ones.

Real writers differ from the standard: the project XML may be any `*.qde` at the
root, sources may sit in `Sources/`, `sources/` or inline, namespaces vary, GUIDs
vary in case and braces, texts carry a BOM and CRLF, and some writers count
offsets in UTF-16 code units. Each difference is absorbed here and reported.

The archive is untrusted: nothing is extracted to disk, member names that climb
out (`../`) or are absolute are refused, and the declared and the actual unpacked
sizes are capped (zip bombs). XML goes through defusedxml.

Everything is written in one transaction, all or nothing: codebook, transcripts,
codings with their coders (the project's users) and memos.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sqlalchemy import select

from coder.codebook.codebook_file import Codebook
from coder.codebook.study_codebook import apply_codebook
from coder.coding.actions import place_coding
from coder.errors import CodebookError, CoderError, TranscriptError
from coder.exchange.refi_codebook import (
    children,
    codes_from_element,
    local,
    normalise_guid,
    parse_xml,
)
from coder.ingest.decoding import check_text, decode_as_written
from coder.ingest.formats.coder_text import find_turns
from coder.ingest.formats.labels import UNKNOWN_SPEAKER, guess_role
from coder.ingest.formats.parsed import ParsedTranscript, ParticipantSpec, TurnSpec
from coder.ingest.importer import store_parsed
from coder.storage.audit import record
from coder.storage.audit_events import ProjectImported
from coder.storage.database import Study
from coder.storage.models import Segment, Transcript
from coder.storage.vocabulary import SCHOOL_TYPES, Pass

if TYPE_CHECKING:  # xmlschema takes a second to import: only validating a project loads it
    import xmlschema

MAX_MEMBERS = 20_000
MAX_UNPACKED = 512 * 1024 * 1024
IMPORTED_CODER = "imported"


class ProjectError(CodebookError):
    """A `.qdpx` archive that cannot be imported as it stands."""


@dataclass
class ProjectImport:
    """What an import did, and everything it had to work around."""

    sources: int = 0
    codings: int = 0
    coders: set[str] = field(default_factory=set)
    offset_unit: str = "code points"
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Selection:
    start: int
    end: int
    name: str
    user: str
    codes: tuple[str, ...]
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
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ProjectError(path, f"refused: {len(infos)} files in the archive (limit {MAX_MEMBERS})")
        for info in infos:
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if info.filename.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", info.filename):
                raise ProjectError(path, f"refused: unsafe path in the archive: {info.filename}")
        declared = sum(info.file_size for info in infos)
        if declared > MAX_UNPACKED:
            raise ProjectError(path, f"refused: unpacks to {declared / 2**20:.0f} MB (limit {MAX_UNPACKED // 2**20} MB)")
        self.names = {info.filename: info for info in infos if not info.is_dir()}
        self.budget = MAX_UNPACKED

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


def normalise_line_ends(text: str) -> tuple[str, list[int]]:
    """CRLF and CR become LF; returns the text and a map old offset -> new offset."""
    out, mapping, index = [], [], 0
    while index < len(text):
        mapping.append(len(out))
        if text[index] == "\r":
            out.append("\n")
            if index + 1 < len(text) and text[index + 1] == "\n":
                mapping.append(len(out))
                index += 1
        else:
            out.append(text[index])
        index += 1
    mapping.append(len(out))
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


@lru_cache(maxsize=1)
def _project_schema() -> xmlschema.XMLSchema:
    import xmlschema

    return xmlschema.XMLSchema(str(Path(__file__).parent / "schemas" / "Project.xsd"))


def schema_problem(document: bytes) -> str | None:
    """The first way `document` departs from Project.xsd, in a few words; None if valid.

    Only a warning: real files often depart from the schema yet mean something clear.
    Called only on a document defusedxml has already accepted, so it declares no
    entities for xmlschema to expand.
    """
    error = next(_project_schema().iter_errors(document.decode("utf-8", errors="replace")), None)
    return None if error is None else (error.reason or str(error)).splitlines()[0][:160]


def _text_of(element, archive: Archive) -> str | None:
    content = children(element, "PlainTextContent")
    if content and content[0].text is not None:
        return content[0].text
    reference = element.get("plainTextPath")
    if reference:
        data = archive.source(reference)
        return decode_as_written(data) if data is not None else None
    return None


def _turns_for(text: str, label_hint: str) -> tuple[tuple[TurnSpec, ...], tuple[ParticipantSpec, ...]]:
    """Speaker turns if the text has them; else one turn per paragraph by an unknown speaker."""
    turns = find_turns(text)
    if turns:
        labels = dict.fromkeys(t.label for t in turns)
        return turns, tuple(ParticipantSpec(label, guess_role(label)) for label in labels)
    paragraphs = [m.span() for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    turns = tuple(TurnSpec(label_hint, start, end) for start, end in paragraphs)
    return turns, (ParticipantSpec(label_hint, None),)


def import_qdpx(study: Study, path: str | Path, actor: str) -> ProjectImport:
    """Import a REFI-QDA project into `study`, all or nothing."""
    path = Path(path)
    archive = Archive(path)
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
    books = children(root, "CodeBook")
    specs = codes_from_element(books[0], path) if books else ()
    codebook = Codebook(path=str(path), title=path.stem, codes=specs)
    code_ids = {spec.guid: spec.id for spec, _ in codebook.walk()}
    notes = {normalise_guid(n.get("guid"), str(path)): (_text_of(n, archive) or "")
             for notes_element in children(root, "Notes") for n in children(notes_element, "Note")}
    metadata = _case_metadata(root, path)

    parsed: list[ParsedTranscript] = []
    selections: list[list[Selection]] = []
    with study.session() as session:
        known = set(session.execute(select(Transcript.content_hash)).scalars())
    for sources in children(root, "Sources"):
        for source in children(sources, "TextSource"):
            result = _read_source(source, archive, users, notes, code_ids, metadata, known, report, str(path))
            if result is not None:
                parsed.append(result[0])
                selections.append(result[1])

    with study.session() as session:
        if specs:
            apply_codebook(session, codebook, actor, retire_missing=False)
        ids = store_parsed(session, parsed, actor)
        for transcript_id, transcript, chosen in zip(ids, parsed, selections, strict=True):
            report.codings += _store_selections(session, transcript_id, transcript, chosen, report, actor)
        report.sources = len(parsed)
        record(session, actor, ProjectImported(path=str(path), sources=report.sources, codings=report.codings,
                                               offset_unit=report.offset_unit, warnings=tuple(report.warnings)))
    return report


def _case_metadata(root, path: Path) -> dict[str, dict[str, str]]:
    """Source GUID -> {variable name: value} from cases that reference the source."""
    names = {normalise_guid(v.get("guid"), str(path)): (v.get("name") or "").lower()
             for variables in children(root, "Variables") for v in children(variables, "Variable")}
    result: dict[str, dict[str, str]] = {}
    for cases in children(root, "Cases"):
        for case in children(cases, "Case"):
            values = {}
            for value in children(case, "VariableValue"):
                reference = children(value, "VariableRef")
                if not reference:
                    continue
                name = names.get(normalise_guid(reference[0].get("targetGUID"), str(path)), "")
                texts = [c.text for c in value if local(c.tag) != "VariableRef" and c.text]
                if name and texts:
                    values[name.replace(" ", "_")] = texts[0].strip()
            for source in children(case, "SourceRef"):
                result.setdefault(normalise_guid(source.get("targetGUID"), str(path)), {}).update(values)
    return result


def _read_source(source, archive, users, notes, code_ids, metadata, known, report, path):
    name = source.get("name") or "source"
    raw = _text_of(source, archive)
    if raw is None:
        report.warnings.append(f"{name}: its text file is missing from the archive; skipped")
        return None
    try:
        check_text(raw, name)  # the cap on any transcript's text, before the work on it
    except TranscriptError as exc:
        raise ProjectError(path, f"source '{name}' is {exc.problem}") from None
    if "\x00" in raw:
        raise ProjectError(path, f"source '{name}' holds NUL characters, which no text has: is it a binary file?")
    selections = []
    for element in children(source, "PlainTextSelection"):
        codes = tuple(code_ids.get(normalise_guid(ref.get("targetGUID"), path), "")
                      for coding in children(element, "Coding") for ref in children(coding, "CodeRef"))
        description = children(element, "Description")
        text = (description[0].text or "") if description else ""
        pass_ = next((p for p in Pass if text.strip() == f"pass: {p}"), Pass.PRIMARY)
        memo_parts = [notes.get(normalise_guid(r.get("targetGUID"), path), "") for r in children(element, "NoteRef")]
        if text and not text.startswith("pass: "):
            memo_parts.insert(0, text)
        user = element.get("creatingUser")
        positions = _positions(element)
        if positions is None:
            report.warnings.append(f"{name}: a selection without whole-number start and end positions "
                                   f"({element.get('startPosition')!r}, {element.get('endPosition')!r}); skipped")
            continue
        selections.append(Selection(
            *positions, element.get("name") or "",
            users.get(normalise_guid(user, path), IMPORTED_CODER) if user else IMPORTED_CODER,
            tuple(c for c in codes if c), "\n\n".join(p for p in memo_parts if p), pass_,
        ))
    unit = choose_unit(raw, selections)
    if unit != "code points":
        report.offset_unit = unit
        mapping = utf16_to_code_points(raw)
        selections = [_moved(s, lambda o: mapping[min(o, len(mapping) - 1)]) for s in selections]
    text, line_map = normalise_line_ends(raw)
    selections = [_moved(s, lambda o: line_map[min(max(o, 0), len(line_map) - 1)]) for s in selections]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest in known:
        report.warnings.append(f"{name}: already in the study (same text); skipped with its codings")
        return None
    known.add(digest)
    turns, participants = _turns_for(text, UNKNOWN_SPEAKER)
    if not turns:
        report.warnings.append(f"{name}: no text; skipped")
        return None
    meta = metadata.get(normalise_guid(source.get("guid"), path), {})
    school_type = (meta.get("school_type") or "").lower() or None
    if school_type not in (None, *SCHOOL_TYPES):
        report.warnings.append(f"{name}: school type '{school_type}' is not one of coder's; left empty")
        school_type = None
    transcript = ParsedTranscript(
        source=name, title=name, text=text, turns=turns, participants=participants, content_hash=digest,
        school=meta.get("school"), school_type=school_type, date=meta.get("date"),
    )
    return transcript, selections


def _positions(element) -> tuple[int, int] | None:
    """A selection's start and end offsets, or None when either is not a whole number."""
    try:
        return int(element.get("startPosition")), int(element.get("endPosition"))
    except (TypeError, ValueError):
        return None


def _moved(selection: Selection, convert) -> Selection:
    return Selection(convert(selection.start), convert(selection.end), selection.name, selection.user,
                     selection.codes, selection.memo, selection.pass_)


def _store_selections(session, transcript_id: int, transcript: ParsedTranscript,
                      selections: list[Selection], report: ProjectImport, actor: str) -> int:
    """Each selection's codings, as its original coder's; the import itself is `actor`'s action."""
    # Segments follow each other through the text, so both their starts and their ends
    # ascend: the segments a selection overlaps are found by bisection.
    segments = session.execute(
        select(Segment.start, Segment.end)
        .where(Segment.transcript_id == transcript_id).order_by(Segment.position)
    ).all()
    starts, ends = [start for start, _ in segments], [end for _, end in segments]
    stored = 0
    for s in selections:
        if not (0 <= s.start < s.end <= len(transcript.text)):
            report.warnings.append(f"{transcript.title}: a coding at {s.start}-{s.end} lies outside the text; skipped")
            continue
        first, last = bisect_right(ends, s.start), bisect_left(starts, s.end) - 1
        if first > last or not s.codes:
            report.warnings.append(f"{transcript.title}: a selection at {s.start}-{s.end} covers no speech "
                                   "or has no code; skipped")
            continue
        for code_id in s.codes:
            try:
                place_coding(session, s.user, code_id, transcript_id, first, last, pass_=s.pass_,
                             memo=s.memo, span=(s.start, s.end), imported_by=actor)
            except CoderError as exc:
                report.warnings.append(f"{transcript.title}: {exc}; skipped")
                continue
            report.coders.add(s.user)
            stored += 1
    return stored
