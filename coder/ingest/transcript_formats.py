"""Reading interview transcripts: text with front matter, Word files and subtitles.

Every format is first turned into the plain-text convention of DESIGN §5 (optional
YAML front matter, then turns that start with `LABEL:` at the start of a line),
and that one convention is parsed. So `.docx` and `.vtt`/`.srt` follow exactly
the same rules as `.txt`, and the stored text is always readable as a transcript.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from coder.errors import TranscriptError
from coder.ingest.decoding import decode, normalise, read_bytes
from coder.ingest.user_yaml import compose, line_of, to_data
from coder.storage.vocabulary import INTERVIEWER, SCHOOL_TYPES

FRONT_MATTER_KEYS = ("title", "school", "school_type", "date", "participants")
PARTICIPANT_KEYS = ("label", "role")
INTERVIEWER_LABELS = frozenset({"i", "int", INTERVIEWER, "onderzoeker", "interviewster"})
SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")

#: An optional timestamp before the label, e.g. "[00:12:34] L1: ..." or "00:12 L1: ...".
_TIMESTAMP_PREFIX = r"(?:\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]?[ \t]+)?"
#: A label nobody declared: one to three capitalised words or codes ("L1", "JH", "Leraar 2").
_UNDECLARED_LABEL = r"[A-Z][\w.'-]{0,19}(?: [A-Z0-9][\w.'-]{0,19}){0,2}"


@dataclass(frozen=True)
class ParticipantSpec:
    label: str
    role: str | None = None


@dataclass(frozen=True)
class TurnSpec:
    """A turn: who speaks, and the character span of what they say in the text."""

    label: str
    start: int
    end: int


@dataclass(frozen=True)
class ParsedTranscript:
    """A transcript as read from a file, before segmentation and storage."""

    source: str
    title: str
    text: str
    turns: tuple[TurnSpec, ...]
    participants: tuple[ParticipantSpec, ...]
    content_hash: str
    school: str | None = None
    school_type: str | None = None
    date: str | None = None

    @property
    def word_count(self) -> int:
        """Words spoken, counted as word processors do: runs of non-space characters."""
        return sum(len(self.text[t.start : t.end].split()) for t in self.turns)


def guess_role(label: str) -> str | None:
    """Interviewers are recognisable by label; other roles must be declared."""
    return INTERVIEWER if label.lower().rstrip(".") in INTERVIEWER_LABELS else None


# --- front matter ------------------------------------------------------------------


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split `---`-fenced YAML from the body; returns (yaml, body, body's first line number)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return None, text, 1


def _front_matter(front: str, path: str) -> dict:
    """The front matter's values, checked; a problem names its line in the file (YAML starts on line 2)."""
    root = compose(front, path, TranscriptError, first_line=2, what="front matter")
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise TranscriptError(path, "front matter must be 'key: value' lines", 2)
    lines = {str(key.value): line_of(key, 2) for key, _ in (root.value if root is not None else [])}
    try:
        data = to_data(root) or {}
    except ValueError as exc:  # a date such as 2023-02-30
        raise TranscriptError(path, f"front matter holds an impossible value ({exc}); write dates as YYYY-MM-DD",
                              lines.get("date")) from None
    for key in data:
        if key not in FRONT_MATTER_KEYS:
            raise TranscriptError(
                path, f"unknown front matter key '{key}' (known: {', '.join(FRONT_MATTER_KEYS)})", lines[str(key)],
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
    data["participants"] = _participants(data.get("participants") or [], lines.get("participants", 2), path)
    return data


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


def _turn_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    label = "|".join(re.escape(x) for x in sorted(labels, key=len, reverse=True)) if labels else _UNDECLARED_LABEL
    return re.compile(rf"^{_TIMESTAMP_PREFIX}(?P<label>{label})[ \t]*:[ \t]*", re.MULTILINE)


def find_turns(text: str, labels: tuple[str, ...] = ()) -> tuple[TurnSpec, ...]:
    """Turns in `text`: each from after `LABEL:` to just before the next label line.

    With declared labels only those start turns, so a line such as "Dus: ..."
    inside an answer is not mistaken for a new speaker.
    """
    matches = list(_turn_pattern(labels).finditer(text))
    turns = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        start = match.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            turns.append(TurnSpec(match.group("label"), start, end))
    return tuple(turns)


def parse_transcript_text(
    text: str, path: str, *, content_hash: str | None = None
) -> ParsedTranscript:
    """Parse normalised transcript text (front matter + `LABEL:` turns)."""
    front, body, body_line = split_front_matter(text)
    meta = _front_matter(front, path) if front is not None else {"participants": ()}
    body = body.strip("\n")
    declared: tuple[ParticipantSpec, ...] = meta["participants"]
    turns = find_turns(body, tuple(p.label for p in declared))
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
        content_hash=content_hash or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        school=str(meta["school"]) if meta.get("school") else None,
        school_type=str(meta["school_type"]).lower() if meta.get("school_type") else None,
        date=str(meta["date"]) if meta.get("date") else None,
    )


