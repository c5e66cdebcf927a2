"""Retrieval by code: every fragment with a code or theme across the study, how often each code
is used per school type (the view researchers use most once coding is done), and the memos,
by tag.

Pure functions over `coding_records`, the rows the codings export and the summary read, so a
fragment is described the same way everywhere; read through a viewer's session, those rows
hold only what the visibility rule lets a coder who still codes blind see.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from coder.coding.queries import CodingRecord

#: The school-type column of a transcript without one.
NO_SCHOOL_TYPE = "-"
#: Stands for every code in `fragments_with`: the list of all fragments (or all memos).
ANY_CODE = "*"
#: A tag in a memo: `#debrief`, `#vraag`, or any word a team flags its memos with.
_TAG = re.compile(r"(?<!\w)#(\w[\w-]*)")


@dataclass(frozen=True)
class CodeFrequency:
    """How many codings carry a code (a theme: itself and its core elements), in all and per school type."""

    code_id: str
    total: int
    by_school_type: dict[str, int]


def _matches(record: CodingRecord, code_id: str) -> bool:
    return code_id in (ANY_CODE, record.code_id, record.theme)


def fragments_with(records: list[CodingRecord], code_id: str) -> list[CodingRecord]:
    """The codings of a code, or of a theme and all its core elements (every coding for
    `ANY_CODE`), in study order."""
    return [record for record in records if _matches(record, code_id)]


def memo_tags(records: list[CodingRecord]) -> list[str]:
    """The tags the memos use (`#debrief`, ...), lower-cased, most used first."""
    counts = Counter(f"#{tag.lower()}" for record in records for tag in _TAG.findall(record.memo))
    return [tag for tag, _ in counts.most_common()]


def with_memo(records: list[CodingRecord], tag: str | None = None) -> list[CodingRecord]:
    """The codings that have a memo, or a memo with `tag` in it."""
    return [r for r in records if r.memo.strip() and (tag is None or tag in (f"#{t.lower()}" for t in _TAG.findall(r.memo)))]


def frequencies(records: list[CodingRecord], code_ids: list[str]) -> list[CodeFrequency]:
    """Per code (in the order given; `ANY_CODE` for all codings), its codings in all and per school type."""
    result = []
    for code_id in code_ids:
        counts = Counter(record.school_type or NO_SCHOOL_TYPE for record in records if _matches(record, code_id))
        result.append(CodeFrequency(code_id, sum(counts.values()), dict(counts)))
    return result
