"""The words of the method, defined once: passes, decision kinds, roles, school types, fragments.

Every module that names a pass, a decision kind or the interviewer role uses
these instead of a string literal, so a typo is an `AttributeError` at once
rather than a query that silently finds nothing. They are `StrEnum`s, so their
members are the very strings stored in the database and exchanged in files.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Pass(StrEnum):
    """Which pass of the method a coding belongs to (DESIGN §1 steps 3, 4 and 6)."""

    PRIMARY = "primary"
    BLIND = "blind"
    CONSENSUS = "consensus"


class Attribute(StrEnum):
    """Transcript attributes with a meaning beyond a name and a value (`TranscriptAttribute`):
    the REFI-QDA case a transcript belongs to, a set it is in (one row per set), its own memo.
    Any other name is a case variable's (see `coder.exchange.source_facts`)."""

    CASE = "case"
    SET = "set"
    MEMO = "memo"


class DecisionKind(StrEnum):
    """What a reconciliation decision did (DESIGN §1.6).

    `AGREED`: both coders gave the same codes, accepted as they are; `ADDED`
    ("aangevuld"): a fragment the first coder missed. The other five are the
    reviewer's choices on a disagreement.
    """

    AGREED = "agreed"
    KEEP_A = "keep_a"
    TAKE_B = "take_b"
    BOTH = "both"
    NEITHER = "neither"
    OTHER = "other"
    ADDED = "added"


#: The decisions a reviewer takes on a fragment both coders coded (not `ADDED`).
REVIEW_CHOICES = tuple(kind for kind in DecisionKind if kind is not DecisionKind.ADDED)

#: The participant role of the person asking the questions. Its turns are shown but,
#: by default, not coded, and they are never units of agreement (DESIGN §4).
INTERVIEWER = "interviewer"

#: School types of the study (DESIGN §1.2), from primary to vocational: the order reports use.
SCHOOL_TYPES = ("po", "sbo", "so", "vso", "vo", "mbo")


class FragmentRef(NamedTuple):
    """A fragment by where it is stored: its transcript and first and last segment ids.

    Codings, assignments and decisions all point at fragments this way, so the
    same fragment coded by two coders has the same reference.
    """

    transcript_id: int
    first_segment_id: int
    last_segment_id: int
