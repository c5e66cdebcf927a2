"""A DataTable that is filled whole at once, each column as wide as its widest cell.

DataTable measures new cells when it is next idle; a frame drawn before then caches
its rows at the columns' old widths and keeps them, so a table filled right after it
was cleared can stay cut to its header's widths (Textual issue #3533). Giving each
column its width as the table is filled leaves nothing to measure later.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from coder.tui.widgets.plain import escaped

Cell = str | Text


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


class Table(DataTable):
    """Rows replaced all at once by `fill`, with column widths known before the first frame."""

    def fill(self, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """Replace the rows: (key, cells) each, the cells in column order."""
        self.clear()
        for key, cells in rows:
            self.add_row(*(escaped(c) if isinstance(c, str) else c for c in cells), key=key)
        for index, column in enumerate(self.ordered_columns):
            column.width = max([column.label.cell_len, *(_width(cells[index]) for _, cells in rows)])
            column.auto_width = False
