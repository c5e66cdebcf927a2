"""A coding session in its own process, for the durability test: it codes segment after
segment through the real workbench and prints `ACK position` once the screen shows each
coding. The test kills it with SIGKILL at some moment and checks the database.

    python -m tests.procs.coding_session STUDY_DB
"""

from __future__ import annotations

import asyncio
import sys

from coder.storage.database import open_study
from coder.tui.app import WorkbenchApp
from coder.tui.screens.coding import CodingScreen
from coder.tui.widgets.transcript_pane import TranscriptPane


async def session(target: str) -> None:
    study = open_study(target)
    app = WorkbenchApp(study, "anna", transcript_id=1)
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, CodingScreen) and app.screen.query_one(TranscriptPane).view):
            await asyncio.sleep(0.01)
        pane = app.screen.query_one(TranscriptPane)
        for position in range(len(pane.view.segments)):
            if not pane.view.codable(position):
                continue
            pane.set_cursor(position)
            await pilot.press("1")
            while not any(c.code_id == "interdependence" for c in pane.covering(position)):
                await asyncio.sleep(0.002)  # not yet on screen: not yet acknowledged
            print(f"ACK {position}", flush=True)
    study.close()


if __name__ == "__main__":
    asyncio.run(session(sys.argv[1]))
