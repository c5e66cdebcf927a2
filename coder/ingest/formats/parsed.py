"""A transcript as read from a file, and how a reader builds one from the speech it found.

Every reader ends in the same `ParsedTranscript`: one normalised text, laid out as coder's own
format (`LABEL: text`, a turn a line) so that the stored text reads as a transcript, with each
turn's character span in it. Readers hand `assemble` the utterances in the file's order with
their speakers; they never write `LABEL:` lines and parse them again, so a speaker called
"Anne-Marie van den Berg" or "3f9c2a71-8d2e" stays exactly who the file says.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from coder.errors import TranscriptError
from coder.ingest.decoding import check_text
from coder.ingest.formats.labels import UNKNOWN_SPEAKER, guess_role
from coder.ingest.formats.timecode import as_clock
from coder.storage.models import Participant, Transcript
from coder.storage.values import problem

#: Turns in one transcript at most: a bound on the work a file of tiny turns can cause (2.4 MB of
#: them took 11 s and 300 MB to import), far above any interview's few thousand turns.
MAX_TURNS = 100_000


@dataclass(frozen=True)
class ParticipantSpec:
    label: str
    role: str | None = None


@dataclass(frozen=True)
class TurnSpec:
    """A turn: who speaks, the character span of what they say in the text, and when they start
    (`HH:MM:SS` into the recording, where the file gives it)."""

    label: str
    start: int
    end: int
    start_time: str | None = None


@dataclass(frozen=True)
class ParsedTranscript:
    """A transcript as read from a file, before segmentation and storage.

    `format` names the format the file was read as, for the import report and the preview;
    `notes` are things the reader had to decide that the researcher should know about.
    """

    source: str
    title: str
    text: str
    turns: tuple[TurnSpec, ...]
    participants: tuple[ParticipantSpec, ...]
    content_hash: str
    school: str | None = None
    school_type: str | None = None
    date: str | None = None
    format: str = "coder"
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Every source ends in this shape, so this is where the cap on its text, and the sizes of
        the columns its metadata go in, hold for all (a file, a Word file unpacked, a source in a
        REFI-QDA project, JSON)."""
        check_text(self.text, self.source)
        if len(self.turns) > MAX_TURNS:
            raise TranscriptError(self.source, f"{len(self.turns):,} speaker turns, more than the {MAX_TURNS:,} coder takes "
                                               "in one transcript (a long interview has a few thousand): split the file")
        found = next(filter(None, (
            *(problem(Transcript, column, getattr(self, column), f"the {column}")
              for column in ("title", "school", "date")),
            *(problem(Participant, "label", p.label, f"the speaker '{p.label[:40]}...'") for p in self.participants),
            *(problem(Participant, "role", p.role, f"the role of '{p.label[:40]}'") for p in self.participants),
        )), None)
        if found:
            raise TranscriptError(self.source, found)

    @property
    def word_count(self) -> int:
        """Words spoken, counted as word processors do: runs of non-space characters."""
        return sum(speaker.words for speaker in self.speakers)

    @cached_property
    def speakers(self) -> tuple[SpeakerCount, ...]:
        """Each participant with the turns and words they speak, in the order they are listed:
        what shows at a glance whether a file's speakers were read as meant. Counted once:
        the import report and the stored word count both ask."""
        turns: dict[str, int] = dict.fromkeys((p.label for p in self.participants), 0)
        words = dict(turns)
        for turn in self.turns:
            turns[turn.label] += 1
            words[turn.label] += len(self.text[turn.start : turn.end].split())
        return tuple(SpeakerCount(p.label, p.role, turns[p.label], words[p.label]) for p in self.participants)


@dataclass(frozen=True)
class SpeakerCount:
    label: str
    role: str | None
    turns: int
    words: int


@dataclass(frozen=True)
class Utterance:
    """Speech as a file gives it: a cue, a paragraph or a segment, with its speaker and start."""

    speaker: str
    text: str
    start_time: str | None = None


