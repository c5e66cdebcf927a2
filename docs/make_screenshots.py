"""Regenerate the SVG screenshots in docs/ from the demo study.

    uv run python docs/make_screenshots.py

The demo's recorded coding gives the screens their colours and figures. For the
blind-coding screen a third demo coder, lotte, is handed a sample of marieke's
fragments here, so there is a pending fragment to show.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from coder.assignments import assign  # noqa: E402
from coder.db import open_study  # noqa: E402
from coder.demo import build_demo  # noqa: E402
from coder.tui.app import WorkbenchApp  # noqa: E402
from coder.tui.pilot import settle  # noqa: E402

SIZE = (140, 40)


async def shoot(target: str, coder: str, keys: list[tuple[tuple[str, ...], str | None]]) -> None:
    """Open the workbench as `coder`, press each run of keys and save a screenshot after it."""
    study = open_study(target)
    app = WorkbenchApp(study, coder)
    app.theme = "textual-dark"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for presses, name in keys:
            await pilot.press(*presses)
            await settle(app, pilot)
            if name:
                app.save_screenshot(str(HERE / f"{name}.svg"))
    study.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = str(Path(tmp) / "demo.db")
        study = build_demo(target)
        with study.session() as session:
            assign(session, "marieke", "lotte", "lead", fraction=0.25, seed=3)
        study.close()
        asyncio.run(shoot(target, "marieke", [
            ((), "study-screen"),
            (("enter", *["down"] * 13, "shift+down"), "coding-screen"),
            (("q", "a"), "agreement-screen"),
        ]))
        asyncio.run(shoot(target, "sander", [(("v",), "review-screen")]))
        asyncio.run(shoot(target, "lotte", [(("b",), "blind-screen")]))


if __name__ == "__main__":
    main()
