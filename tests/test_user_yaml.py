"""YAML that people write is read as nodes: problems name their line, and alias bombs never expand."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from coder.codebook.codebook_file import parse_codebook
from coder.errors import CodebookError, FileProblem
from coder.ingest.user_yaml import MAX_DEPTH, compose, line_of, to_data

#: The "billion laughs" of YAML: nine levels of nine aliases, a few hundred bytes that expand to 9**9 strings.
ALIAS_BOMB = "\n".join(
    ["title: bomb", 'a0: &a0 ["lol"]']
    + [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(9))}]" for i in range(1, 10)]
    + ["codes: []"]
)


def test_an_alias_bomb_in_a_codebook_is_refused_at_once_with_its_line():
    started = time.perf_counter()
    with pytest.raises(CodebookError, match=r"<codebook>:\d+: uses YAML anchors or aliases"):
        parse_codebook(ALIAS_BOMB)
    assert time.perf_counter() - started < 1.0


def test_nesting_deeper_than_any_codebook_needs_is_refused():
    deep = "codes: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    with pytest.raises(FileProblem, match=f"f.yaml:1: nested more than {MAX_DEPTH} levels deep"):
        compose(deep, "f.yaml", FileProblem)


def test_invalid_yaml_names_the_line_counted_from_where_the_yaml_starts():
    with pytest.raises(FileProblem, match=r"^t.txt:4: not valid YAML"):
        compose("title: x\nlist: [a, b\n", "t.txt", FileProblem, first_line=2)


def test_plain_values_and_lines_come_back():
    root = compose("title: Proef\ndate: 2023-03-14\nparticipants:\n  - {label: I, role: interviewer}\n",
                   "t.txt", FileProblem)
    assert to_data(root) == {"title": "Proef", "date": dt.date(2023, 3, 14),
                             "participants": [{"label": "I", "role": "interviewer"}]}
    participants = root.value[2][1]
    assert line_of(participants) == 4
    assert compose("", "empty.yaml", FileProblem) is None


def test_an_alias_bomb_in_front_matter_is_refused_with_the_file_line(tmp_path):
    from coder.errors import TranscriptError
    from coder.ingest.transcript_formats import read_transcript

    path = tmp_path / "bomb.txt"
    path.write_text(f"---\n{ALIAS_BOMB.replace('codes: []', 'participants: []')}\n---\nL: hoi\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(TranscriptError, match=r"bomb.txt:\d+: uses YAML anchors or aliases"):
        read_transcript(path)
    assert time.perf_counter() - started < 1.0
