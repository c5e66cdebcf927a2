"""Regenerate the SVG screenshots in docs/ from a demo study.

    uv run python docs/make_screenshots.py

A few fragments of the first interview are coded here by two example coders, only
so that the screens have colours and figures to show.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from coder.coding import add_coding  # noqa: E402
from coder.demo import build_demo  # noqa: E402
from coder.tui.app import WorkbenchApp  # noqa: E402
from coder.tui.pilot import settle  # noqa: E402

SIZE = (140, 40)
#: (first, last, anna's code, bram's blind code) in the first demo interview.
FRAGMENTS = [
    (6, 9, "joint-programmes", "new-activities"), (14, 15, "letting-go-of-role", "letting-go-of-role"),
    (16, 17, "mutual-trust", "flexibility"), (19, 21, "willingness", "willingness"),
    (24, 26, "awareness-other-discipline", "awareness-other-discipline"),
    (28, 30, "shared-responsibility", "interdependence"), (34, 36, "feedback", "reflection"),
]


async def shoot(target: str) -> None:
    from coder.db import open_study

    study = open_study(target)
    app = WorkbenchApp(study, "anna")
    app.theme = "textual-dark"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "study-screen.svg"))
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*["down"] * 16, "shift+down")
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "coding-screen.svg"))
        await pilot.press("q", "a")
        await settle(app, pilot)
        app.save_screenshot(str(HERE / "agreement-screen.svg"))
    study.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = str(Path(tmp) / "demo.db")
        study = build_demo(target)
        with study.session() as session:
            for first, last, a_code, b_code in FRAGMENTS:
                add_coding(session, "anna", a_code, 1, first, last)
                add_coding(session, "bram", b_code, 1, first, last, pass_="blind")
        study.close()
        asyncio.run(shoot(target))


if __name__ == "__main__":
    main()
