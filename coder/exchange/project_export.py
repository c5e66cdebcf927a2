"""REFI-QDA project export (`.qdpx`): the whole study for ATLAS.ti, MAXQDA, NVivo, QualCoder.

The archive holds `project.qde` (schema `urn:QDA-XML:project:1.0`) and one plain-text
file per transcript in `Sources/`. Coders become users; every live coding becomes a
`PlainTextSelection` with character offsets (Unicode code points, end exclusive)
and the selected text as its name; memos become notes; transcript metadata
(school, school type, date, participants) and attributes become case variables,
and the sets a transcript is in become `Sets` (see `source_facts`). Characters
XML 1.0 cannot hold are left out of every name and text in the document (the
source files keep them), and the document is validated before it is written.

GUIDs are derived from the study (uuid5), so exporting twice gives the same
project and a re-import can recognise what it already has.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from coder import __version__
from coder.codebook.codebook_file import GUID_NAMESPACE
from coder.codebook.study_codebook import active_codes
from coder.coding.queries import transcript_attributes
from coder.errors import FileProblem
from coder.exchange.refi_codebook import add_code_elements, xml_bytes
from coder.exchange.refi_schema import schema_problem
from coder.files import write_file
from coder.storage.models import Coder, Coding, Participant, Transcript
from coder.storage.vocabulary import Attribute

NAMESPACE = "urn:QDA-XML:project:1.0"


@dataclass(frozen=True)
class ProjectExport:
    users: int
    sources: int
    selections: int
    notes: int


def guid(kind: str, key: object) -> str:
    """A stable GUID for one thing in the study."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def _stamp(moment: datetime | None) -> str:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _element(parent: ET.Element, tag: str, attributes: dict[str, str] | None = None, text: str | None = None):
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes or {})
    if text is not None:
        element.text = text
    return element


class ProjectExportError(FileProblem):
    """A project coder would write but the REFI-QDA schema refuses: nothing is written."""


def build_project(session: Session, name: str) -> tuple[bytes, dict[str, str], ProjectExport]:
    """The `project.qde` document and the source files (archive path -> text).

    A container element is written only when it has something in it (the schema
    refuses an empty `<Cases/>`, `<Sources/>`, `<Users/>`, `<Notes/>` or `<Sets/>`).
    """
    ET.register_namespace("", NAMESPACE)
    coders = {c.id: c.name for c in session.execute(select(Coder).order_by(Coder.id)).scalars()}
    users = {cid: guid("user", coder_name) for cid, coder_name in coders.items()}
    root = ET.Element(f"{{{NAMESPACE}}}Project", {
        "name": name, "origin": f"coder {__version__}", "creationDateTime": _stamp(None),
    })
    container = _container(root, "Users", bool(users))
    for cid, user in users.items():
        _element(container, "User", {"guid": user, "name": coders[cid]})
    codes = active_codes(session, include_retired=True)
    if codes:
        add_code_elements(_element(_element(root, "CodeBook"), "Codes"), codes, NAMESPACE)
    transcripts = session.execute(
        select(Transcript).where(Transcript.deleted_at.is_(None)).order_by(Transcript.id)
    ).scalars().all()
    attributes = transcript_attributes(session)
    values = _case_values(session, transcripts, attributes)
    variables = {v: guid("variable", v) for v in dict.fromkeys(n for pairs in values.values() for n, _ in pairs)}
    container = _container(root, "Variables", bool(variables))
    for variable, variable_guid in variables.items():
        _element(container, "Variable", {"guid": variable_guid, "name": variable, "typeOfVariable": "Text"})
    cases = _container(root, "Cases", bool(transcripts))
    for transcript in transcripts:
        own = attributes.get(transcript.id, [])
        case = _element(cases, "Case", {"guid": guid("case", transcript.content_hash),
                                        "name": next((v for n, v in own if n == Attribute.CASE), transcript.title)})
        for variable, value in values[transcript.id]:
            holder = _element(case, "VariableValue")
            _element(holder, "VariableRef", {"targetGUID": variables[variable]})
            _element(holder, "TextValue", text=value)
        _element(case, "SourceRef", {"targetGUID": guid("source", transcript.content_hash)})
    sources = _container(root, "Sources", bool(transcripts))
    files, notes = _sources(session, sources, transcripts, attributes, users, {c.id: c.guid for c in codes})
    container = _container(root, "Notes", bool(notes))
    for note_guid, user, coding in notes:
        note = _element(container, "Note", {
            "guid": note_guid, "name": "Memo", "creatingUser": user,
            "creationDateTime": _stamp(coding.created_at),
        })
        _element(note, "PlainTextContent", text=coding.memo)
    _sets(root, transcripts, attributes)
    summary = ProjectExport(users=len(users), sources=len(transcripts),
                            selections=len(sources.findall(f".//{{{NAMESPACE}}}PlainTextSelection")), notes=len(notes))
    return xml_bytes(root), files, summary


