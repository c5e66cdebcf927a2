"""The codebook in a study: loading a codebook file into it, and the codes it holds.

Codes are matched by their stable id, so loading a changed codebook keeps every
coding; a code dropped while in use is retired, never deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, func, select

from coder.codebook.codebook_file import Codebook, CodeSpec
from coder.errors import CodebookConflict
from coder.storage.audit import record
from coder.storage.audit_events import CodebookLoaded, CodeUpdated
from coder.storage.models import Code, Coding, utcnow


@dataclass(frozen=True)
class CodebookChange:
    """What loading a codebook did to the study."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    retired: tuple[str, ...]
    unchanged: tuple[str, ...]


def _spec_columns(spec: CodeSpec, parent_id: int | None, position: int) -> dict[str, object]:
    return {
        "parent_id": parent_id,
        "position": position,
        "name": spec.name,
        "name_en": spec.name_en,
        "key": spec.key,
        "color": spec.color,
        "definition": spec.definition,
        "include": spec.include,
        "exclude": spec.exclude,
        "examples": json.dumps(list(spec.examples), ensure_ascii=False),
        "codable": spec.codable,
        "guid": spec.stable_guid,
        "retired_at": None,
    }


def codings_per_code(session: Session) -> dict[int, int]:
    """Live (not deleted) codings per code row id."""
    rows = session.exec(
        select(Coding.code_id, func.count())
        .where(Coding.deleted_at.is_(None))
        .group_by(Coding.code_id)
    )
    return dict(rows.all())


def apply_codebook(
    session: Session, codebook: Codebook, actor: str, *, retire_in_use: bool = False,
    retire_missing: bool = True,
) -> CodebookChange:
    """Make the study's codebook match `codebook`, matching codes by id.

    Codings are never touched. A code missing from the new file is retired (hidden,
    kept for history), unless `retire_missing` is off (merging in another
    project's codes). If codings use it, that is refused unless `retire_in_use`,
    because the researcher should decide what happens to those codings.
    """
    existing = {code.code_id: code for code in session.exec(select(Code))}
    wanted = {spec.id for spec, _ in codebook.walk()}
    in_use = codings_per_code(session)
    dropped = [c for cid, c in existing.items()
               if retire_missing and cid not in wanted and c.retired_at is None]
    blocking = [c for c in dropped if in_use.get(c.id, 0)]
    if blocking and not retire_in_use:
        listed = ", ".join(f"'{c.code_id}' ({in_use[c.id]} codings)" for c in blocking)
        raise CodebookConflict(
            f"{codebook.path}: removes codes that are in use: {listed}; put them back, "
            "or load with --retire to retire them and keep their codings"
        )

    added, updated, unchanged = [], [], []
    positions: dict[int | None, int] = {}
    for spec, parent in codebook.walk():
        parent_row = existing[parent.id] if parent else None
        position = positions.get(parent_row.id if parent_row else None, 0)
        positions[parent_row.id if parent_row else None] = position + 1
        columns = _spec_columns(spec, parent_row.id if parent_row else None, position)
        row = existing.get(spec.id)
        if row is None:
            row = Code(code_id=spec.id, **columns)
            session.add(row)
            session.flush()
            existing[spec.id] = row
            added.append(spec.id)
            continue
        before = {name: getattr(row, name) for name in columns if getattr(row, name) != columns[name]}
        if not before:
            unchanged.append(spec.id)
            continue
        for name in before:
            setattr(row, name, columns[name])
        session.add(row)
        updated.append(spec.id)
        record(session, actor, CodeUpdated(code=spec.id, before=before))
    now = utcnow()
    for row in dropped:
        row.retired_at = now
        row.key = None
        session.add(row)
    change = CodebookChange(
        added=tuple(added),
        updated=tuple(updated),
        retired=tuple(c.code_id for c in dropped),
        unchanged=tuple(unchanged),
    )
    record(session, actor, CodebookLoaded(path=str(codebook.path), title=codebook.title, added=change.added,
                                          updated=change.updated, retired=change.retired))
    return change


def code_themes(session: Session) -> dict[int, str]:
    """Each code row's theme: the code id of its root in the code tree (retired codes too)."""
    codes = {c.id: c for c in session.exec(select(Code))}

    def root(code: Code) -> str:
        while code.parent_id is not None:
            code = codes[code.parent_id]
        return code.code_id

    return {cid: root(code) for cid, code in codes.items()}


def active_codes(session: Session, *, include_retired: bool = False) -> list[Code]:
    """The codes a coder can apply now, in codebook order (parents before children).

    With `include_retired`, retired codes too: an export must carry every code
    that a coding still points at.
    """
    query = select(Code) if include_retired else select(Code).where(Code.retired_at.is_(None))
    codes = session.exec(query).all()
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    ordered: list[Code] = []

    def visit(parent_id: int | None) -> None:
        for code in sorted(children.get(parent_id, []), key=lambda c: c.position):
            ordered.append(code)
            visit(code.id)

    visit(None)
    return ordered


#: Digits in the order a keyboard has them: the tenth code under a theme is 0.
DIGITS = "1234567890"


def typed_keys(codes: list[Code]) -> dict[str, str]:
    """The keys that reach each code, by code id: a code's own digit ("1"), and for a core
    element without one, its theme's digit and its place under the theme ("1.2").

    A codebook gives digits to its themes only, as the shipped one does; without a
    second level every core element would cost a search. The place is counted among
    the theme's children in codebook order, so the keys follow the codebook and scale
    to ten elements per theme. `codes` are in codebook order (`active_codes`).
    """
    keys = {code.code_id: code.key for code in codes if code.key}
    by_id = {code.id: code for code in codes}
    places: dict[int, int] = {}
    for code in codes:
        parent = by_id.get(code.parent_id)
        if parent is None:
            continue
        place = places[parent.id] = places.get(parent.id, 0) + 1
        if code.code_id not in keys and parent.code_id in keys and place <= len(DIGITS):
            keys[code.code_id] = f"{keys[parent.code_id]}.{DIGITS[place - 1]}"
    return keys
