"""Pseudonymisation on import (DESIGN §7): a key file of real names and their pseudonyms, and
the replacement of every occurrence before anything is stored.

The key is a CSV file with header `name,pseudonym`, kept outside the study. A name is replaced
as a whole word in any case, with the inflections Dutch writes on names ("Jans", "Jan's",
"Jan’s", "Jan-achtig", "Utrechtse"), and a name of several words also when a line break or other spaces
split it ("van den\\nBerg"). Longer names win over shorter ones they contain ("Jan de Vries"
before "Jan"). The pseudonym is inserted as the key writes it; an inflection keeps its ending.

The study records that it is pseudonymised and `PseudonymKey.sha256`, a hash of the key's
normalised rows, never the key itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from coder.errors import KeyFileError
from coder.files import write_file
from coder.ingest.decoding import read_utf8
from coder.ingest.formats.parsed import ParsedTranscript, ParticipantSpec, TurnSpec, content_hash

HEADER = ("name", "pseudonym")
#: What may follow a name and still be that name: Dutch possessives with and without apostrophe,
#: and the adjective of a place ("Utrechtse"). A hyphen ("Jan-achtig") needs no ending of its
#: own: it already ends a whole word.
_INFLECTION = r"(?P<ending>['’]s|se|s)?"


#: What separates the words of a name: spaces and line breaks, and the underscores of file names.
_SEPARATOR = r"[\s_]+"
#: A name starts and ends where a letter or digit does not go on; an underscore ends it too
#: ("interview_jan_de_vries.docx"), which `\b` would count as part of a word.
_BEFORE, _AFTER = r"(?<![^\W_])", r"(?![^\W_])"


def normal_name(name: str) -> str:
    """A name as the key matches it: case folded, its words separated by one space."""
    return " ".join(re.split(_SEPARATOR, name.strip())).casefold()


@dataclass(frozen=True)
class PseudonymKey:
    """The rows of a key file: each real name (normalised) with its pseudonym."""

    pseudonyms: dict[str, str]
    source: str = ""

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Every name as a whole word, longest first, its words split by any whitespace."""
        names = sorted(self.pseudonyms, key=len, reverse=True)
        alternatives = "|".join(_SEPARATOR.join(map(re.escape, name.split(" "))) for name in names)
        return re.compile(rf"{_BEFORE}(?P<name>{alternatives}){_INFLECTION}{_AFTER}", re.IGNORECASE)

    @property
    def sha256(self) -> str:
        """What the study keeps of the key: a hash of its sorted, normalised rows."""
        rows = "\n".join(f"{name}\t{pseudonym}" for name, pseudonym in sorted(self.pseudonyms.items()))
        return hashlib.sha256(rows.encode("utf-8")).hexdigest()

    def replace(self, text: str) -> str:
        """`text` with every name of the key replaced by its pseudonym (a pure function)."""
        if not self.pseudonyms or not text:
            return text
        return self.pattern.sub(self._pseudonym, text)

    def _pseudonym(self, match: re.Match[str]) -> str:
        return self.pseudonyms[normal_name(match.group("name"))] + (match.group("ending") or "")

    def find(self, text: str) -> Iterable[re.Match[str]]:
        """Every occurrence of a name of the key in `text`, for the check."""
        return self.pattern.finditer(text) if self.pseudonyms else ()

    def apply(self, parsed: ParsedTranscript) -> ParsedTranscript:
        """The transcript with pseudonyms in its text, speaker labels, title, school, date, file name and notes.

        The text is replaced piece by piece (what lies between turns, then each turn), so each
        turn's new span is known without parsing the text again.
        """
        pieces: list[str] = []
        turns: list[TurnSpec] = []
        offset = cursor = 0
        for turn in parsed.turns:
            gap, speech = self.replace(parsed.text[cursor : turn.start]), self.replace(parsed.text[turn.start : turn.end])
            start = offset + len(gap)
            turns.append(replace(turn, label=self.replace(turn.label), start=start, end=start + len(speech)))
            pieces += [gap, speech]
            offset, cursor = start + len(speech), turn.end
        pieces.append(self.replace(parsed.text[cursor:]))
        text = "".join(pieces)
        participants = {}
        for participant in parsed.participants:  # two labels of one person become one participant
            label = self.replace(participant.label)
            participants.setdefault(label, ParticipantSpec(label, participant.role))
        return replace(
            parsed,
            source=self.replace(parsed.source),
            title=self.replace(parsed.title),
            text=text,
            turns=tuple(turns),
            participants=tuple(participants.values()),
            content_hash=content_hash(f"{parsed.content_hash}:{self.sha256}"),
            school=self._optional(parsed.school),
            date=self._optional(parsed.date),
            notes=tuple(map(self.replace, parsed.notes)),
        )

    def _optional(self, value: str | None) -> str | None:
        return None if value is None else self.replace(value)


def context(text: str, match: re.Match[str], width: int = 30) -> str:
    """The words around a name found in `text`, on one line: what `suggest` and `check` show."""
    return " ".join(text[max(0, match.start() - width) : match.end() + width].split())


def parse_key(text: str, path: str) -> PseudonymKey:
    """The key in `text`; a bad header or row is a `KeyFileError` naming its line.

    Columns after `name,pseudonym` (a note, the kind `suggest` found) are allowed and ignored.
    """
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if tuple(header[:2]) != HEADER:
        raise KeyFileError(path, "the first line must be the header name,pseudonym", 1)
    pseudonyms: dict[str, str] = {}
    lines: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise KeyFileError(path, "a row needs a name and its pseudonym (e.g. Jan de Vries,Leerkracht 1)", line)
        name = normal_name(cells[0])
        if name in pseudonyms and pseudonyms[name] != cells[1]:
            raise KeyFileError(path, f"'{cells[0]}' already has pseudonym '{pseudonyms[name]}' (line {lines[name]}); "
                                     "keep one of the rows", line)
        pseudonyms[name], lines[name] = cells[1], line
    if not pseudonyms:
        raise KeyFileError(path, "the key has no rows: add a line name,pseudonym for each real name")
    return PseudonymKey(pseudonyms, path)


def write_key(path: str | Path, rows: Iterable[tuple[str, str]]) -> None:
    """A key file (`name,pseudonym`) for the researcher to edit, written whole and private (0600)."""

    def write(out) -> None:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)

    write_file(path, write)


def read_key(path: str | Path) -> PseudonymKey:
    """The key file at `path` (UTF-8, as a spreadsheet saves CSV)."""
    return parse_key(read_utf8(path, KeyFileError, "key file"), str(path))
