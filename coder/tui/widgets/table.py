"""A DataTable that is filled whole at once and fitted to the width it has.

DataTable measures new cells when it is next idle; a frame drawn before then caches
its rows at the columns' old widths and keeps them, so a table filled right after it
was cleared can stay cut to its header's widths (Textual issue #3533). Giving each
column its width as the table is filled leaves nothing to measure later.

Columns named `shrink` give up width when the table is wider than the terminal:
their text is cut with "…", the widest first, so that every other column (numbers,
progress) stays whole and on screen. Refilling keeps the cursor on the row it was
on, by key, so coming back to a list finds the reader where they left it.

A list that is sorted and filtered (the study's transcripts) is filled once and then
shown in part or in another order (`show`): the columns keep the widths measured for
every row, a new order moves the rows without adding any, and a subset adds only its own
rows, cut as they were, so a key costs what it shows, not what the study holds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.widgets import DataTable

from coder.tui.widgets.plain import escaped

Cell = str | Text

#: A cut column keeps at least this many cells.
NARROWEST = 6


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


def _cut(cell: Cell, width: int) -> Cell:
    """`cell` in at most `width` cells, ending in "…" when it was cut."""
    if _width(cell) <= width:
        return cell
    if isinstance(cell, Text):
        cut = cell.copy()
        cut.truncate(width, overflow="ellipsis")
        return cut
    return set_cell_size(cell, width - 1) + "…"


def fitted(natural: Sequence[int], shrink: Collection[int], room: int, first: Collection[int] = ()) -> list[int]:
    """Column widths within `room`: the `first` columns give up what they can (down to
    `NARROWEST`), then the other `shrink` columns are capped at one level, as high as fits.

    The other columns keep their natural width; when even that does not fit, the
    `shrink` columns keep `NARROWEST` and the table scrolls sideways.
    """
    widths = list(natural)
    for group in (set(first), set(shrink) - set(first)):
        if not group or sum(widths) <= room:
            continue
        others = sum(w for i, w in enumerate(widths) if i not in group)
        level = max(widths[i] for i in group)
        while level > NARROWEST and others + sum(min(widths[i], level) for i in group) > room:
            level -= 1
        widths = [min(w, level) if i in group else w for i, w in enumerate(widths)]
    return widths


class Table(DataTable):
    """Rows replaced all at once by `fill`, fitted to the table's width, with the cursor kept."""

    def __init__(self, *, shrink: Collection[int] = (), shrink_first: Collection[int] = (), **options) -> None:
        super().__init__(**options)
        self.shrink = frozenset(shrink)
        self.shrink_first = frozenset(shrink_first)
        self._rows: list[tuple[str, Sequence[Cell]]] = []
        self._drawn_for = -1
        #: The keys shown, in order: every row after `fill`, a part of them after `show`.
        self._shown: list[str] = []
        #: Each row's cells as drawn: escaped and cut to the columns' widths.
        self._cells: dict[str, tuple[Cell, ...]] = {}
        #: The same cells as the characters shown, where a cell is plain text (None where styled).
        self._plain: dict[str, tuple[str | None, ...]] = {}

    def fill(self, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """Replace the rows: (key, cells) each, the cells in column order."""
        self._rows = list(rows)
        self._shown = [key for key, _ in self._rows]
        self._draw()

    def show(self, keys: Sequence[str]) -> None:
        """Show only the filled rows of `keys`, in that order, at the widths measured for all rows."""
        kept = self.cursor_row_key()
        keys = [key for key in keys if key in self._cells]
        if sorted(keys) == sorted(self._shown):
            self._arrange(keys)
        else:
            self.clear()
            for key in keys:
                self.add_row(*self._cells[key], key=key)
        self._shown = keys
        self._keep_cursor(kept)

    def _arrange(self, keys: Sequence[str]) -> None:
        """Put the rows shown in the order of `keys`, moving them as `DataTable.sort` does: its own
        sort orders by cell values, and a cut title or a progress line cannot say a row's place."""
        place = {key: index for index, key in enumerate(keys)}
        self._row_locations = TwoWayDict({row_key: place[row_key.value] for row_key in self.rows})
        self._update_count += 1
        self.refresh()

    def _keep_cursor(self, kept: str | None) -> None:
        if kept is not None and kept in self.rows:
            self.move_cursor(row=self.get_row_index(kept), animate=False)

    def _room(self) -> int:
        """Cells the columns' text may take: the table's width less scroll bar and padding."""
        return self.scrollable_content_region.width - 2 * self.cell_padding * len(self.columns)

    def _draw(self) -> None:
        kept = self.cursor_row_key()
        columns = self.ordered_columns
        natural = [max([column.label.cell_len, *(_width(cells[i]) for _, cells in self._rows)])
                   for i, column in enumerate(columns)]
        room = self._room()
        widths = fitted(natural, self.shrink, room, self.shrink_first) if room > 0 else natural
        self._drawn_for = room
        self.clear()
        for column, width in zip(columns, widths, strict=True):
            column.width, column.auto_width = width, False
        cut = {key: [_cut(cell, width) for cell, width in zip(cells, widths, strict=True)] for key, cells in self._rows}
        self._cells = {key: tuple(escaped(c) if isinstance(c, str) else c for c in cells) for key, cells in cut.items()}
        self._plain = {key: tuple(c if isinstance(c, str) else None for c in cells) for key, cells in cut.items()}
        for key in self._shown:
            self.add_row(*self._cells[key], key=key)
        self._keep_cursor(kept)

    def _update_dimensions(self, new_rows) -> None:
        """DataTable measures every cell of every row added, when it is next idle, to widen its
        columns: the cost of a filter that shows the whole list again. `_draw` gave each column
        its width and cut the cells to it, so rows added since have nothing to measure."""
        fixed = not any(column.auto_width for column in self.columns.values())
        super()._update_dimensions(() if fixed else new_rows)

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        """A plain cell as one styled segment, padded to `width`.

        DataTable renders every cell through Rich (a Text, wrapped, padded, styled: about
        0.2 ms each), so a new order or a filter, which brings a screenful of rows not drawn
        before, costs 60–110 ms. A cell this table cut to its column is one line of known
        characters, and needs none of that; headers and styled cells take DataTable's way.
        """
        plain = self._plain.get(self._row_locations.get_key(row_index).value) if row_index >= 0 else None
        text = plain[column_index] if plain is not None and 0 <= column_index < len(plain) else None
        if text is None or row_index < self.fixed_rows or column_index < self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        meta = Style.from_meta({"row": row_index, "column": column_index})
        pad, inner = " " * self.cell_padding, width - 2 * self.cell_padding
        shown = f"{pad}{set_cell_size(text, inner)}{pad}" if inner > 0 else " " * width
        return [[Segment(shown, base_style + meta + component_style + post_style)]]

    def cursor_row_key(self) -> str | None:
        """The key of the row under the cursor; None in an empty table."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def _on_resize(self, event: events.Resize) -> None:
        super()._on_resize(event)
        if self._rows and self._room() != self._drawn_for:
            self.call_after_refresh(self._draw)
