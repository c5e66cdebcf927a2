"""What an import would make of some files, before anything is stored (`coder import --dry-run`).

Per file: the format it was read as, the speakers found with their turns and words, the first
turns, and the problems: the error that would stop the import, or what the reader had to
decide and what looks wrong (a single speaker, a participant who never speaks, a copy of
another file). No study is opened and nothing is segmented, so a preview is quick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from coder.errors import TranscriptError
from coder.ingest.formats.parsed import ParsedTranscript, SpeakerCount
from coder.ingest.importer import HIDDEN, Overrides, expand_paths, read_with_sidecar
from coder.ingest.pseudonymise import PseudonymKey

FIRST_TURNS = 3
#: Characters of a turn shown: enough to see who says what, not a page.
TURN_PREVIEW_LENGTH = 160


@dataclass(frozen=True)
class TurnPreview:
    label: str
    start_time: str | None
    text: str


@dataclass(frozen=True)
class FilePreview:
    """One file as an import would read it; `format` is None where it cannot be read."""

    source: str
    format: str | None = None
    title: str | None = None
    speakers: tuple[SpeakerCount, ...] = ()
    first_turns: tuple[TurnPreview, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def readable(self) -> bool:
        return self.format is not None


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TURN_PREVIEW_LENGTH else text[: TURN_PREVIEW_LENGTH - 1].rstrip() + "…"


def _doubts(parsed: ParsedTranscript) -> list[str]:
    """What suggests the speakers were not read as meant."""
    doubts = [f"'{s.label}' is listed as a participant but has no turns" for s in parsed.speakers if not s.turns]
    speaking = [s.label for s in parsed.speakers if s.turns]
    if len(speaking) == 1:
        doubts.append(f"only one speaker found ('{speaking[0]}'): were the speakers recognised?")
    return doubts


def _read(path: Path, overrides: Overrides, key: PseudonymKey | None, first_turns: int, seen: dict[str, str],
          speakers: list[str]) -> FilePreview:
    try:
        read = read_with_sidecar(path)
        speakers.extend(p.label for p in read.participants)
        parsed = overrides.apply(read)
        parsed = key.apply(parsed) if key is not None else parsed
    except TranscriptError as error:
        where = f"line {error.line}: " if error.line is not None else ""
        return FilePreview(str(path), problems=(f"{where}{error.problem}",))
    first = seen.get(parsed.content_hash)
    copy = [f"the same content as {first}: an import takes it once"] if first else []
    seen.setdefault(parsed.content_hash, parsed.source)
    turns = tuple(
        TurnPreview(turn.label, turn.start_time, _shortened(parsed.text[turn.start : turn.end]))
        for turn in parsed.turns[:first_turns]
    )
    return FilePreview(str(path), parsed.format, parsed.title, parsed.speakers, turns,
                       (*parsed.notes, *_doubts(parsed), *copy))


def preview(paths: Iterable[str | Path], overrides: Overrides | None = None,
            first_turns: int = FIRST_TURNS, key: PseudonymKey | None = None) -> list[FilePreview]:
    """A preview of every file `coder import PATHS` would read (with its sidecar, the command
    line's `overrides` and, with a pseudonym `key`, as `--pseudonymise` would store them),
    and of the hidden ones it would skip."""
    overrides = overrides or Overrides()
    selection = expand_paths(paths)
    seen: dict[str, str] = {}
    speakers: list[str] = []
    read = [_read(path, overrides, key, first_turns, seen, speakers) for path in selection.files]
    try:
        overrides.check_speakers(speakers, "the command line")
    except TranscriptError as error:
        read.append(FilePreview("the command line", problems=(error.problem,)))
    return read + [FilePreview(str(path), problems=(f"skipped: {HIDDEN}",)) for path in selection.hidden]
