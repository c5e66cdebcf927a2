"""noScribe's transcripts, as HTML (its editor's format) and as text.

After a title and a "Transcribed with noScribe vers. ..." header, every paragraph is a turn:
`S00 [00:00:12]: ...` with timestamps on, `S00: ...` without (or the names the researcher gave
noScribe instead of S00/S01). Later timestamps inside a turn (" [00:01:05]") are marks, not
speech, and are dropped; overlapping speech, written `//S01: ...//` inside another speaker's
paragraph, becomes a turn of its own. In HTML each piece of speech is an anchor named
`ts_<start ms>_<end ms>_<speaker>`, which gives a turn's start where no timestamp is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from coder.errors import TranscriptError
from coder.ingest.formats.labels import REST_OF_LABEL, looks_like_label
from coder.ingest.formats.parsed import ParsedTranscript, Utterance, assemble
from coder.ingest.formats.timecode import clock

NOSCRIBE_HTML = "noScribe (HTML)"
NOSCRIBE_TEXT = "noScribe (text)"

_SIGNATURE = re.compile(r"noScribe")
_TURN = re.compile(
    rf"^(?P<label>[^\s:\[/][^\n:\[]{REST_OF_LABEL}?)(?:[ \t]+\[(?P<time>\d{{2}}:\d{{2}}:\d{{2}})\])?[ \t]*:[ \t]*"
)
#: A time mark with the spaces before it, taken only from where they begin (see f4's `_STAMP`).
_MARK = re.compile(r"(?:(?<![ \t])[ \t]+)?\[\d{2}:\d{2}:\d{2}\]")
_OVERLAP = re.compile(rf"//(?P<label>[^\s:/][^:/\n]{REST_OF_LABEL}?):(?P<text>.*?)(?://|$)", re.DOTALL)
_ANCHOR = re.compile(r"^ts_(?P<start>\d+)_\d+_")
#: A "<" that no ">" closes before the next "<": text, not a tag. Python's HTML parser reads
#: each such "<" as a tag running to the end of the file, so "<v" repeated 50,000 times would
#: take it minutes; escaped first, it is read in one pass.
_STRAY_OPENING = re.compile(r"<(?=[^<>]*(?:<|$))")


@dataclass(frozen=True)
class _Paragraph:
    text: str
    start_ms: int | None = None


def is_noscribe_html(text: str) -> bool:
    return text.lstrip()[:1] == "<" and re.search(r"<html|<!DOCTYPE", text[:2000], re.IGNORECASE) is not None


def is_noscribe_text(text: str) -> bool:
    """The header noScribe writes, or its `LABEL [hh:mm:ss]:` turns."""
    head = "\n".join(text.split("\n", 8)[:8])
    return _SIGNATURE.search(head) is not None or any(
        match.group("time") for match in map(_TURN.match, text.split("\n")) if match
    )


class _Paragraphs(HTMLParser):
    """The text of each `<p>`, with the start of its first timed anchor."""

    _SKIPPED = frozenset({"head", "style", "script", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[_Paragraph] = []
        self._text: list[str] | None = None
        self._start: int | None = None
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag == "p":
            self._close()
            self._text, self._start = [], None
        elif tag == "br" and self._text is not None:
            self._text.append("\n")
        elif tag == "a" and self._start is None:
            anchor = _ANCHOR.match(dict(attrs).get("name") or "")
            self._start = int(anchor.group("start")) if anchor else None

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "p":
            self._close()

    def handle_data(self, data: str) -> None:
        if self._text is not None and not self._skipping:
            self._text.append(data)

    def _close(self) -> None:
        if self._text is not None:
            self.paragraphs.append(_Paragraph("".join(self._text).strip(), self._start))
        self._text = None

    def close(self) -> None:
        super().close()
        self._close()


def _pieces(speaker: str, text: str, start_time: str | None) -> Iterator[Utterance]:
    """One paragraph's speech: the speaker's, and any overlapping speech of others in it."""
    position = 0
    for overlap in _OVERLAP.finditer(text):
        yield Utterance(speaker, _MARK.sub("", text[position : overlap.start()]), start_time)
        yield Utterance(overlap.group("label").strip(), _MARK.sub("", overlap.group("text")))
        position, start_time = overlap.end(), None
    yield Utterance(speaker, _MARK.sub("", text[position:]), start_time)


def _utterances(paragraphs: Iterable[_Paragraph]) -> Iterator[Utterance]:
    speaker = None
    for paragraph in paragraphs:
        turn = _TURN.match(paragraph.text)
        if turn and (turn.group("time") or looks_like_label(turn.group("label"))):
            speaker = turn.group("label").strip()
            time = turn.group("time") or (clock(paragraph.start_ms / 1000) if paragraph.start_ms is not None else None)
            yield from _pieces(speaker, paragraph.text[turn.end() :], time)
        elif speaker is not None:  # a paragraph of the same turn; before the first turn, the header
            yield from _pieces(speaker, paragraph.text, None)


def _after_header(paragraphs: list[_Paragraph]) -> list[_Paragraph]:
    """The paragraphs after noScribe's title and header, so that a title with a colon is no turn."""
    header = next((i for i, p in enumerate(paragraphs[:4]) if _SIGNATURE.search(p.text)), -1)
    return paragraphs[header + 1 :]


def _read(paragraphs: list[_Paragraph], path: str, name: str) -> ParsedTranscript:
    utterances = list(_utterances(_after_header(paragraphs)))
    if not utterances:
        raise TranscriptError(
            path, "no speaker turns found: coder reads noScribe's paragraphs that open with 'S00:' or "
            "'S00 [00:00:12]:' (was speaker detection off?)"
        )
    return assemble(utterances, path, name, separator="\n")


def read_noscribe_html(text: str, path: str) -> ParsedTranscript:
    parser = _Paragraphs()
    parser.feed(_STRAY_OPENING.sub("&lt;", text))
    parser.close()
    return _read(parser.paragraphs, path, NOSCRIBE_HTML)


def read_noscribe_text(text: str, path: str) -> ParsedTranscript:
    return _read([_Paragraph(line.strip()) for line in text.split("\n") if line.strip()], path, NOSCRIBE_TEXT)
