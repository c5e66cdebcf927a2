"""What the workbench's Pilot tests read off the screen, at the two sizes issue #17 tries."""

from __future__ import annotations

from coder.tui.screens.coding import TranscriptOpened
from coder.tui.screens.study import StudyRead
from coder.tui.widgets.transcript_pane import TranscriptPane

NARROW, WIDE = (100, 30), (160, 48)


async def at_first_codable_segment(app, pilot) -> tuple[TranscriptPane, int]:
    """Open the study list's second transcript (in the `day` study, not the one lotte codes
    blind) with the cursor on its first segment a code can go on: its pane and that position."""
    await pilot.wait_for(StudyRead)
    await pilot.press("down", "enter", until=TranscriptOpened)
    pane = app.screen.query_one(TranscriptPane)
    first = next(p for p in range(len(pane.view.segments)) if pane.view.codable(p))
    pane.set_cursor(first)
    return pane, first


def shown(app) -> str:
    """The whole screen as text, as the terminal shows it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def footer(app) -> str:
    return shown(app).splitlines()[-1]


def coding_status(app) -> str:
    """The coding screen's status line."""
    return str(app.screen.query_one("#coding-status").render())
