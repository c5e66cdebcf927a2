"""What a study can store in a text column: no longer than the column, and no NUL character.

SQLite stores any text; PostgreSQL refuses a value longer than its `VARCHAR(n)` and any NUL
character, at the end of a transaction. Readers of user files check their values here, against
the sizes the models declare, so a bad file is refused on both backends alike, with its file
and line, before anything is written.
"""

from __future__ import annotations

import functools

from sqlmodel import SQLModel


@functools.cache
def limit(model: type[SQLModel], column: str) -> int | None:
    """The most characters `model.column` holds (its `max_length`), or None for unbounded text.

    Kept once looked up: a model's columns do not change, and every transcript read asks."""
    return getattr(model.__table__.c[column].type, "length", None)


def problem(model: type[SQLModel], column: str, value: str | None, what: str) -> str | None:
    """Why `value` cannot be stored in `model.column`, in words that name it as `what`; else None."""
    if value is None:
        return None
    if "\x00" in value:
        return f"{what} holds a NUL character (\\0), which a study cannot store; remove it"
    most = limit(model, column)
    if most is not None and len(value) > most:
        return f"{what} is {len(value)} characters long; a study keeps at most {most}: shorten it"
    return None
