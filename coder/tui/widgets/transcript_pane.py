"""The transcript on the coding screen: segments by speaker turn, a cursor, a selection,
and coded fragments marked in their codes' colours with the code names beside them
(a thick bar for a theme, a thin one for a core element; names shortened to fit).

It draws only what is visible. The view is anchored at a top segment and laid out
downward until the pane is full, so a keypress costs the same in a transcript of
a hundred segments as in one of a hundred thousand (Line API: `render_line`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from coder.coding.queries import CodingRow, TranscriptView
from coder.ingest.formats.timecode import clock
from coder.tui.code_names import abbreviate

#: The speaker gutter's widest (label and role) and the share of the pane it may take.
GUTTER = 24
GUTTER_SHARE = 4
MARKS = 3
#: The code names' column: a quarter of the pane, within these bounds.
NAMES = (12, 30)
THEME_BAR, ELEMENT_BAR = "▌", "▏"
#: Before a code's name on a fragment: the coding has a memo.
MEMO_MARK = "✎"
#: A turn's start time under its speaker: `HH:MM:SS` and a space.
CLOCK_WIDTH = 9


@lru_cache(maxsize=4096)
def wrap(text: str, width: int) -> tuple[str, ...]:
    """A segment's lines at `width`; cached, as the same segments are drawn on every key."""
    return tuple(textwrap.wrap(text, width=max(width, 8))) or ("",)


@dataclass(frozen=True)
class Line:
    position: int
    index: int  # line number within the segment
    text: str


