"""Snapshots of the workbench's main screens on the coded demo study (SVG, with
pytest-textual-snapshot): a fixed terminal size and theme, each taken once the
message that fills the screen has been handled.

After a deliberate change to a screen, look at the report and then take new ones:

    uv run pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from textual.message import Message

from coder.coding.assignments import assign
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import Driver, Messages, recording
from coder.tui.screens.agreement import DisagreementsRead
from coder.tui.screens.blind_coding import QueueRead
from coder.tui.screens.coding import TranscriptOpened
from coder.tui.screens.find import StudySearched
from coder.tui.screens.retrieval import RetrievalRead
from coder.tui.screens.review import FragmentRead
from coder.tui.screens.study import StudyRead

SIZE = (120, 36)
THEME = "textual-dark"


def shot(snap_compare, study, coder: str, *steps: tuple[tuple[str, ...], type[Message] | None]) -> bool:
    """Open the workbench on `study` as `coder`, take each step (keys, the message to wait for), compare."""
    app = WorkbenchApp(study, coder)
    app.theme = THEME
    app.sub_title = "demo.db"  # the header shows the study's path, a new temporary one on every run
    messages = Messages()

    async def run_before(pilot) -> None:
        driver = Driver(pilot.app, messages)
        await driver.wait_for(StudyRead)
        for keys, until in steps:
            await driver.press(*keys, until=until)

    with recording(messages):
        return snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_study_screen(snap_compare, coded_demo):
    assert shot(snap_compare, coded_demo, "marieke")


def test_coding_screen(snap_compare, coded_demo):
    assert shot(snap_compare, coded_demo, "marieke", (("enter",), TranscriptOpened),
                ((*["down"] * 13, "shift+down"), None))


def test_blind_coding_screen(snap_compare, coded_demo):
    with coded_demo.session() as session:  # a third coder, with fragments still to code
        assign(session, "marieke", "lotte", "lead", fraction=0.25, seed=3)
    assert shot(snap_compare, coded_demo, "lotte", (("b",), QueueRead))


def test_review_screen(snap_compare, coded_demo):
    assert shot(snap_compare, coded_demo, "sander", (("v",), FragmentRead))


def test_agreement_screen(snap_compare, coded_demo):
    assert shot(snap_compare, coded_demo, "marieke", (("a",), DisagreementsRead))


def test_retrieval_screen(snap_compare, coded_demo):
    assert shot(snap_compare, coded_demo, "marieke", (("c",), RetrievalRead))


def test_find_screen(snap_compare, coded_demo):
    assert shot(snap_compare, coded_demo, "marieke", (("f", *"ouders", "enter"), StudySearched))