_SPACES = re.compile(r"[ \t]+")


def tidy(text: str) -> str:
    """Runs of spaces as one, lines trimmed, empty lines dropped: what a tool's layout leaves."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _merged(utterances: Iterable[Utterance], separator: str) -> list[Utterance]:
    """Consecutive utterances of one speaker as one turn, starting when the first starts."""
    turns: list[Utterance] = []
    for utterance in utterances:
        speaker, text = utterance.speaker.strip(), tidy(utterance.text)
        if not text:
            continue
        if turns and turns[-1].speaker == speaker:
            last = turns[-1]
            turns[-1] = Utterance(speaker, f"{last.text}{separator}{text}", last.start_time or utterance.start_time)
        else:
            turns.append(Utterance(speaker, text, utterance.start_time))
    return turns


def assemble(
    utterances: Iterable[Utterance],
    path: str,
    format: str,
    *,
    separator: str = " ",
    title: str | None = None,
    notes: Iterable[str] = (),
) -> ParsedTranscript:
    """The transcript of these utterances: a `LABEL: text` line per turn, spans pointing past the label.

    `separator` joins consecutive utterances of one speaker: a space for subtitle cues, which
    cut sentences anywhere, a line break for paragraphs.
    """
    turns = _merged(utterances, separator)
    if not turns:
        raise TranscriptError(path, f"no speech found in this {format} file")
    lines, specs, offset = [], [], 0
    for turn in turns:
        start = offset + len(turn.speaker) + 2
        lines.append(f"{turn.speaker}: {turn.text}")
        specs.append(TurnSpec(turn.speaker, start, start + len(turn.text), turn.start_time))
        offset += len(lines[-1]) + 1
    text = "\n".join(lines)
    labels = dict.fromkeys(t.label for t in specs)
    return ParsedTranscript(
        source=path,
        title=title or Path(path).stem,
        text=text,
        turns=tuple(specs),
        participants=tuple(ParticipantSpec(label, guess_role(label)) for label in labels),
        content_hash=content_hash(text),
        format=format,
        notes=tuple(notes),
    )


def content_hash(text: str) -> str:
    """What tells one transcript's content from another's: the same words by the same speakers
    give the same hash, whichever tool's file they came in."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()



def continuing(pieces: Iterable[tuple[str | None, str, str | None]]) -> tuple[list[Utterance], list[str]]:
    """Utterances from (speaker or None, text, start time), and a note on what was decided.

    Speech that names no speaker goes on the previous speaker's turn, as the tools mean it
    (Zoom leaves the name out while the same person goes on); before anyone is named it is
    given to `UNKNOWN_SPEAKER`.
    """
    utterances: list[Utterance] = []
    unnamed = 0
    for speaker, text, start_time in pieces:
        if not text.strip():
            continue
        if speaker is None and utterances:
            speaker = utterances[-1].speaker
        if speaker is None:
            unnamed += 1
        utterances.append(Utterance(speaker or UNKNOWN_SPEAKER, text, start_time))
    if unnamed == len(utterances) and utterances:
        return utterances, [f"the file names no speakers: all its speech is given to '{UNKNOWN_SPEAKER}'"]
    if unnamed:
        return utterances, [f"{unnamed} passage(s) before the first named speaker are given to '{UNKNOWN_SPEAKER}'"]
    return utterances, []


def sections(headers: list[re.Match[str]], text: str) -> Iterator[tuple[re.Match[str], str]]:
    """Each header line with the text after it, up to the next header."""
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        yield header, text[header.end() : end]


def headed(headers: list[re.Match[str]], text: str) -> Iterator[Utterance]:
    """Utterances of formats whose header lines give the speaker (group `name`) and the time
    (group `time`), the speech following on the lines below."""
    for header, speech in sections(headers, text):
        yield Utterance(header.group("name"), speech, as_clock(header.group("time")))
