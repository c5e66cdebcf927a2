"""coder's own transcript format (DESIGN §5): optional YAML front matter, then turns that start
with `LABEL:` at the start of a line, optionally after the turn's time ("[00:12:34] L1: ...").

No speech is silently given to the wrong speaker: with participants declared, a line that
starts like a turn of someone not declared is an error naming the line; without them, it is a
new speaker. Header lines before the first turn ("Datum: 12 maart 2024") are metadata.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from coder.errors import TranscriptError
from coder.ingest.formats.labels import REST_OF_LABEL, guess_role, is_metadata_key, looks_like_label
from coder.ingest.formats.parsed import ParsedTranscript, ParticipantSpec, TurnSpec, content_hash
from coder.ingest.formats.timecode import TIME, as_clock
from coder.ingest.simple_yaml import read_simple_mapping
from coder.ingest.user_yaml import compose, line_of, to_data
from coder.storage.vocabulary import SCHOOL_TYPES

FORMAT = "coder"
FRONT_MATTER_KEYS = ("title", "school", "school_type", "date", "participants")
PARTICIPANT_KEYS = ("label", "role")

#: A line that may start a turn: an optional time, then the words before the first colon. An
#: indented line never starts one, and "https://" is no label.
_LABEL_LINE = re.compile(
    rf"^(?:\[?(?P<time>{TIME})\]?[ \t]+)?(?P<label>[^\s:][^\n:]{REST_OF_LABEL}?)[ \t]*:(?!//)[ \t]*",
    re.MULTILINE,
)


# --- front matter ------------------------------------------------------------------


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Where each line of `text` starts and ends (before its line feed), found as they are
    wanted: the front matter's fence is near the top of a long text."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield start, end
        start = end + 1
    yield start, len(text)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split `---`-fenced YAML from the body; returns (yaml, body, body's first line number)."""
    lines = _lines(text)
    start, end = next(lines)
    if text[start:end].strip() != "---":
        return None, text, 1
    front = end + 1
    for number, (start, end) in enumerate(lines, start=2):
        if text[start:end].strip() in ("---", "..."):
            return text[front : start - 1], text[end + 1 :], number + 1
    return None, text, 1


def front_matter_values(front: str, path: str, first_line: int = 2) -> dict:
    """The front matter's values, checked; a problem names its line in the file.

    `first_line` is the file line the YAML starts on: 2 in a transcript (after `---`), 1 in
    a sidecar file that holds only front matter.
    """
    data, lines = read_simple_mapping(front, first_line) or _composed(front, path, first_line)
    for key in data:
        if not isinstance(key, str):  # YAML reads a bare on, off, yes, no or a number as no name
            written = lines.get(str(key)) or next((n for text, n in lines.items() if text not in map(str, data)), None)
            raise TranscriptError(path, f"front matter key '{key}' is not a name: YAML reads a bare on, off, yes, "
                                        f"no or number as a value (known keys: {', '.join(FRONT_MATTER_KEYS)})", written)
        if key not in FRONT_MATTER_KEYS:
            raise TranscriptError(
                path, f"unknown front matter key '{key}' (known: {', '.join(FRONT_MATTER_KEYS)})", lines[key],
            )
    school_type = data.get("school_type")
    if school_type is not None and str(school_type).lower() not in SCHOOL_TYPES:
        raise TranscriptError(
            path,
            f"school_type '{school_type}' is not one of {', '.join(SCHOOL_TYPES)}",
            lines["school_type"],
        )
    date = data.get("date")
    if isinstance(date, (dt.date, dt.datetime)):
        data["date"] = date.isoformat()
    data["participants"] = _participants(data.get("participants") or [], lines.get("participants", first_line), path)
    return data


def _composed(front: str, path: str, first_line: int) -> tuple[dict, dict[str, int]]:
    """Front matter in any shape read by PyYAML, as its mapping and the file line of each key."""
    root = compose(front, path, TranscriptError, first_line=first_line, what="front matter")
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise TranscriptError(path, "front matter must be 'key: value' lines", first_line)
    lines = {str(key.value): line_of(key, first_line) for key, _ in (root.value if root is not None else [])}
    try:
        return to_data(root) or {}, lines
    except ValueError as exc:  # a date such as 2023-02-30
        raise TranscriptError(path, f"front matter holds an impossible value ({exc}); write dates as YYYY-MM-DD",
                              lines.get("date")) from None
    except yaml.constructor.ConstructorError as exc:  # a tag such as !!python/object, which is never read
        mark = exc.problem_mark
        raise TranscriptError(path, f"front matter holds a value coder does not read ({exc.problem}); write plain "
                                    "text", first_line + mark.line if mark else first_line) from None


