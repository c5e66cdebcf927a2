"""Retrieval by code: every fragment with a code or theme across the study, and how often each
code is used per school type (the view researchers use most once coding is done).

Pure functions over `coding_records`, the rows the codings export and the summary read, so a
fragment is described the same way everywhere; read through a viewer's session, those rows
hold only what the visibility rule lets a coder who still codes blind see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from coder.coding.queries import CodingRecord

#: The school-type column of a transcript without one.
NO_SCHOOL_TYPE = "-"


@dataclass(frozen=True)
class CodeFrequency:
    """How many codings carry a code (a theme: itself and its core elements), in all and per school type."""

    code_id: str
    total: int
    by_school_type: dict[str, int]


def _matches(record: CodingRecord, code_id: str) -> bool:
    return record.code_id == code_id or record.theme == code_id


def fragments_with(records: list[CodingRecord], code_id: str) -> list[CodingRecord]:
    """The codings of a code, or of a theme and all its core elements, in study order."""
    return [record for record in records if _matches(record, code_id)]


def frequencies(records: list[CodingRecord], code_ids: list[str]) -> list[CodeFrequency]:
    """Per code (in the order given), its codings in all and per school type."""
    result = []
    for code_id in code_ids:
        counts = Counter(record.school_type or NO_SCHOOL_TYPE for record in records if _matches(record, code_id))
        result.append(CodeFrequency(code_id, sum(counts.values()), dict(counts)))
    return result