class TranscriptPane(Widget, can_focus=True):
    """Segments of one transcript, drawn a screenful at a time."""

    COMPONENT_CLASSES = {
        "transcript-pane--cursor",
        "transcript-pane--selection",
        "transcript-pane--speaker",
        "transcript-pane--uncodable",
        "transcript-pane--hit",
    }
    DEFAULT_CSS = """
    TranscriptPane { width: 1fr; height: 1fr; }
    TranscriptPane > .transcript-pane--cursor { background: $accent 40%; }
    TranscriptPane > .transcript-pane--selection { background: $accent 20%; }
    TranscriptPane > .transcript-pane--speaker { color: $secondary; text-style: bold; }
    TranscriptPane > .transcript-pane--uncodable { color: $text-muted; }
    TranscriptPane > .transcript-pane--hit { text-style: underline; }
    """
    BINDINGS = [
        Binding("down,j", "move(1)", "Next", show=False),
        Binding("up,k", "move(-1)", "Previous", show=False),
        Binding("shift+down,J", "extend(1)", "Extend selection down", show=False),
        Binding("shift+up,K", "extend(-1)", "Extend selection up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home,g", "jump(0)", "First segment", show=False),
        Binding("end,G", "jump(-1)", "Last segment", show=False),
    ]

    @dataclass
    class CursorMoved(Message):
        """The cursor is on a new segment; `codes` are the coder's codes covering it."""

        position: int
        codes: tuple[str, ...]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: TranscriptView | None = None
        self.codings: list[CodingRow] = []
        self.cursor = 0
        self.anchor: int | None = None
        self.top = 0
        self.hits: frozenset[int] = frozenset()
        self._covering: dict[int, list[CodingRow]] = {}
        self._starting: dict[int, list[CodingRow]] = {}
        self._lines: list[Line] = []
        self._speakers: tuple[int, int] = (2, 2)  # widest "label role", widest label

    # --- data -----------------------------------------------------------------------

    def show_transcript(self, view: TranscriptView, codings: list[CodingRow], cursor: int = 0) -> None:
        self.view = view
        self.anchor = None
        self.top = 0
        self.hits = frozenset()
        turns = view.turns.values()
        # A turn's start time shows under its speaker: the gutter then holds `HH:MM:SS` too.
        least = CLOCK_WIDTH - 1 if any(t.start_time is not None for t in turns) else 1
        self._speakers = (max((len(f"{t.label} {t.role or ''}".strip()) for t in turns), default=1),
                          max((len(t.label) for t in turns), default=1))
        self._speakers = (max(self._speakers[0], least), max(self._speakers[1], least))
        self.show_codings(codings)
        self.set_cursor(cursor)

    def extend(self, view: TranscriptView) -> None:
        """The same transcript with more segments loaded: keep cursor and scroll position."""
        self.view = view
        self._relayout()

    def show_codings(self, codings: list[CodingRow]) -> None:
        """Index the codings by the segments they cover (only the visible ones are looked up)."""
        self.codings = codings
        self._covering, self._starting = {}, {}
        for coding in codings:
            self._starting.setdefault(coding.first, []).append(coding)
            for position in range(coding.first, coding.last + 1):
                self._covering.setdefault(position, []).append(coding)
        self._relayout()

    def covering(self, position: int) -> list[CodingRow]:
        return self._covering.get(position, [])

    @property
    def selection(self) -> tuple[int, int]:
        """The selected run of segments (first, last); the cursor alone when none."""
        if self.anchor is None:
            return self.cursor, self.cursor
        return min(self.anchor, self.cursor), max(self.anchor, self.cursor)

    # --- movement -------------------------------------------------------------------

    def set_cursor(self, position: int, extend: bool = False) -> None:
        if self.view is None or not self.view.segments:
            return
        if extend and self.anchor is None:
            self.anchor = self.cursor
        elif not extend:
            self.anchor = None
        self.cursor = max(0, min(position, len(self.view.segments) - 1))
        self._scroll_to_cursor()
        self._relayout()
        self.post_message(self.CursorMoved(self.cursor, tuple(c.code_id for c in self.covering(self.cursor))))

    def action_move(self, delta: int) -> None:
        self.set_cursor(self.cursor + delta)

    def action_extend(self, delta: int) -> None:
        self.set_cursor(self.cursor + delta, extend=True)

    def action_page(self, direction: int) -> None:
        visible = len({line.position for line in self._lines}) or 1
        self.set_cursor(self.cursor + direction * max(visible - 1, 1))

    def action_jump(self, position: int) -> None:
        if self.view is not None:
            self.set_cursor(position if position >= 0 else len(self.view.segments) - 1)

    def on_click(self, event: events.Click) -> None:
        """Mouse welcome: a click puts the cursor on a segment, shift+click extends to it."""
        if 0 <= event.y < len(self._lines):
            self.focus()
            self.set_cursor(self._lines[event.y].position, extend=event.shift)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll_by(3)
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll_by(-3)
        event.stop()

    def _scroll_by(self, segments: int) -> None:
        """Scroll the view without moving the cursor, as a mouse wheel does."""
        if self.view is not None:
            self.top = max(0, min(self.top + segments, len(self.view.segments) - 1))
            self._relayout()

    def _scroll_to_cursor(self) -> None:
        if self.view is None:
            return
        if self.cursor < self.top:
            self.top = self.cursor
            return
        height = max(self.size.height, 1)
        used = sum(self._height(p) for p in range(self.top, self.cursor + 1))
        while used > height and self.top < self.cursor:
            used -= self._height(self.top)
            self.top += 1

    # --- layout and drawing -----------------------------------------------------------

    @property
    def _gutter(self) -> tuple[int, bool]:
        """The speaker gutter's width, and whether it has room for roles beside the labels."""
        with_roles, labels = self._speakers
        if with_roles + 1 <= max(self.size.width // GUTTER_SHARE, labels + 1):
            return min(with_roles + 1, GUTTER), True
        return labels + 1, False

    @property
    def _names_width(self) -> int:
        low, high = NAMES
        return max(low, min(high, self.size.width // 4))

    @property
    def _text_width(self) -> int:
        return max(self.size.width - self._gutter[0] - MARKS - 1 - self._names_width, 20)

    def _height(self, position: int) -> int:
        return len(wrap(self.view.segments[position].text, self._text_width))

    def on_resize(self) -> None:
        self._scroll_to_cursor()
        self._relayout()

    def _relayout(self) -> None:
        """Lay out the segments from `top` until the pane is full, then repaint."""
        self._lines = []
        if self.view is not None:
            height, position = max(self.size.height, 1), self.top
            while len(self._lines) < height and position < len(self.view.segments):
                for index, text in enumerate(wrap(self.view.segments[position].text, self._text_width)):
                    self._lines.append(Line(position, index, text))
                position += 1
        self.refresh()

    def _starts_turn(self, position: int) -> bool:
        segments = self.view.segments
        return position == 0 or segments[position - 1].turn_id != segments[position].turn_id

    def _speaker_cell(self, line: Line, width: int, roles: bool) -> str:
        """The speaker (with the role where there is room) on a turn's first line, its start
        time on the second."""
        position = line.position
        turn = self.view.turns[self.view.segments[position].turn_id]
        if line.index == 0 and self._starts_turn(position):
            return (f"{turn.label} {turn.role or ''}" if roles else turn.label)[: width - 1]
        second = (line.index == 1 and self._starts_turn(position)) or (
            line.index == 0 and position > 0 and not self._starts_turn(position)
            and self._starts_turn(position - 1) and self._height(position - 1) == 1)
        return clock(turn.start_time) if second and turn.start_time is not None else ""

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y >= len(self._lines) or self.view is None:
            return Strip.blank(width, self.rich_style)
        line = self._lines[y]
        segment = self.view.segments[line.position]
        turn = self.view.turns[segment.turn_id]
        base = self.rich_style
        first, last = self.selection
        if line.position == self.cursor:
            base += self.get_component_rich_style("transcript-pane--cursor")
        elif first <= line.position <= last and self.anchor is not None:
            base += self.get_component_rich_style("transcript-pane--selection")
        gutter, roles = self._gutter
        speaker = self._speaker_cell(line, gutter, roles)
        parts = [Segment(f"{speaker:<{gutter}}", base + self.get_component_rich_style("transcript-pane--speaker"))]
        covering = self.covering(line.position)[:MARKS]
        for coding in covering:
            bar = ELEMENT_BAR if coding.element else THEME_BAR
            parts.append(Segment(bar, base + Style(color=coding.color or "grey50")))
        parts.append(Segment(" " * (MARKS - len(covering) + 1), base))
        text_style = base
        if not turn.codable:
            text_style += self.get_component_rich_style("transcript-pane--uncodable")
        if line.position in self.hits:
            text_style += self.get_component_rich_style("transcript-pane--hit")
        parts.append(Segment(f"{line.text:<{self._text_width}}", text_style))
        if line.index == 0:
            parts.extend(self._names(self._starting.get(line.position, []), base))
        return Strip(parts).adjust_cell_length(width, base)

    def _names(self, codings: list[CodingRow], base: Style) -> list[Segment]:
        """The names of the codes a fragment starts with, each in its share of the column,
        with a mark before those whose coding has a memo."""
        if not codings:
            return []
        share = max(self._names_width // len(codings), 3)
        return [Segment(f" {self._code_label(coding, share - 1)}", base + Style(color=coding.color or "grey50"))
                for coding in codings][: max(self._names_width // 3, 1)]

    @staticmethod
    def _code_label(coding: CodingRow, width: int) -> str:
        if not coding.memo.strip():
            return abbreviate(coding.name, width)
        return MEMO_MARK + abbreviate(coding.name, max(width - 1, 1))
