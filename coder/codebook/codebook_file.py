"""The codebook file: reading it from YAML with line-exact errors, and writing it back.

Format (DESIGN §5, contract), extended with `name_en`, `codable` and `guid`:

    title: Interprofessionele samenwerking
    language: nl
    codes:
      - id: interdependence
        name: Onderlinge afhankelijkheid
        name_en: Interdependence
        key: 1
        color: "#1b9e77"
        definition: ...
        include: ...
        exclude: ...
        examples: [...]
        codes: [...]          # core elements, same keys

The YAML is read as a node tree (`yaml.compose`) rather than plain data so every
error can name the line it is on, and so duplicate mapping keys, which PyYAML
would silently overwrite, are caught.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from coder.errors import CodebookError
from coder.ingest.decoding import read_utf8
from coder.ingest.user_yaml import compose, line_of
from coder.storage.models import Code
from coder.storage.values import problem

CODE_KEYS = frozenset(
    {"id", "name", "name_en", "key", "color", "definition", "include", "exclude",
     "examples", "codes", "codable", "guid"}
)
TOP_KEYS = frozenset({"title", "language", "description", "codes"})
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
COLOR_PATTERN = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
#: GUIDs of codes without an explicit `guid` derive from their id, so an exported
#: codebook keeps the same GUIDs every time (REFI-QDA round trips).
GUID_NAMESPACE = uuid.UUID("6f1c2b7e-3c1a-4f55-9a55-2f0c6d0e8a11")


@dataclass(frozen=True)
class CodeSpec:
    """One code as written in the codebook file."""

    id: str
    name: str
    line: int
    name_en: str | None = None
    key: str | None = None
    color: str | None = None
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    codable: bool = True
    guid: str | None = None
    codes: tuple[CodeSpec, ...] = ()

    @property
    def stable_guid(self) -> str:
        return self.guid or str(uuid.uuid5(GUID_NAMESPACE, self.id))


@dataclass(frozen=True)
class Codebook:
    """A parsed, validated codebook."""

    path: str
    title: str
    codes: tuple[CodeSpec, ...]
    language: str | None = None
    description: str = ""

    def walk(self) -> Iterator[tuple[CodeSpec, CodeSpec | None]]:
        """Every code with its parent, parents first, in file order."""

        def visit(specs: tuple[CodeSpec, ...], parent: CodeSpec | None):
            for spec in specs:
                yield spec, parent
                yield from visit(spec.codes, spec)

        yield from visit(self.codes, None)


# --- reading ----------------------------------------------------------------------


@dataclass
class _Reader:
    """Turns the composed YAML node tree into specs, failing with file and line."""

    path: str
    seen_ids: dict[str, int] = field(default_factory=dict)
    seen_keys: dict[str, tuple[str, int]] = field(default_factory=dict)
    seen_guids: dict[str, int] = field(default_factory=dict)

    def fail(self, node: yaml.Node, problem: str) -> CodebookError:
        return CodebookError(self.path, problem, line=line_of(node))

    def mapping(self, node: yaml.Node, what: str, allowed: frozenset[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys to values")
        items: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in items:
                raise self.fail(key_node, f"duplicate key '{key}' in {what}")
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(key_node, f"unknown key '{key}' in {what} (known keys: {known})")
            items[key] = value_node
        return items

    def text(self, node: yaml.Node, key: str) -> str:
        if isinstance(node, yaml.ScalarNode):
            return str(node.value).strip()
        if isinstance(node, yaml.SequenceNode) and key in ("include", "exclude"):
            return "\n".join(self.text(item, key) for item in node.value)
        raise self.fail(node, f"'{key}' must be text")

    def codebook(self, root: yaml.Node) -> Codebook:
        top = self.mapping(root, "the codebook", TOP_KEYS)
        if "codes" not in top:
            raise self.fail(root, "the codebook has no 'codes' list")
        codes = self.code_list(top["codes"])
        if not codes:
            raise self.fail(top["codes"], "the codebook's 'codes' list is empty")
        return Codebook(
            path=self.path,
            title=self.text(top["title"], "title") if "title" in top else Path(self.path).stem,
            language=self.text(top["language"], "language") if "language" in top else None,
            description=self.text(top["description"], "description") if "description" in top else "",
            codes=codes,
        )

    def code_list(self, node: yaml.Node) -> tuple[CodeSpec, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "'codes' must be a list of codes (each starting with '- id:')")
        return tuple(self.code(item) for item in node.value)

    def code(self, node: yaml.Node) -> CodeSpec:
        items = self.mapping(node, "a code", CODE_KEYS)
        line = line_of(node)
        if "id" not in items:
            raise self.fail(node, "a code has no 'id'")
        code_id = self.text(items["id"], "id")
        if found := id_problem(code_id):
            raise self.fail(items["id"], found)
        if code_id in self.seen_ids:
            raise self.fail(
                items["id"], f"duplicate code id '{code_id}' (first used on line {self.seen_ids[code_id]})"
            )
        self.seen_ids[code_id] = line_of(items["id"])
        name = self.text(items["name"], "name") if "name" in items else ""
        if not name:
            raise self.fail(node, f"code '{code_id}' has no 'name'")
        for column in ("name", "name_en"):
            if column in items and (found := name_problem(column, self.text(items[column], column), code_id)):
                raise self.fail(items[column], found)
        return CodeSpec(
            id=code_id,
            name=name,
            line=line,
            name_en=self.text(items["name_en"], "name_en") if "name_en" in items else None,
            key=self.key(items["key"], code_id) if "key" in items else None,
            color=self.color(items["color"], code_id) if "color" in items else None,
            definition=self.text(items["definition"], "definition") if "definition" in items else "",
            include=self.text(items["include"], "include") if "include" in items else "",
            exclude=self.text(items["exclude"], "exclude") if "exclude" in items else "",
            examples=self.examples(items["examples"]) if "examples" in items else (),
            codable=self.boolean(items["codable"], "codable") if "codable" in items else True,
            guid=self.guid(items["guid"]) if "guid" in items else None,
            codes=self.code_list(items["codes"]) if "codes" in items else (),
        )

    def key(self, node: yaml.Node, code_id: str) -> str:
        key = self.text(node, "key")
        if found := key_problem(key, code_id):
            raise self.fail(node, found)
        if key in self.seen_keys:
            other, other_line = self.seen_keys[key]
            raise self.fail(
                node, f"duplicate key {key}: already used by '{other}' on line {other_line}"
            )
        self.seen_keys[key] = (code_id, line_of(node))
        return key

    def color(self, node: yaml.Node, code_id: str) -> str:
        color = canonical_colour(self.text(node, "color"))
        if color is None:
            raise self.fail(
                node, f"colour of '{code_id}' must be #RRGGBB (e.g. \"#1b9e77\"), not '{self.text(node, 'color')}'"
            )
        return color

    def examples(self, node: yaml.Node) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            return (self.text(node, "examples"),)
        if isinstance(node, yaml.SequenceNode) and all(
            isinstance(item, yaml.ScalarNode) for item in node.value
        ):
            return tuple(self.text(item, "examples") for item in node.value)
        raise self.fail(node, "'examples' must be text or a list of texts")

    def boolean(self, node: yaml.Node, key: str) -> bool:
        value = self.text(node, key).lower()
        if value in ("true", "yes"):
            return True
        if value in ("false", "no"):
            return False
        raise self.fail(node, f"'{key}' must be true or false")

    def guid(self, node: yaml.Node) -> str:
        value = self.text(node, "guid")
        try:
            guid = canonical_guid(value)
        except ValueError:
            raise self.fail(node, f"'{value}' is not a GUID") from None
        if guid in self.seen_guids:
            raise self.fail(node, f"duplicate guid {guid} (first used on line {self.seen_guids[guid]})")
        self.seen_guids[guid] = line_of(node)
        return guid


def id_problem(code_id: str) -> str | None:
    """Why `code_id` cannot be a code's id, or None: the one rule for YAML and REFI-QDA codebooks."""
    if not ID_PATTERN.match(code_id):
        return f"code id '{code_id}' must be lower case letters, digits, '-', '_' or '.'"
    return problem(Code, "code_id", code_id, f"code id '{code_id[:40]}...'")


