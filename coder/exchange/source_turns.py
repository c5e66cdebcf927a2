"""How a source from another QDA tool splits into turns, so that every character can be coded.

Other tools hold plain texts, not transcripts: public comments, field notes, documents. A
line such as `Covid: ...` or `Kormányfő: ...` there is prose, not a speaker. So `LABEL:` lines
count as speaker turns only when the text really is a transcript (`speaker_rule`): labels
recur, they are few against the lines, and most lines start with one. Otherwise the source
is one speaker's text, a turn per paragraph. A project coder wrote itself names each
source's speakers (the `participants` case variable): then exactly their lines start turns.

Whatever the rule, no text is left outside a turn (`covering`): text before the first
turn (a header, a preamble) becomes a turn of the unknown speaker, so a selection there
is a coding like any other. The labels themselves stay the turns' labels.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from coder.ingest.formats.coder_text import find_turns
from coder.ingest.formats.labels import UNKNOWN_SPEAKER, guess_role
from coder.ingest.formats.parsed import ParticipantSpec, TurnSpec

#: More than this share of the non-empty lines must start with a label.
MIN_LABELLED_SHARE = 0.5
#: A label must open, on average, at least this many turns ("labels recur").
MIN_TURNS_PER_LABEL = 2
#: At most this many distinct labels, or one per this many lines if that is more ("few").
FEW_LABELS, LINES_PER_LABEL = 4, 5


@dataclass(frozen=True)
class SpeakerRule:
    """Whether a text's `LABEL:` lines are speaker turns, with the figures that decided it."""

    turns: bool
    labels: int
    labelled_lines: int
    lines: int
    why: str

    def describe(self) -> str:
        """What the import report says for the source."""
        kind = "speaker turns" if self.turns else "paragraphs"
        return f"{kind} ({self.why})"


def speaker_rule(text: str) -> SpeakerRule:
    """Judge whether `text` is a transcript whose `LABEL:` lines start speaker turns.

    A pure function of the text: a transcript's labels recur (each opens
    `MIN_TURNS_PER_LABEL` turns on average), are few (at most `FEW_LABELS`, or one per
    `LINES_PER_LABEL` lines), and start more than `MIN_LABELLED_SHARE` of its lines.
    """
    lines = sum(1 for line in text.split("\n") if line.strip())
    counts = Counter(turn.label for turn in find_turns(text))
    labels, labelled = len(counts), sum(counts.values())
    figures = f"{labels} labels on {labelled} of {lines} lines"
    if not labels:
        return SpeakerRule(False, 0, 0, lines, "no line starts with a label")
    if labelled <= MIN_LABELLED_SHARE * lines:
        why = "most lines start with no label"
    elif labelled < MIN_TURNS_PER_LABEL * labels:
        why = "the labels do not recur"
    elif labels > max(FEW_LABELS, lines // LINES_PER_LABEL):
        why = "too many distinct labels for speakers"
    else:
        return SpeakerRule(True, labels, labelled, lines, figures)
    return SpeakerRule(False, labels, labelled, lines, f"{why}: {figures}")


def declared_participants(value: str) -> tuple[ParticipantSpec, ...]:
    """The speakers coder's export lists in a `participants` case variable ("L: teacher; I: unknown")."""
    specs = []
    for item in value.split("; "):
        label, _, role = item.rpartition(": ")
        if label.strip():
            specs.append(ParticipantSpec(label.strip(), None if role in ("", "unknown") else role))
    return tuple(specs)


def source_turns(
    text: str, declared: tuple[ParticipantSpec, ...] = ()
) -> tuple[tuple[TurnSpec, ...], tuple[ParticipantSpec, ...], str]:
    """The turns and speakers of a source's text, covering all of it, and which rule made them."""
    if declared:
        turns = find_turns(text, tuple(p.label for p in declared), strict=False)
        participants, how = declared, "speaker turns (the speakers the project names)"
    else:
        rule = speaker_rule(text)
        turns = find_turns(text) if rule.turns else ()
        participants = tuple(ParticipantSpec(label, guess_role(label)) for label in dict.fromkeys(t.label for t in turns))
        how = rule.describe()
    if not turns:  # one speaker's text: a turn per paragraph
        label = declared[0].label if len(declared) == 1 else UNKNOWN_SPEAKER
        turns = tuple(TurnSpec(label, m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text))
        participants = (ParticipantSpec(label, declared[0].role if len(declared) == 1 else None),)
        if declared:
            how = "paragraphs (the one speaker the project names)"
    covered = covering(text, turns)
    if len(covered) > len(turns):
        how += f"; the text before the first turn is {UNKNOWN_SPEAKER}'s"
        if UNKNOWN_SPEAKER not in {p.label for p in participants}:
            participants = (*participants, ParticipantSpec(UNKNOWN_SPEAKER, None))
    return covered, participants, how


def covering(text: str, turns: tuple[TurnSpec, ...]) -> tuple[TurnSpec, ...]:
    """`turns` with the text outside every turn's line given to the unknown speaker.

    A turn owns its line from the line's start (its label) to its end, so what is left
    is text before the first turn: each such stretch becomes a turn of `UNKNOWN_SPEAKER`.
    """
    covered: list[TurnSpec] = []
    at = 0
    for turn in (*turns, None):
        line_start = len(text) if turn is None else max(at, text.rfind("\n", 0, turn.start) + 1)
        gap = re.search(r"\S(?:.*\S)?", text[at:line_start], re.DOTALL)
        if gap:
            covered.append(TurnSpec(UNKNOWN_SPEAKER, at + gap.start(), at + gap.end()))
        if turn is not None:
            covered.append(turn)
            at = turn.end
    return tuple(covered)
