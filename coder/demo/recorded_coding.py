"""The demo study's recorded coding (`demo/coding.yaml`), replayed through the core.

The file holds what two researchers did by hand: the first coder's fragments and
codes, which of them went to the second coder and what that coder gave them blind,
the reveals, the review decisions and the fragments added in review. Replaying it
with the same functions the workbench calls (`add_coding`, `assign_fragments`,
`toggle_blind_code`, `finish`, `decide`, ...) gives the demo the rows and audit
trail real work would have, without any code that invents a coding.

Fragments are named by a quote of the text they cover, so the file stays readable
and survives a change in how sentences are segmented.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlmodel import Session

from coder.coding.actions import add_coding
from coder.coding.assignments import assign_fragments
from coder.coding.blind_pass import (
    blind_queue,
    finish,
    no_code_applies,
    reveal,
    toggle_blind_code,
)
from coder.coding.review import accept_agreements, add_missed, decide, review_items
from coder.errors import FileProblem
from coder.ingest.decoding import read_utf8
from coder.ingest.user_yaml import compose, line_of, to_data
from coder.storage.database import Study
from coder.storage.models import Segment, Transcript


class DemoCodingError(FileProblem):
    """The demo coding file does not fit the study it is replayed into."""


class _Mapping(dict):
    """A YAML mapping that knows its line, so a problem names where it is in the file."""

    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode):
    mapping = _Mapping()
    mapping.line = line_of(node)
    yield mapping  # as PyYAML's own: the mapping exists before its values, for anchors
    mapping.update(loader.construct_mapping(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


@dataclass(frozen=True)
class Located:
    """A quote found in a transcript: the segments it overlaps (positions and ids)."""

    title: str
    transcript_id: int
    first: int
    last: int
    first_id: int
    last_id: int

    @property
    def span(self) -> tuple[int, int]:
        return self.first, self.last

    @property
    def fragment(self) -> tuple[int, int, int]:
        return self.transcript_id, self.first_id, self.last_id


class _Replay:
    def __init__(self, session: Session, path: Path, data: dict[str, Any]) -> None:
        self.session = session
        self.path = path
        self.data = data
        self.a, self.b = data["first_coder"], data["second_coder"]
        self.reviewer = data.get("reviewer", self.b)

    def fail(self, entry: dict, problem: str) -> DemoCodingError:
        return DemoCodingError(str(self.path), problem, line=getattr(entry, "line", None))

    def transcript(self, title: str, entry: dict) -> tuple[int, str]:
        row = self.session.execute(select(Transcript.id, Transcript.text).where(Transcript.title == title)).first()
        if row is None:
            raise self.fail(entry, f"no transcript titled '{title}' in the study")
        return row

    def locate(self, title: str, quote: str, entry: dict) -> Located:
        transcript_id, text = self.transcript(title, entry)
        start = text.find(quote)
        if start < 0 or text.find(quote, start + 1) >= 0:
            found = "is not" if start < 0 else "is more than once"
            raise self.fail(entry, f"the quote {found} in '{title}': {quote[:60]}…")
        end = start + len(quote)
        segments = self.session.execute(
            select(Segment.position, Segment.id)
            .where(Segment.transcript_id == transcript_id, Segment.start < end, Segment.end > start)
            .order_by(Segment.position)
        ).all()
        (first, first_id), (last, last_id) = segments[0], segments[-1]
        return Located(title, transcript_id, first, last, first_id, last_id)

    def run(self) -> None:
        fragments = [
            (self.locate(title, entry["quote"], entry), entry)
            for title, entries in self.data["transcripts"].items() for entry in entries
        ]
        for where, entry in fragments:
            for code in entry["primary"]:
                add_coding(self.session, self.a, code, where.transcript_id, where.first, where.last,
                           memo=entry.get("memo", ""))
        blind = [(where, entry) for where, entry in fragments if "blind" in entry]
        self.blind_pass(blind)
        self.review(blind)

    def blind_pass(self, blind: list[tuple[Located, dict]]) -> None:
        assign_fragments(self.session, self.a, self.b, self.reviewer, [where.fragment for where, _ in blind])
        queue = {(item.transcript_id, item.first, item.last): item.assignment_id
                 for item in blind_queue(self.session, self.b)}
        for where, entry in blind:
            assignment = queue[(where.transcript_id, where.first, where.last)]
            for code in entry["blind"]:
                toggle_blind_code(self.session, self.b, assignment, code)
            if entry.get("reveal"):
                reveal(self.session, self.b, assignment)
            elif entry["blind"]:
                finish(self.session, self.b, assignment)
            else:
                no_code_applies(self.session, self.b, assignment, entry.get("blind_note", ""))

    def review(self, blind: list[tuple[Located, dict]]) -> None:
        accept_agreements(self.session, self.reviewer, self.a, self.b)
        items = {(i.transcript_id, i.first, i.last): i.assignment_id
                 for i in review_items(self.session, self.a, self.b)}
        for where, entry in blind:
            decision = entry.get("review")
            if decision is None:
                continue
            span = self.locate(where.title, decision["quote"], decision).span if "quote" in decision else None
            decide(self.session, self.reviewer, items[(where.transcript_id, where.first, where.last)],
                   decision["decision"], decision.get("note", ""), tuple(decision.get("codes", ())) or None, span)
        for entry in self.data.get("added", []):
            where = self.locate(entry["transcript"], entry["quote"], entry)
            add_missed(self.session, self.reviewer, where.transcript_id, where.first, where.last,
                       tuple(entry["codes"]), entry.get("note", ""))


def load_demo_coding(study: Study, path: Path) -> None:
    """Replay the recorded coding in one transaction: all of it lands, or none."""
    root = compose(read_utf8(path, DemoCodingError, "demo coding file"), str(path), DemoCodingError)
    data = to_data(root, _LineLoader)
    with study.session() as session:
        try:
            _Replay(session, path, data).run()
        except KeyError as exc:
            raise DemoCodingError(str(path), f"an entry lacks the key {exc}") from None