def _participants(raw: object, line: int, path: str) -> tuple[ParticipantSpec, ...]:
    if not isinstance(raw, list):
        raise TranscriptError(path, "participants must be a list of {label, role}", line)
    specs: list[ParticipantSpec] = []
    for item in raw:
        if isinstance(item, str):
            item = {"label": item}
        if not isinstance(item, dict) or not item.get("label"):
            raise TranscriptError(path, "each participant needs a 'label' (e.g. - {label: L1, role: teacher})", line)
        unknown = set(item) - set(PARTICIPANT_KEYS)
        if unknown:
            raise TranscriptError(
                path, f"unknown participant key '{sorted(unknown)[0]}' (known: label, role)", line
            )
        label = str(item["label"]).strip()
        if any(spec.label == label for spec in specs):
            raise TranscriptError(path, f"participant '{label}' is listed twice", line)
        role = str(item["role"]).strip().lower() if item.get("role") else guess_role(label)
        specs.append(ParticipantSpec(label, role))
    return tuple(specs)


# --- turns -------------------------------------------------------------------------


def _declared_lines(declared: tuple[str, ...]) -> re.Pattern[str]:
    """Lines that start a turn of a declared participant, whose label may hold anything a tool
    writes, a colon too (Teams' "8:orgid:3f9c2a71-...")."""
    labels = "|".join(re.escape(label) for label in sorted(declared, key=len, reverse=True))
    return re.compile(rf"^(?:\[?(?P<time>{TIME})\]?[ \t]+)?(?P<label>{labels})[ \t]*:(?!//)[ \t]*", re.MULTILINE)


def _label_lines(text: str, declared: tuple[str, ...]) -> Iterator[re.Match[str]]:
    """The lines that start like a turn, in order: as a declared participant's where they are one
    (such a label may hold what any other may not), else as anyone's.

    Each line's start is tried in turn: cheaper than a search for `^`, which tries every
    character. A declared label may even hold a line break; the line its match runs into is
    then no declared participant's, as in a search for their lines.
    """
    declared_line = _declared_lines(declared).match if declared else None
    declared_end = 0
    for line, _ in _lines(text):
        match = None
        if declared_line is not None and line >= declared_end:
            match = declared_line(text, line)
            declared_end = match.end() if match else declared_end
        match = match or _LABEL_LINE.match(text, line)
        if match:
            yield match


def _turn_starts(
    text: str, declared: tuple[str, ...], path: str, first_line: int, strict: bool = True
) -> list[re.Match[str]]:
    """The label lines that start turns, refusing a speaker missing from `declared` (or, not
    `strict`, reading that line as speech of the turn before)."""
    starts: list[re.Match[str]] = []
    for match in _label_lines(text, declared):
        label = match.group("label")
        if label in declared:
            starts.append(match)
        elif not looks_like_label(label) or (not starts and is_metadata_key(label)):
            continue
        elif declared and not strict:
            continue
        elif declared:
            raise TranscriptError(
                path,
                f"'{label}' starts a turn but is not among the participants ({', '.join(declared)}): "
                "add it to the participants in the front matter, or indent the line if it is no speaker",
                first_line + text.count("\n", 0, match.start()),
            )
        else:
            starts.append(match)
    return starts


def find_turns(
    text: str, declared: tuple[str, ...] = (), *, path: str = "", first_line: int = 1, strict: bool = True
) -> tuple[TurnSpec, ...]:
    """Turns in `text`: each from after `LABEL:` to just before the next turn's line.

    Without `declared` labels every line that starts like a turn starts one; with them, such a
    line for anyone else is an error at its line (`first_line` is the line `text` starts on), or,
    not `strict`, speech of the turn before (a text whose speakers another file declares).
    """
    starts = _turn_starts(text, declared, path, first_line, strict)
    ends = [match.start() for match in starts[1:]] + [len(text)]
    turns = []
    for match, end in zip(starts, ends, strict=False):  # without starts, `ends` still holds the text's end
        start = match.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            label, time = match.group("label", "time")
            turns.append(TurnSpec(label, start, end, as_clock(time) if time else None))
    return tuple(turns)


def parse_transcript_text(text: str, path: str) -> ParsedTranscript:
    """Parse normalised transcript text (front matter + `LABEL:` turns)."""
    front, body, body_line = split_front_matter(text)
    meta = front_matter_values(front, path) if front is not None else {"participants": ()}
    stripped = body.lstrip("\n")
    body_line += len(body) - len(stripped)
    body = stripped.rstrip("\n")
    declared: tuple[ParticipantSpec, ...] = meta["participants"]
    turns = find_turns(body, tuple(p.label for p in declared), path=path, first_line=body_line)
    if not turns:
        hint = (
            f"none of the participants ({', '.join(p.label for p in declared)}) speaks"
            if declared
            else "no speaker turns found"
        )
        raise TranscriptError(
            path, f"{hint}: start each turn with 'LABEL:' at the start of a line", body_line
        )
    participants = declared or tuple(
        ParticipantSpec(label, guess_role(label)) for label in dict.fromkeys(t.label for t in turns)
    )
    return ParsedTranscript(
        source=path,
        title=str(meta.get("title") or Path(path).stem),
        text=body,
        turns=turns,
        participants=participants,
        content_hash=content_hash(text),
        school=str(meta["school"]) if meta.get("school") else None,
        school_type=str(meta["school_type"]).lower() if meta.get("school_type") else None,
        date=str(meta["date"]) if meta.get("date") else None,
        format=FORMAT,
    )
