"""Two coders' ratings as units x codes matrices: from a ratings CSV file or from lists.

The CSV format (DESIGN §4, contract): header `unit,coder,code`, one row per code a
coder gave a unit; a row with an empty `code` says the coder saw the unit and gave
it no code. Exactly two coders.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from coder.errors import RatingsError
from coder.ingest.decoding import read_utf8
from coder.stats.agreement import Ratings

COLUMNS = ("unit", "coder", "code")


def build_ratings(
    rows: Iterable[tuple[str, str, str]],
    coders: tuple[str, str],
    codes: tuple[str, ...] | None = None,
    categories: int | None = None,
) -> Ratings:
    """Ratings from (unit, coder, code) triples; "" as code means "seen, no code".

    Units that only one of the two coders rated are left out and counted in
    `excluded`. `codes` fixes the code columns and their order (e.g. the codebook's);
    by default they are the codes that occur, in order of first appearance.
    """
    seen: dict[str, dict[str, set[str]]] = {}
    order: dict[str, None] = dict.fromkeys(codes or ())
    for unit, coder, code in rows:
        seen.setdefault(unit, {}).setdefault(coder, set())
        if code:
            seen[unit][coder].add(code)
            if codes is None:
                order.setdefault(code)
    columns = {code: index for index, code in enumerate(order)}
    units = [unit for unit, by in seen.items() if all(c in by for c in coders)]
    matrices = []
    for coder in coders:
        matrix = np.zeros((len(units), len(columns)), dtype=bool)
        for row, unit in enumerate(units):
            for code in seen[unit][coder]:
                if code in columns:
                    matrix[row, columns[code]] = True
        matrices.append(matrix)
    return Ratings(
        coders=coders, units=tuple(units), codes=tuple(columns), a=matrices[0], b=matrices[1],
        excluded=len(seen) - len(units), categories=categories,
    )


def read_ratings(path: str | Path) -> Ratings:
    """Read a ratings CSV file, naming the line of any problem."""
    reader = csv.reader(io.StringIO(read_utf8(path, RatingsError, "ratings CSV")))
    header = next(reader, None)
    if header is None:
        raise RatingsError(path, "the file is empty; expected the header unit,coder,code", 1)
    names = [name.strip().lower() for name in header]
    unknown = [name for name in names if name not in COLUMNS]
    if not set(names) & set(COLUMNS):
        raise RatingsError(path, f"no header: the first line must be unit,coder,code (found {','.join(header)})", 1)
    if unknown or sorted(names) != sorted(COLUMNS):
        problem = f"unknown column(s) {', '.join(unknown)}" if unknown else "missing column(s) " + ", ".join(
            c for c in COLUMNS if c not in names)
        raise RatingsError(path, f"{problem}; the header must be unit,coder,code", 1)
    position = {name: names.index(name) for name in COLUMNS}
    rows, coders = [], []
    for line, record in enumerate(reader, start=2):
        if not any(field.strip() for field in record):
            continue
        if len(record) != len(COLUMNS):
            raise RatingsError(path, f"expected 3 fields (unit,coder,code), found {len(record)}", line)
        unit, coder, code = (record[position[name]].strip() for name in COLUMNS)
        if not unit or not coder:
            raise RatingsError(path, "every row needs a unit and a coder", line)
        if coder not in coders:
            if len(coders) == 2:
                raise RatingsError(
                    path, f"a third coder '{coder}': agreement compares exactly two coders "
                    f"({coders[0]}, {coders[1]})", line)
            coders.append(coder)
        rows.append((unit, coder, code))
    if len(coders) < 2:
        found = f"only '{coders[0]}'" if coders else "no ratings"
        raise RatingsError(path, f"agreement needs two coders; found {found}")
    return build_ratings(rows, (coders[0], coders[1]))
