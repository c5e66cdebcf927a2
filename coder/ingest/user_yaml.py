"""YAML that researchers write (codebooks, front matter, the demo's coding file), read safely.

Such files come from colleagues and other projects, so they are read as a node
tree first: every problem can then name its line, and two things that cost
memory without bound are refused before any value is built — anchors and aliases
(an "alias bomb" of a few hundred bytes expands to gigabytes) and nesting deeper
than any codebook needs.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from coder.errors import FileProblem

#: No codebook, front matter or demo file nests deeper than this.
MAX_DEPTH = 32
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def line_of(node: yaml.Node, first_line: int = 1) -> int:
    """The file line a node starts on; `first_line` is where the YAML text starts in the file."""
    return node.start_mark.line + first_line


def compose(text: str, path: str | Path, error: type[FileProblem], first_line: int = 1,
            what: str = "") -> yaml.Node | None:
    """The node tree of `text`, or None when it holds no document.

    Invalid YAML, anchors and aliases, and nesting deeper than `MAX_DEPTH` raise
    `error` naming `path` and the line; `what` names the YAML in the message
    ("front matter"). A problem found at the very end belongs to the last line.
    """
    invalid = f"{what} is not valid YAML" if what else "not valid YAML"
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = min(mark.line, text.count("\n")) + first_line if mark else None
        raise error(path, f"{invalid}: {exc.problem}", line) from None
    except yaml.YAMLError as exc:
        raise error(path, f"{invalid}: {exc}") from None
    if root is not None:
        _check(root, path, error, first_line)
    return root


def _check(root: yaml.Node, path: str | Path, error: type[FileProblem], first_line: int) -> None:
    """Refuse a node met twice (an alias) or nested too deeply; iterative, so depth cannot overflow."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise error(path, "uses YAML anchors or aliases (& and *), which coder does not read; "
                              "write the values out", line_of(node, first_line))
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise error(path, f"nested more than {MAX_DEPTH} levels deep", line_of(node, first_line))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((part, depth + 1) for pair in node.value for part in pair)


def to_data(node: yaml.Node | None, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> object:
    """Plain Python data (dicts, lists, strings, numbers, dates) from a checked node tree,
    built by `loader`'s constructors (a subclass may add its own, e.g. to keep lines)."""
    if node is None:
        return None
    return loader("").construct_document(node)
