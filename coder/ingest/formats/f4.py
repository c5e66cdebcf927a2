"""f4/f5 transcripts (audiotranskription.de), as text or Word: a paragraph a line, opening with
the speaker's code (`I:` interviewer, `B:` respondent, or names), with time stamps `#00:01:23-4#`
(tenths of a second after the dash).

f4 puts a stamp at the end of each paragraph when the transcriber moves on, so a paragraph
starts at the stamp before it (the start of the recording for the first), or at a stamp it
opens with. Stamps are marks, not speech, and are dropped from the text. A paragraph without
a speaker code goes on the previous speaker's turn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from coder.ingest.formats.labels import REST_OF_LABEL, is_metadata_key, looks_like_label
from coder.ingest.formats.parsed import ParsedTranscript, Utterance, assemble
from coder.ingest.formats.timecode import as_clock

F4 = "f4/f5"

#: A stamp with the spaces around it. The spaces before it are taken only from where they begin
#: (`(?<![ \t])`): else a search would scan a long run of spaces once from each of them.
_STAMP = re.compile(r"(?:(?<![ \t])[ \t]+)?#(?P<time>\d{1,2}:\d{2}:\d{2}(?:-\d)?)#[ \t]*")
_OPENING_STAMP = re.compile(r"^#(?P<time>\d{1,2}:\d{2}:\d{2}(?:-\d)?)#[ \t]*")
_LABEL = re.compile(rf"^(?P<label>[^\s:#][^\n:#]{REST_OF_LABEL}?)[ \t]*:[ \t]*")
_BEGINNING = "00:00:00"


def is_f4(text: str) -> bool:
    return _STAMP.search(text) is not None


def _utterances(text: str) -> Iterator[Utterance]:
    """A paragraph's speech with its speaker and start; paragraphs before the first speaker code
    (a title, "Datum: 12 maart 2024") are the file's header, not speech."""
    last_stamp, speaker = _BEGINNING, None
    for paragraph in filter(None, map(str.strip, text.split("\n"))):
        opening = _OPENING_STAMP.match(paragraph)
        if opening:
            last_stamp, paragraph = as_clock(opening.group("time")), paragraph[opening.end() :]
        start = last_stamp
        stamps = list(_STAMP.finditer(paragraph))
        if stamps:
            last_stamp = as_clock(stamps[-1].group("time"))
        label = _LABEL.match(paragraph)
        code = label.group("label") if label and looks_like_label(label.group("label")) else None
        if code and (speaker or not is_metadata_key(code)):
            speaker, paragraph = code, paragraph[label.end() :]
        if speaker:
            yield Utterance(speaker, _STAMP.sub(" ", paragraph), start)


def read_f4(text: str, path: str) -> ParsedTranscript:
    return assemble(_utterances(text), path, F4, separator="\n")
