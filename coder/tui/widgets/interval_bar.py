"""A kappa with its 95% interval drawn as a bar on the scale -1 … 1."""

from __future__ import annotations

from rich.text import Text

SCALE = (-1.0, 1.0)


def interval_bar(kappa: float | None, ci95: tuple[float, float] | None, width: int = 24) -> Text:
    """`───●───` over the interval, with a tick at kappa 0; a dim dash when undefined."""
    if kappa is None or ci95 is None:
        return Text("—", style="dim")
    low, high = SCALE

    def column(value: float) -> int:
        clipped = min(max(value, low), high)
        return round((clipped - low) / (high - low) * (width - 1))

    cells = [" "] * width
    cells[column(0.0)] = "│"
    for index in range(column(ci95[0]), column(ci95[1]) + 1):
        cells[index] = "─"
    cells[column(kappa)] = "●"
    return Text("".join(cells))
