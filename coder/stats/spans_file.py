"""Coders' own spans from a spans CSV file, and the unitizing agreement as JSON (DESIGN §4).

The CSV format (DESIGN §4, contract): header `document,length,coder,code,start,end` (in any
order), one row per span a coder marked: character offsets into the document, `end`
exclusive, `length` the document's length in characters (the same on every row of a
document). Two or more coders; every coder is taken to have read every document in the file,
so a document where a coder marked nothing counts as one long gap for that coder.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from coder.errors import SpansError
from coder.ingest.decoding import read_utf8
from coder.stats.unitizing import AlphaU, Continuum, Span, UAlpha, continuum

COLUMNS = ("document", "length", "coder", "code", "start", "end")
HEADER = ",".join(COLUMNS)


def _positions(path: str | Path, header: list[str] | None) -> dict[str, int]:
    """Where each column is, from the header line; refuses a missing or unknown column."""
    if header is None:
        raise SpansError(path, f"the file is empty; expected the header {HEADER}", 1)
    names = [name.strip().lower() for name in header]
    if not set(names) & set(COLUMNS):
        raise SpansError(path, f"no header: the first line must be {HEADER} (found {','.join(header)})", 1)
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in COLUMNS if name not in names]
    if unknown or missing or len(names) != len(COLUMNS):
        problem = (f"unknown column(s) {', '.join(unknown)}" if unknown else
                   f"missing column(s) {', '.join(missing)}" if missing else "a column named twice")
        raise SpansError(path, f"{problem}; the header must be {HEADER}", 1)
    return {name: names.index(name) for name in COLUMNS}


def _whole(path: str | Path, line: int, name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SpansError(path, f"{name} must be a whole number of characters, found '{text}'", line) from None


def _span(path: str | Path, line: int, fields: dict[str, str], lengths: dict[str, tuple[int, int]]) -> Span:
    """One row as a Span, checked against its document's length (kept in `lengths` with its line)."""
    document, coder, code = fields["document"], fields["coder"], fields["code"]
    if not (document and coder and code):
        raise SpansError(path, "every row needs a document, a coder and a code", line)
    length, start, end = (_whole(path, line, name, fields[name]) for name in ("length", "start", "end"))
    if length < 1:
        raise SpansError(path, f"length must be at least 1 character, found {length}", line)
    known, first = lengths.setdefault(document, (length, line))
    if known != length:
        raise SpansError(path, f"document '{document}' has length {length} here but {known} on line {first}; "
                               "give every row of a document the same length", line)
    if start < 0 or end <= start:
        raise SpansError(path, f"a span needs 0 <= start < end (end is exclusive), found start {start}, end {end}", line)
    if end > length:
        raise SpansError(path, f"end {end} is past the end of document '{document}' ({length} characters)", line)
    return Span(document, coder, code, start, end)


def read_spans(path: str | Path) -> Continuum:
    """Read a spans CSV file, naming the line of any problem."""
    reader = csv.reader(io.StringIO(read_utf8(path, SpansError, "spans CSV")))
    position = _positions(path, next(reader, None))
    spans: list[Span] = []
    lengths: dict[str, tuple[int, int]] = {}
    for line, record in enumerate(reader, start=2):
        if not any(field.strip() for field in record):
            continue
        if len(record) != len(COLUMNS):
            raise SpansError(path, f"expected {len(COLUMNS)} fields ({HEADER}), found {len(record)}", line)
        fields = {name: record[index].strip() for name, index in position.items()}
        spans.append(_span(path, line, fields, lengths))
    coders = list(dict.fromkeys(span.coder for span in spans))
    if len(coders) < 2:
        found = f"only '{coders[0]}'" if coders else "no spans"
        raise SpansError(path, f"agreement on spans needs two or more coders; found {found}")
    return continuum(spans, {document: length for document, (length, _) in lengths.items()})


def unitizing_json(data: Continuum, alpha: AlphaU, family: UAlpha) -> dict:
    """The DESIGN §4 unitizing JSON object, plus `merged` and `reasons`.

    `merged` counts spans merged into another of the same coder and code; `reasons` mirrors
    the figures around it and holds one sentence for each figure that is null.
    """
    code_reasons = {code: figures.reason for code, figures in alpha.codes.items() if figures.reason}
    alpha_reasons = ({"overall": alpha.reason} if alpha.reason else {}) | ({"codes": code_reasons} if code_reasons else {})
    coefficients = {"u_alpha": family.u_alpha, "binary_u_alpha": family.binary_u_alpha, "c_u_alpha": family.c_u_alpha}
    return {
        "coders": list(data.coders), "documents": len(data.documents), "length": data.length, "merged": data.merged,
        "alpha_u": {"overall": alpha.overall, "codes": {code: figures.alpha for code, figures in alpha.codes.items()},
                    "variant": alpha.variant, "reasons": alpha_reasons},
        "u_alpha": {name: coefficient.value for name, coefficient in coefficients.items()}
        | {"variant": family.variant,
           "reasons": {name: coefficient.reason for name, coefficient in coefficients.items() if coefficient.reason}},
    }