# --- other formats -----------------------------------------------------------------


def docx_text(data: bytes, path: str) -> str:
    """The paragraphs of a Word file as lines, following the plain-text conventions."""
    import io

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise TranscriptError(path, "not a Word .docx file (was it saved as .doc or renamed?)") from None
    text = normalise("\n".join(paragraph.text for paragraph in document.paragraphs))
    if not text.strip():
        raise TranscriptError(path, "the Word file has no text")
    return text


_CUE_TIME = re.compile(r"^\s*[\d:.,]+\s*-->\s*[\d:.,]+")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_NAME_PREFIX = re.compile(rf"^(?P<label>{_UNDECLARED_LABEL})[ \t]*:[ \t]*")
UNKNOWN_SPEAKER = "Spreker"


def subtitle_text(raw: str, path: str) -> str:
    """WebVTT or SRT cues as `LABEL:` turns; consecutive cues of one speaker merge.

    Speakers come from voice tags (`<v Anna>`) or a `Name:` prefix; a cue without
    either continues the previous speaker.
    """
    turns: list[tuple[str, list[str]]] = []
    blocks = re.split(r"\n\s*\n", raw.strip())
    for block in blocks:
        lines = block.split("\n")
        timing = next((i for i, line in enumerate(lines) if _CUE_TIME.match(line)), None)
        if timing is None:
            continue  # WEBVTT header, NOTE, STYLE or REGION block
        for line in lines[timing + 1 :]:
            voice = _VOICE.search(line)
            speaker = voice.group(1).strip() if voice else None
            line = _TAG.sub("", line).strip()
            prefix = _NAME_PREFIX.match(line)
            if speaker is None and prefix:
                speaker, line = prefix.group("label"), line[prefix.end() :]
            if not line:
                continue
            speaker = speaker or (turns[-1][0] if turns else UNKNOWN_SPEAKER)
            if turns and turns[-1][0] == speaker:
                turns[-1][1].append(line)
            else:
                turns.append((speaker, [line]))
    if not turns:
        raise TranscriptError(path, "no subtitle cues found (expected 'start --> end' lines)")
    return "\n".join(f"{speaker}: {' '.join(lines)}" for speaker, lines in turns)


def read_transcript(path: str | Path) -> ParsedTranscript:
    """Read any supported transcript file into a `ParsedTranscript`."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptError(
            path, f"unsupported file type '{suffix or path.name}' (coder reads {', '.join(SUFFIXES)})"
        )
    data = read_bytes(path)
    if suffix == ".docx":
        if not data:
            raise TranscriptError(path, "the file is empty")
        text = docx_text(data, name)
    elif suffix in (".vtt", ".srt"):
        text = subtitle_text(decode(data, path), name)
    else:
        text = decode(data, path)
    return parse_transcript_text(text, name)
