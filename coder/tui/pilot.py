"""Driving the workbench headless (tests, benchmarks, screenshots)."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot


async def settle(app: App, pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish and their results reach the screen.

    A worker's result is posted back as a message that may start another worker
    (loading the codings after an action), hence a few rounds.
    """
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()
