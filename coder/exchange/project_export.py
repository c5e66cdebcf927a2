"""REFI-QDA project export (`.qdpx`): the whole study for ATLAS.ti, MAXQDA, NVivo, QualCoder.

The archive holds `project.qde` (schema `urn:QDA-XML:project:1.0`) and one plain-text
file per transcript in `Sources/`. Coders become users; every live coding becomes a
`PlainTextSelection` with character offsets (Unicode code points, end exclusive)
and the selected text as its name; memos become notes; transcript metadata
(school, school type, date, participants) become case variables.

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
from coder.exchange.refi_codebook import add_code_elements, xml_bytes
from coder.files import write_file
from coder.storage.models import Coder, Coding, Participant, Transcript

NAMESPACE = "urn:QDA-XML:project:1.0"
#: Transcript metadata exported as case variables (all text).
VARIABLES = ("school", "school_type", "date", "participants")


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


def build_project(session: Session, name: str) -> tuple[bytes, dict[str, str], ProjectExport]:
    """The `project.qde` document and the source files (archive path -> text)."""
    ET.register_namespace("", NAMESPACE)
    coders = {c.id: c.name for c in session.execute(select(Coder).order_by(Coder.id)).scalars()}
    users = {cid: guid("user", coder_name) for cid, coder_name in coders.items()}
    root = ET.Element(f"{{{NAMESPACE}}}Project", {
        "name": name, "origin": f"coder {__version__}", "creationDateTime": _stamp(None),
    })
    if users:
        container = _element(root, "Users")
        for cid, user in users.items():
            _element(container, "User", {"guid": user, "name": coders[cid]})
    codes = active_codes(session, include_retired=True)
    code_guids = {code.id: code.guid for code in codes}
    add_code_elements(_element(_element(root, "CodeBook"), "Codes"), codes, NAMESPACE)
    variables = {v: guid("variable", v) for v in VARIABLES}
    container = _element(root, "Variables")
    for variable, variable_guid in variables.items():
        _element(container, "Variable", {"guid": variable_guid, "name": variable, "typeOfVariable": "Text"})

    transcripts = session.execute(select(Transcript).order_by(Transcript.id)).scalars().all()
    people: dict[int, list[str]] = {}
    for tid, label, role in session.execute(
        select(Participant.transcript_id, Participant.label, Participant.role).order_by(Participant.id)
    ):
        people.setdefault(tid, []).append(f"{label}: {role or 'unknown'}")
    cases = _element(root, "Cases")
    sources = _element(root, "Sources")
    files: dict[str, str] = {}
    notes: list[tuple[str, str, Coding]] = []
    selections = 0
    codings = session.execute(
        select(Coding).where(Coding.deleted_at.is_(None)).order_by(Coding.transcript_id, Coding.start, Coding.id)
    ).scalars().all()
    by_transcript: dict[int, list[Coding]] = {}
    for coding in codings:
        by_transcript.setdefault(coding.transcript_id, []).append(coding)
    for transcript in transcripts:
        source_guid = guid("source", transcript.content_hash)
        values = {"school": transcript.school, "school_type": transcript.school_type,
                  "date": transcript.date, "participants": "; ".join(people.get(transcript.id, []))}
        case = _element(cases, "Case", {"guid": guid("case", transcript.content_hash), "name": transcript.title})
        for variable, value in values.items():
            if value:
                holder = _element(case, "VariableValue")
                _element(holder, "VariableRef", {"targetGUID": variables[variable]})
                _element(holder, "TextValue", text=value)
        _element(case, "SourceRef", {"targetGUID": source_guid})
        files[f"Sources/{source_guid}.txt"] = transcript.text
        source = _element(sources, "TextSource", {
            "guid": source_guid, "name": transcript.title,
            "plainTextPath": f"internal://{source_guid}.txt",
            "creationDateTime": _stamp(transcript.imported_at),
        })
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
            selections += 1
    if notes:
        container = _element(root, "Notes")
        for note_guid, user, coding in notes:
            note = _element(container, "Note", {
                "guid": note_guid, "name": "Memo", "creatingUser": user,
                "creationDateTime": _stamp(coding.created_at),
            })
            _element(note, "PlainTextContent", text=coding.memo)
    summary = ProjectExport(users=len(users), sources=len(transcripts), selections=selections, notes=len(notes))
    return xml_bytes(root), files, summary


def export_qdpx(session: Session, path: str | Path) -> ProjectExport:
    """Write the study as a `.qdpx` archive, whole or not at all."""
    path = Path(path)
    document, files, summary = build_project(session, path.stem)

    def write(stream) -> None:
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", document)
            for name, text in files.items():
                archive.writestr(name, text.encode("utf-8"))

    write_file(path, write, binary=True)
    return summary
