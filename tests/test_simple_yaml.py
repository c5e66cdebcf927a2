"""The simple front matter reader against PyYAML: whatever it reads, it reads as PyYAML does."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.errors import TranscriptError
from coder.ingest.formats.coder_text import split_front_matter
from coder.ingest.simple_yaml import read_simple_mapping
from coder.ingest.user_yaml import compose, line_of, to_data

REPO = Path(__file__).resolve().parent.parent

#: Words that are text to PyYAML, then words it reads otherwise or that come near YAML's syntax.
TEXT = ["I", "L1", "Eva", "de", "Vries", "Kormányfő", "(pseudoniem)", "School", "youth-care-worker", "Jan,", "a'b",
        "a/b", "x.y", "x-", "x_", "6"]
TRICKY = ["R&D", "-x", "+1", "yes", "No", "on", "OFF", "true", "null", "Null", "~", "12", "0x1F", "0o17", "1_000", "1.5",
          "1e3", ".5", ".inf", "2023-03-14", "2023-02-30", "2024-01-01t10", "12:30", "a:b", "a#b", "#c", "[x]", "{x}",
          "*a", "&a", "!x", "%x", "@x", "`x", "'q'", '"q"', "<<", "=", "?", "_x", ",x", "a,", "(x", "x:", "|", ">", "-"]
#: Keys, most of them text (a key that is not is rarer, so that many texts are simple).
KEYS = st.sampled_from(["title", "school", "school_type", "date", "participants", "label", "role", "Title"] * 6
                       + ["on", "yes", "1", "x y", "<<", "~"])


def _value(draw) -> str:
    words = draw(st.lists(st.sampled_from(TEXT * 3 + TRICKY), min_size=1, max_size=3))
    return " ".join(words) if draw(st.integers(0, 9)) else draw(st.sampled_from(["  ", "\t", ": ", " #", ", "])).join(words)


@st.composite
def front_matter(draw) -> str:
    """Lines of the shapes the simple reader takes, and of shapes close to them."""
    lines = []
    for key in draw(st.lists(KEYS, unique=True, max_size=6)):
        shape = draw(st.sampled_from(["value", "value", "flow", "items", "items", "empty", "odd"]))
        if shape == "value":
            lines.append(f"{key}: {_value(draw)}")
        elif shape == "flow":
            lines.append(f"{key}: [{', '.join(_value(draw) for _ in range(draw(st.integers(1, 3))))}]")
        elif shape == "items":
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["", "  ", "    "]))
            for _ in range(draw(st.integers(0, 3))):
                if draw(st.booleans()):
                    keys = draw(st.lists(KEYS, unique=True, min_size=1, max_size=3))
                    pairs = ", ".join(f"{key}: {_value(draw)}" for key in keys)
                    lines.append(f"{indent}- {{{pairs}}}")
                else:
                    lines.append(f"{indent}- {_value(draw)}")
                if draw(st.integers(0, 9)) == 0:
                    indent += " "
        elif shape == "empty":
            lines.append(f"{key}:")
        elif draw(st.integers(0, 2)) == 0:
            lines.append(draw(st.sampled_from(["", " ", "# note", f"{key}:  x", f"{key}: x ", f"{key}:x", f"  {key}: x",
                                               f"{key}: x\t", f"{key}: x # note", "  continued", "---", "- x", "title: again"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


def pyyaml_reading(text: str, first_line: int) -> tuple[object, dict[str, int]]:
    root = compose(text, "f.yaml", TranscriptError, first_line=first_line)
    assert isinstance(root, yaml.MappingNode)
    return to_data(root), {str(key.value): line_of(key, first_line) for key, _ in root.value}


@settings(max_examples=3000)
@given(front_matter(), st.sampled_from([1, 2]))
def test_what_the_simple_reader_reads_reads_so_in_pyyaml(text, first_line):
    simple = read_simple_mapping(text, first_line)
    if simple is not None:
        assert simple == pyyaml_reading(text, first_line)


def test_the_shipped_transcripts_have_simple_front_matter():
    """So a study's own files take the quick way (and the test above is about them)."""
    for path in sorted((REPO / "transcripts").glob("*.txt")):
        front = split_front_matter(path.read_text(encoding="utf-8"))[0]
        assert read_simple_mapping(front, 2) == pyyaml_reading(front, 2), path.name
