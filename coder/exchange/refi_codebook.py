"""REFI-QDA codebook exchange (`.qdc`, schema `urn:QDA-XML:codebook:1.0`), in and out.

A REFI code has a name, a colour, `isCodable` and one free-text `Description`.
So that nothing is lost on the way out, coder writes the definition, criteria
and examples into that description in a small, readable layout, and ends it with
one line of coder's own fields:

    De professionals hebben elkaar nodig ...

    Include:
    - Uitspraken dat men de ander nodig heeft ...
    Exclude:
    - ...
    Examples:
    - Zonder haar had ik die jongen ...

    [coder] id=interdependence; key=1; name_en=Interdependence

Reading a file coder wrote gives the same codebook back. A description from
another tool becomes the definition. Other tools' files are read leniently:
any namespace version, GUIDs in any case, with or without braces. The XML
is parsed with defusedxml, so entity tricks are refused.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from coder import __version__
from coder.codebook.codebook_file import (
    Codebook,
    CodeSpec,
    canonical_colour,
    canonical_guid,
    id_problem,
    key_problem,
    name_problem,
)
from coder.errors import CodebookError
from coder.ingest.user_yaml import MAX_DEPTH
from coder.storage.models import Code

NAMESPACE = "urn:QDA-XML:codebook:1.0"
SECTIONS = (("include", "Include:"), ("exclude", "Exclude:"), ("examples", "Examples:"))
META_PREFIX = "[coder] "
META_FIELDS = ("id", "key", "name_en")


# --- writing ---------------------------------------------------------------------


def description(code: Code) -> str:
    """The definition, criteria, examples and coder's own fields as one text."""
    parts = [code.definition.strip()] if code.definition.strip() else []
    for field, title in SECTIONS:
        lines = json.loads(code.examples or "[]") if field == "examples" else getattr(code, field).splitlines()
        if lines:
            parts.append(title + "\n" + "\n".join(f"- {line}" for line in lines))
    meta = {"id": code.code_id, "key": code.key, "name_en": code.name_en}
    parts.append(META_PREFIX + "; ".join(f"{k}={v}" for k, v in meta.items() if v))
    return "\n\n".join(parts)


