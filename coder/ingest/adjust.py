"""What a researcher tells an import about a file beyond what the file says.

Subtitles and JSON cannot hold front matter, and transcription tools name speakers
`SPEAKER_00` or "Spreker 1". So before anything is stored a transcript may be given the
metadata of a sidecar file (`interview.vtt` beside `interview.yaml`, the same keys as
front matter), speakers renamed (`--speaker "SPEAKER_00=I"`) and roles
(`--role "Eva de Vries=interviewer"`). Each is a pure function from one
`ParsedTranscript` to another, applied in that order: a role may name a speaker by
the name a rename gave it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from coder.errors import TranscriptError
from coder.ingest.decoding import read_utf8
from coder.ingest.formats.coder_text import front_matter_values
from coder.ingest.formats.labels import guess_role
from coder.ingest.formats.parsed import ParsedTranscript, ParticipantSpec, TurnSpec

SIDECAR_SUFFIXES = (".yaml", ".yml")


def parse_assignments(values: tuple[str, ...], option: str) -> dict[str, str]:
    """`OLD=NEW` pairs of a repeatable option, in order; a malformed one says how to write it."""
    pairs: dict[str, str] = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ValueError(f"{option} takes LABEL=VALUE (e.g. {option} \"SPEAKER_00=Interviewer\"), not '{value}'")
        pairs[left.strip()] = right.strip()
    return pairs


def sidecar_of(path: Path) -> Path | None:
    """The sidecar file of a transcript: `NAME.yaml` (or `.yml`) beside it, or `NAME.vtt.yaml`."""
    for suffix in SIDECAR_SUFFIXES:
        for candidate in (path.with_suffix(suffix), path.with_name(path.name + suffix)):
            if candidate != path and candidate.is_file():
                return candidate
    return None


def unknown_speakers(labels: Iterable[str], speakers: Iterable[str], where: str, source: str) -> None:
    """Refuse names that are no speaker where they were meant to apply: a typo would otherwise
    change nothing, silently. `where` says who named them ("--role", "the sidecar x.yaml")."""
    known = list(dict.fromkeys(speakers))
    missing = [label for label in labels if label not in known]
    if missing:
        raise TranscriptError(source, f"{where} names '{missing[0]}', who is not a speaker there "
                                      f"(the speakers: {', '.join(known)})")


def with_sidecar(parsed: ParsedTranscript, path: Path) -> ParsedTranscript:
    """The transcript with its sidecar's metadata and roles, where it has a sidecar."""
    sidecar = sidecar_of(path)
    if sidecar is None:
        return parsed
    values = front_matter_values(read_utf8(sidecar, TranscriptError, "sidecar file"), str(sidecar), first_line=1)
    roles = {p.label: p.role for p in values.pop("participants")}
    unknown_speakers(roles, (p.label for p in parsed.participants), f"the sidecar {sidecar.name}", str(sidecar))
    metadata = {key: str(value) for key, value in values.items() if value is not None}
    if "school_type" in metadata:
        metadata["school_type"] = metadata["school_type"].lower()
    return with_roles(replace(parsed, **metadata), roles)


def renamed(parsed: ParsedTranscript, names: Mapping[str, str]) -> ParsedTranscript:
    """The transcript with speakers renamed (old label → new), in its labels and its text.

    The stored text keeps a transcript's `LABEL:` lines, so each turn's label before its
    speech is rewritten and the spans moved. Renaming two speakers to one name makes them
    one speaker.
    """
    present = {p.label for p in parsed.participants}
    names = {old: new for old, new in names.items() if old != new and old in present}
    if not names:
        return parsed
    pieces, turns, done = [], [], 0
    for turn in parsed.turns:
        label = names.get(turn.label, turn.label)
        gap = parsed.text[done : turn.start]
        at = gap.rfind(turn.label)
        if turn.label in names and at >= 0:
            gap = gap[:at] + label + gap[at + len(turn.label) :]
        pieces.append(gap)
        start = sum(map(len, pieces))
        pieces.append(parsed.text[turn.start : turn.end])
        turns.append(TurnSpec(label, start, start + turn.end - turn.start, turn.start_time))
        done = turn.end
    pieces.append(parsed.text[done:])
    participants = dict.fromkeys(names.get(p.label, p.label) for p in parsed.participants)
    # A speaker without a role takes the one the new name implies ("I" for an interviewer).
    roles = {names.get(p.label, p.label): p.role or guess_role(names.get(p.label, p.label))
             for p in reversed(parsed.participants)}
    return replace(parsed, text="".join(pieces), turns=tuple(turns),
                   participants=tuple(ParticipantSpec(label, roles[label]) for label in participants))


def with_roles(parsed: ParsedTranscript, roles: Mapping[str, str | None]) -> ParsedTranscript:
    """The transcript with these speakers' roles set (label → role, lower case); labels that
    are no speaker of this file are left to the caller to check (`unknown_speakers`)."""
    participants = tuple(
        ParticipantSpec(p.label, (roles[p.label] or "").strip().lower() or None) if p.label in roles else p
        for p in parsed.participants
    )
    return replace(parsed, participants=participants)
