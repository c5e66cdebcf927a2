"""Regenerate the screenshots in docs/ and the example summaries in docs/examples/
from the demo study.

    uv run python docs/make_screenshots.py

The picture of the HTML summary is taken with headless Chromium when one is installed.

The demo's recorded coding gives the screens their colours and figures. For the
blind-coding screen a third demo coder, lotte, is handed a sample of marieke's
fragments here, so there is a pending fragment to show.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual.message import Message  # noqa: E402

from coder.coding.assignments import assign  # noqa: E402
from coder.demo.demo_study import build_demo  # noqa: E402
from coder.report.debrief_export import debrief_document, write_debrief  # noqa: E402
from coder.storage.database import open_study  # noqa: E402
from coder.tui.app import WorkbenchApp  # noqa: E402
from coder.tui.pilot import drive  # noqa: E402
from coder.tui.screens.agreement import DisagreementsRead  # noqa: E402
from coder.tui.screens.blind_coding import QueueRead  # noqa: E402
from coder.tui.screens.coding import TranscriptOpened  # noqa: E402
from coder.tui.screens.find import StudySearched  # noqa: E402
from coder.tui.screens.retrieval import RetrievalRead  # noqa: E402
from coder.tui.screens.review import FragmentRead  # noqa: E402
from coder.tui.screens.study import StudyRead  # noqa: E402

SIZE = (140, 40)

#: A run of keys, the message that says their work is on screen (None: nothing to wait for),
#: and the name of the screenshot to save after it (None: none).
Step = tuple[tuple[str, ...], type[Message] | None, str | None]


async def shoot(target: str, coder: str, steps: list[Step]) -> None:
    """Open the workbench as `coder`, and take each step, saving a screenshot after it."""
    study = open_study(target)
    app = WorkbenchApp(study, coder)
    app.theme = "textual-dark"
    async with drive(app, size=SIZE) as pilot:
        await pilot.wait_for(StudyRead)
        for presses, until, name in steps:
            await pilot.press(*presses, until=until)
            if name:
                await pilot.wait_for_scheduled_animations()  # and the repaint after them, as snap_compare does
                await pilot.pause()
                app.save_screenshot(str(HERE / f"{name}.svg"))
    study.close()


def examples(study) -> None:
    """The demo's summary in both formats (and Dutch HTML), and a picture of the HTML."""
    folder = HERE / "examples"
    folder.mkdir(exist_ok=True)
    with study.session() as session:
        for name, fmt, lang in (("debrief.md", "md", "en"), ("debrief.html", "html", "en"),
                                ("debrief-nl.html", "html", "nl")):
            write_debrief(folder / name, debrief_document(session, fmt, "theme", lang))
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={HERE / 'debrief.png'}", "--window-size=900,1500",
                        (folder / "debrief.html").as_uri()], check=True, capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = str(Path(tmp) / "demo.db")
        study = build_demo(target)
        examples(study)
        with study.session() as session:
            assign(session, "marieke", "lotte", "lead", fraction=0.25, seed=3)
        study.close()
        asyncio.run(shoot(target, "marieke", [
            ((), None, "study-screen"),
            (("enter",), TranscriptOpened, None),
            ((*["down"] * 13, "shift+down"), None, "coding-screen"),
            (("q", "a"), DisagreementsRead, "agreement-screen"),
            (("q", "c"), RetrievalRead, "retrieval-screen"),
            (("q", "f", *"ouders", "enter"), StudySearched, "find-screen"),
        ]))
        asyncio.run(shoot(target, "sander", [(("v",), FragmentRead, "review-screen")]))
        asyncio.run(shoot(target, "lotte", [(("b",), QueueRead, "blind-screen")]))


if __name__ == "__main__":
    main()
