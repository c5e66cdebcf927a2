"""What the workbench's Pilot tests read off the screen, at the two sizes issue #17 tries."""

from __future__ import annotations

NARROW, WIDE = (100, 30), (160, 48)


def shown(app) -> str:
    """The whole screen as text, as the terminal shows it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def footer(app) -> str:
    return shown(app).splitlines()[-1]


def coding_status(app) -> str:
    """The coding screen's status line."""
    return str(app.screen.query_one("#coding-status").render())
