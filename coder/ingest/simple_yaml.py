"""The YAML that front matter almost always is, read without PyYAML's node tree.

Front matter is a few `key: value` lines and a list (`participants: [A, B]`, or `- A` and
`- {label: A, role: teacher}` items below the key). PyYAML builds a node with two marks for
each of its words, then the values from the nodes: 75 µs a file, a tenth of all the time a
2,000-word interview took to read. A text in only this shape is read here, line by line, each value
resolved and built by PyYAML's own resolver and constructors, so it reads exactly as PyYAML
reads it. Anything else (quotes, comments, blank or folded lines, a character other than a
plain word's, a key twice) is left to PyYAML, and to its messages.
"""

from __future__ import annotations

import functools
import re

import yaml

from coder.ingest.user_yaml import to_data

#: A value that is the same plain scalar in every reading: it starts with a letter or digit and
#: holds none of YAML's indicators, no colon, no double or trailing space; `_FLOW`, inside
#: brackets or braces, holds no comma either.
_BLOCK = r"[^\W_][\w.,()'/+-]*(?: [\w.,()'/+-]+)*"
_FLOW = r"[^\W_][\w.()'/+-]*(?: [\w.()'/+-]+)*"
_KEY = r"[^\W_]\w*"
_ENTRY = re.compile(rf"(?P<key>{_KEY}):(?: (?P<value>{_BLOCK})| \[(?P<list>{_FLOW}(?:, {_FLOW})*)\])?")
_ITEM = re.compile(rf"(?P<indent> *)- (?:(?P<value>{_BLOCK})|\{{(?P<map>{_KEY}: {_FLOW}(?:, {_KEY}: {_FLOW})*)\}})")
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


class _NotSimple(Exception):
    """The text is not in the shape read here."""


def read_simple_mapping(text: str, first_line: int = 1) -> tuple[dict, dict[str, int]] | None:
    """The mapping `text` holds and the file line of each of its keys, or None when `text` is
    not in the simple shape (then PyYAML must read it; `first_line` is where `text` starts)."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the line feed that ends the last line
    data: dict = {}
    where: dict[str, int] = {}
    items: list | None = None  # the list item lines go in: that of the key above, which has no value
    indent: str | None = None
    try:
        for number, line in enumerate(lines, first_line):
            item = _ITEM.fullmatch(line)
            if item and items is not None and indent in (None, item["indent"]):
                items.append(_scalar(item["value"]) if item["value"] else _flow_mapping(item["map"]))
                indent = item["indent"]
                continue
            entry = _ENTRY.fullmatch(line)
            key = _scalar(entry["key"]) if entry else None
            if not isinstance(key, str) or key in data:
                return None
            items = indent = None
            if entry["value"]:
                data[key] = _scalar(entry["value"])
            elif entry["list"]:
                data[key] = [_scalar(value) for value in entry["list"].split(", ")]
            else:
                data[key] = items = []
            where[key] = number
    except _NotSimple:
        return None
    # A key with neither a value nor items below it holds null.
    data = {key: None if value == [] else value for key, value in data.items()}
    return (data, where) if data else None


def _flow_mapping(pairs: str) -> dict:
    """`{key: value, ...}` without its braces, as a dict; a key twice is not simple."""
    mapping: dict = {}
    for pair in pairs.split(", "):
        key, _, value = pair.partition(": ")
        key = _scalar(key)
        if not isinstance(key, str) or key in mapping:
            raise _NotSimple
        mapping[key] = _scalar(value)
    return mapping


@functools.lru_cache(maxsize=4096)
def _scalar(value: str) -> object:
    """A plain scalar as PyYAML reads it: a string, or what its resolver makes of it (a date, a
    number, true, null), built by PyYAML's constructor; a value it refuses is not simple.

    Kept, as every such value is immutable: the keys and roles recur in every file.
    """
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    if tag == _STR:
        return value
    try:
        return to_data(yaml.ScalarNode(tag, value))
    except (ValueError, yaml.YAMLError):  # e.g. 2023-02-30: the full reading gives the message
        raise _NotSimple from None
