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
every row, and each row is made once, cut as it is drawn, so that a new order, a filter
that narrows the list or one that widens it again only puts the rows made in their places.
A key then costs the rows on screen, not what the study holds, and it is drawn in one
frame with the key's other changes (the filter box's text).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, Row, RowKey

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
        #: A body row's style by (stripe, base style, pseudo-classes): DataTable looks it up per line.
        self._stripes: dict[tuple, Style] = {}  # before DataTable's own set-up, which clears caches
        #: A plain cell's style with its place, by (style, row, column) (`_plain_cell`).
        self._placed: LRUCache[tuple[Style, int, int], Style] = LRUCache(4096)
        super().__init__(**options)
        self.shrink = frozenset(shrink)
        self.shrink_first = frozenset(shrink_first)
        self._rows: list[tuple[str, Sequence[Cell]]] = []
        self._drawn_for = -1
        #: The sizes the scroll bar was last set for (`_size_updated`).
        self._sized_for: tuple[Size, Size, Size, Size] | None = None
        #: The keys shown, in order: every row after `fill`, a part of them after `show`.
        self._shown: list[str] = []
        #: Each row as DataTable keeps it, made once for every filled row: the row, its cells by
        #: column as drawn (escaped and cut to the columns' widths), and its line (row, 0):
        #: a key makes no object per row, which the collector would walk.
        self._built: dict[str, tuple[Row, dict[ColumnKey, Cell], tuple[RowKey, int]]] = {}
        #: The same cells as the characters shown, where a cell is plain text (None where styled).
        self._plain: dict[str, tuple[str | None, ...]] = {}

    def fill(self, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """Replace the rows: (key, cells) each, the cells in column order."""
        self._rows = list(rows)
        self._shown = [key for key, _ in self._rows]
        self._draw()

    def show(self, keys: Sequence[str]) -> None:
        """Show only the filled rows of `keys`, in that order, at the widths measured for all rows."""
        self._put([key for key in keys if key in self._built])

    def _put(self, keys: Sequence[str], filled: bool = False) -> None:
        """Make the rows of `keys` the table's, in that order, the cursor kept on its row (on the
        first row when its row is not among them). The row under the cursor is announced
        (`RowHighlighted`) when another row came under it, or, `filled`, its cells may be new.

        DataTable's own ways cost what the table holds, not what changed: `add_row` makes each
        row and its cells anew (a filter widening the list to 1,000 rows: 20 ms), and `sort`
        orders by cell values, which a cut title or a progress line cannot say a row's place.
        `_draw` made every row once; here only the table's maps of them are made again, as
        `DataTable.sort` makes its map of places, and the next frame draws the rows on screen.
        """
        kept, at = self.cursor_row_key(), self.cursor_coordinate
        built = [self._built[key] for key in keys]
        self._row_locations = TwoWayDict({row.key: index for index, (row, _, _) in enumerate(built)})
        self.rows = {row.key: row for row, _, _ in built}
        self._data = {row.key: cells for row, cells, _ in built}
        self._shown = list(keys)
        self._update_count += 1
        rows = [row for row, _, _ in built]  # DataTable's two maps of lines, which it would make by place
        self._ordered_row_cache[(len(rows), self._update_count)] = rows
        self._offset_cache[self._update_count] = [line for _, _, line in built]
        self._update_dimensions(())
        self.refresh()
        if kept is not None and kept in self.rows:
            self.move_cursor(row=self.get_row_index(kept), animate=False)
        else:
            self.cursor_coordinate = Coordinate(0, 0)
            self.scroll_to(y=0, animate=False)
        if self.cursor_coordinate == at and (filled or self.cursor_row_key() != kept):
            self._highlight_cursor()  # as moving the cursor does
        self._repaint_now()

    def _repaint_now(self) -> None:
        """Ask the screen at once for the table's repaint, and its scroll bar's when the count of
        rows moved it, so that both are drawn in the frame the screen draws next.

        A widget's refresh reaches the screen when the widget is next idle. When the rows change
        in the screen's own handler (a key in the filter box), the screen begins its frame
        before then, and the table's repaint waits for a frame of its own, 17–33 ms later
        (Textual's update timer, after a pause, skips a period); the scroll bar would be set
        only while that frame is laid out, and be drawn in the one after.
        """
        if self._sized_for is not None and self._sized_for[2] != self.virtual_size:
            size, virtual_size, _, container_size = self._sized_for
            self._sized_for = (size, virtual_size, self.virtual_size, container_size)
            self._scroll_update(self.virtual_size)
            if self.show_vertical_scrollbar:
                self.vertical_scrollbar._check_refresh()
        self._check_refresh()

    def _room(self) -> int:
        """Cells the columns' text may take: the table's width less scroll bar and padding."""
        return self.scrollable_content_region.width - 2 * self.cell_padding * len(self.columns)

    def _draw(self) -> None:
        columns = self.ordered_columns
        natural = [max([column.label.cell_len, *(_width(cells[i]) for _, cells in self._rows)])
                   for i, column in enumerate(columns)]
        room = self._room()
        widths = fitted(natural, self.shrink, room, self.shrink_first) if room > 0 else natural
        self._drawn_for = room
        self._clear_caches()
        for column, width in zip(columns, widths, strict=True):
            column.width, column.auto_width = width, False
        cut = {key: [_cut(cell, width) for cell, width in zip(cells, widths, strict=True)] for key, cells in self._rows}
        self._built = {}
        for key, cells in cut.items():
            row_key = RowKey(key)
            drawn = {column.key: escaped(c) if isinstance(c, str) else c for column, c in zip(columns, cells, strict=True)}
            self._built[key] = (Row(row_key, 1), drawn, (row_key, 0))
        self._plain = {key: tuple(c if isinstance(c, str) else None for c in cells) for key, cells in cut.items()}
        self._put(self._shown, filled=True)

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        """A plain cell as one styled segment (`_plain_cell`); headers and styled cells take
        DataTable's way."""
        plain = self._plain.get(self._row_locations.get_key(row_index).value) if row_index >= 0 else None
        text = plain[column_index] if plain is not None and 0 <= column_index < len(plain) else None
        if text is None or row_index < self.fixed_rows or column_index < self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        style = self._cell_style(base_style, cursor, hover)
        return [[self._plain_cell(text, row_index, column_index, style, width, self.cell_padding)]]

    def _cell_style(self, row_style: Style, cursor: bool, hover: bool) -> Style:
        """The style of a body cell in a row of `row_style`, under the cursor or the mouse or not."""
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        return row_style + component_style + post_style

    def _plain_cell(self, text: str, row_index: int, column_index: int, style: Style, width: int,
                    padding: int) -> Segment:
        """A cell this table cut to its column: one line of known characters, padded to `width`
        (`padding` on either side), in `style` with its place (which a click reads).

        DataTable renders every cell through Rich (a Text, wrapped, padded, styled: about
        0.2 ms each), so a new order or a filter, which brings a screenful of rows not drawn
        before, cost 60–110 ms. A style with a place is made once for each place and style:
        making one takes longer than drawing the cell.
        """
        place = (style, row_index, column_index)
        if (placed := self._placed.get(place)) is None:
            placed = self._placed[place] = style + Style.from_meta({"row": row_index, "column": column_index})
        pad, inner = " " * padding, width - 2 * padding
        return Segment(f"{pad}{set_cell_size(text, inner)}{pad}" if inner > 0 else " " * width, placed)

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style, cursor_location: Coordinate,
                            hover_location: Coordinate) -> tuple[list, list]:
        """A row of plain cells, with a row cursor, drawn as DataTable draws it, less its work
        for what such a row has not: each line looks up the header's and the row's styles in
        the stylesheet (0.1 ms), and each cell passes through DataTable's cell cache, keyed on
        the table's every change, so that a row drawn before in another place (a new order, a
        filter) is drawn anew. Here the row's style is looked up once per stripe and its cells'
        style once per row; rows with labels, fixed columns or styled cells, and other cursors,
        take DataTable's way.
        """
        plain = self._plain.get(row_key.value)
        if (plain is None or None in plain or self.cursor_type != "row" or self.fixed_columns or self.fixed_rows
                or self._should_render_row_labels):
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        row_index = self._row_locations.get(row_key)
        stripe = (row_index % 2 if self.zebra_stripes else None, base_style, self._pseudo_class_state)
        if (row_style := self._stripes.get(stripe)) is None:
            row_style = self._stripes[stripe] = self._get_row_style(row_index, base_style)
        cursor, hover = row_index == cursor_location.row, row_index == hover_location.row
        style, widths = self._cell_style(row_style, cursor, hover), [c.get_render_width(self) for c in self.ordered_columns]
        padding = self.cell_padding
        cells = [[self._plain_cell(text, row_index, index, style, width, padding)]
                 for index, (text, width) in enumerate(zip(plain, widths, strict=True))]
        extend, _ = self._get_styles_to_render_cell(False, False, False, hover, cursor, self.show_cursor,
                                                    self._show_hover_cursor, False, False)
        edge = Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        cells.append([Segment(" " * max(0, self.size.width - sum(widths)), row_style + extend + edge)])
        return [], cells

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._stripes.clear()
        self._placed.clear()

    def notify_style_update(self) -> None:
        self._stripes.clear()
        self._placed.clear()
        super().notify_style_update()

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        """Set the scroll bar only when the table's sizes changed.

        ScrollView compares the virtual size the compositor gives it (the region, for a widget
        that draws its own lines) with its own (every row), so every layout of the screen (each
        key typed in a filter box above) refreshed the scroll bar during the frame, too late
        to be drawn in it: a frame of its own, 17–33 ms later.
        """
        sizes = (size, virtual_size, self.virtual_size, container_size)
        if sizes == self._sized_for:
            return False
        self._sized_for = sizes
        return super()._size_updated(size, virtual_size, container_size, layout)

    def cursor_row_key(self) -> str | None:
        """The key of the row under the cursor; None in an empty table."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def _on_resize(self, event: events.Resize) -> None:
        super()._on_resize(event)
        if self._rows and self._room() != self._drawn_for:
            self.call_after_refresh(self._draw)