def _container(root: ET.Element, tag: str, needed: bool) -> ET.Element:
    """A container element under `root`, or a detached one when it would stay empty."""
    return _element(root, tag) if needed else ET.Element(tag)


def _case_values(session: Session, transcripts: list[Transcript],
                 attributes: dict[int, list[tuple[str, str]]]) -> dict[int, list[tuple[str, str]]]:
    """Each transcript's case variables: coder's metadata, its participants, its other attributes."""
    people: dict[int, list[str]] = {}
    for tid, label, role in session.execute(
        select(Participant.transcript_id, Participant.label, Participant.role).order_by(Participant.id)
    ):
        people.setdefault(tid, []).append(f"{label}: {role or 'unknown'}")
    values: dict[int, list[tuple[str, str]]] = {}
    for transcript in transcripts:
        fixed = {"school": transcript.school, "school_type": transcript.school_type,
                 "date": transcript.date, "participants": "; ".join(people.get(transcript.id, []))}
        values[transcript.id] = [(name, value) for name, value in fixed.items() if value] + [
            (name, value) for name, value in attributes.get(transcript.id, []) if name not in tuple(Attribute)]
    return values


def _sources(session: Session, container: ET.Element, transcripts: list[Transcript],
             attributes: dict[int, list[tuple[str, str]]], users: dict[int, str], code_guids: dict[int, str]):
    """A `TextSource` per transcript with its memo and its codings as selections; returns the
    source files (archive path -> text) and the notes the selections refer to."""
    by_transcript: dict[int, list[Coding]] = {}
    for coding in session.execute(
        select(Coding).where(Coding.deleted_at.is_(None)).order_by(Coding.transcript_id, Coding.start, Coding.id)
    ).scalars():
        by_transcript.setdefault(coding.transcript_id, []).append(coding)
    files: dict[str, str] = {}
    notes: list[tuple[str, str, Coding]] = []
    for transcript in transcripts:
        source_guid = guid("source", transcript.content_hash)
        files[f"Sources/{source_guid}.txt"] = transcript.text
        source = _element(container, "TextSource", {
            "guid": source_guid, "name": transcript.title,
            "plainTextPath": f"internal://{source_guid}.txt",
            "creationDateTime": _stamp(transcript.imported_at),
        })
        memos = [value for name, value in attributes.get(transcript.id, []) if name == Attribute.MEMO]
        if memos:
            _element(source, "Description", text="\n\n".join(memos))
        for coding in by_transcript.get(transcript.id, []):
            user = users[coding.coder_id]
            selection = _element(source, "PlainTextSelection", {
                "guid": guid("selection", coding.id), "name": transcript.text[coding.start:coding.end],
                "startPosition": str(coding.start), "endPosition": str(coding.end),
                "creatingUser": user, "creationDateTime": _stamp(coding.created_at),
            })
            _element(selection, "Description", text=f"pass: {coding.pass_}")
            refi_coding = _element(selection, "Coding", {
                "guid": guid("coding", coding.id), "creatingUser": user,
                "creationDateTime": _stamp(coding.created_at),
            })
            _element(refi_coding, "CodeRef", {"targetGUID": code_guids[coding.code_id]})
            if coding.memo:
                note_guid = guid("memo", coding.id)
                _element(selection, "NoteRef", {"targetGUID": note_guid})
                notes.append((note_guid, user, coding))
    return files, notes


def _sets(root: ET.Element, transcripts: list[Transcript], attributes: dict[int, list[tuple[str, str]]]) -> None:
    """A `Set` per set name among the transcripts' attributes, with its transcripts as members."""
    sets: dict[str, list[str]] = {}
    for transcript in transcripts:
        for name, value in attributes.get(transcript.id, []):
            if name == Attribute.SET:
                sets.setdefault(value, []).append(guid("source", transcript.content_hash))
    container = _container(root, "Sets", bool(sets))
    for set_name, members in sets.items():
        member_set = _element(container, "Set", {"guid": guid("set", set_name), "name": set_name})
        for member in members:
            _element(member_set, "MemberSource", {"targetGUID": member})


def export_qdpx(session: Session, path: str | Path) -> ProjectExport:
    """Write the study as a `.qdpx` archive, whole or not at all.

    The document is checked against the REFI-QDA schema before the archive is
    written: a file other tools would refuse is never written.
    """
    path = Path(path)
    document, files, summary = build_project(session, path.stem)
    problem = schema_problem(document)
    if problem:
        raise ProjectExportError(path, f"the project would not follow the REFI-QDA schema ({problem}); "
                                       "nothing was written. Please report this as a bug in coder")

    def write(stream) -> None:
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", document)
            for name, text in files.items():
                archive.writestr(name, text.encode("utf-8"))

    write_file(path, write, binary=True)
    return summary