def name_problem(column: str, name: str, code_id: str) -> str | None:
    """Why a code's `name` or `name_en` cannot be stored, or None."""
    return problem(Code, column, name, f"the {column} of '{code_id}'")


def key_problem(key: str, code_id: str) -> str | None:
    """Why `key` cannot be the key of a code, or None."""
    if len(key) != 1 or not key.isdigit():
        return f"key of '{code_id}' must be one digit 0-9, not '{key}'"
    return None


def canonical_colour(value: str | None) -> str | None:
    """A colour as coder stores it (`#rrggbb`, lower case; `#abc` widened), or None if it is not one."""
    value = (value or "").strip()
    if not COLOR_PATTERN.match(value):
        return None
    if len(value) == 4:
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value.lower()


def canonical_guid(value: str) -> str:
    """A GUID as coder stores it: GUIDs arrive upper or lower case, with or without braces.

    Raises ValueError when `value` is not a GUID.
    """
    return str(uuid.UUID(value.strip().strip("{}")))


def parse_codebook(source: str, path: str = "<codebook>") -> Codebook:
    """Parse and validate codebook YAML text; errors name `path` and the line."""
    root = compose(source, path, CodebookError)
    if root is None:
        raise CodebookError(path, "the file is empty")
    return _Reader(path).codebook(root)


def read_codebook(path: str | Path) -> Codebook:
    """Read a codebook file (YAML)."""
    return parse_codebook(read_utf8(path, CodebookError, "codebook"), str(path))


def codes_to_yaml(codes: list[Code], title: str = "Codebook") -> str:
    """The study's codebook written back in the YAML format it is read from."""
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)

    def node(code: Code) -> dict:
        data: dict[str, object] = {"id": code.code_id, "name": code.name}
        optional = {
            "name_en": code.name_en, "key": int(code.key) if code.key else None, "color": code.color,
            "definition": code.definition, "include": code.include.splitlines() or None,
            "exclude": code.exclude.splitlines() or None, "examples": json.loads(code.examples) or None,
            "codable": None if code.codable else False, "guid": code.guid,
            "codes": [node(child) for child in children.get(code.id, [])] or None,
        }
        data.update({key: value for key, value in optional.items() if value not in (None, "")})
        return data

    document = {"title": title, "codes": [node(code) for code in children.get(None, [])]}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