def add_code_elements(container: ET.Element, codes: list[Code], namespace: str) -> dict[int, ET.Element]:
    """`<Code>` elements for `codes` (parents first) under `container`, in `namespace`.

    Shared by the codebook file and the project file, whose code trees are alike.
    """
    elements: dict[int, ET.Element] = {}
    for code in codes:
        parent = elements.get(code.parent_id, container)
        attributes = {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
        if code.color:
            attributes["color"] = code.color.upper()
        element = ET.SubElement(parent, f"{{{namespace}}}Code", attributes)
        ET.SubElement(element, f"{{{namespace}}}Description").text = description(code)
        elements[code.id] = element
    return elements


#: What XML 1.0 cannot hold (its `Char` production): most control characters, lone
#: surrogates, U+FFFE and U+FFFF. ElementTree would write them and the file would not parse.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters an XML 1.0 document cannot hold."""
    return _NOT_XML.sub("", text)


def xml_bytes(root: ET.Element) -> bytes:
    """An XML document as REFI-QDA wants it: UTF-8 without BOM, LF line ends, indented,
    and every name and text XML-safe, whatever a study's rows hold."""
    for element in root.iter():
        element.text = xml_safe(element.text) if element.text else element.text
        element.tail = xml_safe(element.tail) if element.tail else element.tail
        element.attrib.update({key: xml_safe(value) for key, value in element.attrib.items()})
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def codebook_to_qdc(codes: list[Code]) -> bytes:
    """A `.qdc` document for `codes` (parents before children)."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}CodeBook", {"origin": f"coder {__version__}"})
    add_code_elements(ET.SubElement(root, f"{{{NAMESPACE}}}Codes"), codes, NAMESPACE)
    return xml_bytes(root)


# --- reading ---------------------------------------------------------------------


def local(tag: str) -> str:
    """A tag without its namespace, whichever namespace version the writer used."""
    return tag.rsplit("}", 1)[-1]


def children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if local(child.tag) == name]


def parse_description(text: str) -> dict[str, object]:
    """Split a description written by coder back into fields; other text is the definition."""
    text = (text or "").strip()
    fields: dict[str, object] = {}
    lines = text.splitlines()
    if lines and lines[-1].startswith(META_PREFIX):
        for item in lines.pop()[len(META_PREFIX):].split("; "):
            name, _, value = item.partition("=")
            if name in META_FIELDS and value:
                fields[name] = value
        text = "\n".join(lines).strip()
    if "id" not in fields:  # not written by coder: take it as it is
        return {"definition": text}
    blocks = text.split("\n\n")
    definition = []
    for block in blocks:
        title, _, rest = block.partition("\n")
        section = next((field for field, heading in SECTIONS if title == heading), None)
        if section is None:
            definition.append(block)
            continue
        items = [line[2:] for line in rest.splitlines() if line.startswith("- ")]
        fields[section] = tuple(items) if section == "examples" else "\n".join(items)
    fields["definition"] = "\n\n".join(definition).strip()
    return fields


def slug(name: str) -> str:
    """A code id made from a name: lower-case ASCII words joined by '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "code"


def normalise_guid(value: str, path: str) -> str:
    """A GUID from a file, stored one way; a value that is not a GUID is an error naming the file."""
    try:
        return canonical_guid(value)
    except ValueError:
        raise CodebookError(path, f"'{value}' is not a GUID") from None


def parse_xml(data: bytes, path: str | Path, error: type[CodebookError] = CodebookError) -> ET.Element:
    """Parse untrusted XML with defusedxml; problems become `error` naming the file."""
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise error(path, f"refused: the XML uses a forbidden construct ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise error(path, f"not valid XML: {exc}", line=exc.position[0]) from None


def codes_from_element(codebook: ET.Element, path: str | Path) -> tuple[CodeSpec, ...]:
    """The code tree under a `<CodeBook>` element (of a `.qdc` or a project file)."""
    containers = children(codebook, "Codes")
    if not containers:
        raise CodebookError(path, "the codebook has no <Codes>")
    used: set[str] = set()
    keys: set[str] = set()
    guids: dict[str, str] = {}

    def spec(element: ET.Element, parent_id: str | None, depth: int) -> CodeSpec:
        name = (element.get("name") or "").strip()
        if not name:
            raise CodebookError(path, "a <Code> has no name")
        if depth > MAX_DEPTH:
            raise CodebookError(path, f"codes nested more than {MAX_DEPTH} levels deep (at '{name}')")
        described = children(element, "Description")
        fields = parse_description(described[0].text if described else "")
        code_id = str(fields.get("id") or slug(name))
        if found := id_problem(code_id) or name_problem("name", name, code_id) or (
                "name_en" in fields and name_problem("name_en", str(fields["name_en"]), code_id)):
            raise CodebookError(path, f"code '{name}': {found}")
        if code_id in used:  # names repeat under different parents
            code_id = f"{parent_id}.{code_id}" if parent_id else code_id
            base, n = code_id, 2
            while code_id in used:
                code_id, n = f"{base}-{n}", n + 1
        used.add(code_id)
        key = fields.get("key")
        if key and (found := key_problem(str(key), code_id)):
            raise CodebookError(path, f"code '{name}': {found}")
        if key in keys:
            key = None
        if key:
            keys.add(key)
        guid = normalise_guid(element.get("guid") or str(uuid.uuid4()), str(path))
        if guid in guids:
            raise CodebookError(path, f"codes '{guids[guid]}' and '{name}' share the GUID {guid}; "
                                      "each code needs its own")
        guids[guid] = name
        return CodeSpec(
            id=code_id, name=name, line=0, name_en=fields.get("name_en"), key=key,
            color=canonical_colour(element.get("color")), definition=fields.get("definition", ""),
            include=fields.get("include", ""), exclude=fields.get("exclude", ""),
            examples=tuple(fields.get("examples", ())),
            codable=(element.get("isCodable") or "true").strip().lower() in ("true", "1"),
            guid=guid,
            codes=tuple(spec(child, code_id, depth + 1) for child in children(element, "Code")),
        )

    return tuple(spec(element, None, 1) for element in children(containers[0], "Code"))


def read_qdc(path: str | Path) -> Codebook:
    """Read a `.qdc` codebook from any REFI-QDA writer into coder's codebook form."""
    path = Path(path)
    try:
        root = parse_xml(path.read_bytes(), path)
    except FileNotFoundError:
        raise CodebookError(path, "no such file") from None
    except IsADirectoryError:
        raise CodebookError(path, "is a folder; name the .qdc file in it") from None
    if local(root.tag) != "CodeBook":
        raise CodebookError(path, f"not a REFI-QDA codebook (root element is <{local(root.tag)}>)")
    codes = codes_from_element(root, path)
    if not codes:
        raise CodebookError(path, "the codebook has no codes")
    origin = root.get("origin")
    return Codebook(path=str(path), title=f"{path.stem} ({origin})" if origin else path.stem, codes=codes)
