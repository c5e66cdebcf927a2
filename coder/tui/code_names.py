"""Codes as the codebook names them, cut to the room a screen has.

Messages, the transcript and the review list name a code as its codebook does
("Onderlinge afhankelijkheid"), never by its id, as the reports do
(`coder.stats.presentation.name_of`); where a name does not fit, its words are
shortened ("Onderl. afhank.") before it is cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from coder.stats.presentation import name_of
from coder.storage.models import Code


def code_names(codes: Iterable[Code]) -> dict[str, str]:
    """Each code's codebook name by its id."""
    return {code.code_id: code.name for code in codes}


def named(code_ids: Sequence[str], codes: Iterable[Code]) -> list[str]:
    """`code_ids` by their codebook names, in the order given."""
    names = code_names(codes)
    return [name_of(code_id, names) for code_id in code_ids]


def abbreviate(name: str, width: int) -> str:
    """`name` in at most `width` characters: whole, else each long word cut to a stem with
    a full stop, the stems as long as fit, else cut with "…"."""
    if len(name) <= width:
        return name
    words = name.split()
    for stem in range(8, 2, -1):
        short = " ".join(word if len(word) <= stem + 1 else f"{word[:stem]}." for word in words)
        if len(short) <= width:
            return short
    return name[: max(width - 1, 0)] + "…" if width > 0 else ""
