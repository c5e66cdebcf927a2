"""Search finds what is there (issue #17, point 5), at 100×30 and at 160×48: exact words first,
fuzzy when asked, the current hit of how many, and one search over the whole study."""

from __future__ import annotations

from coder.coding.search import fold
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.coding import CodingScreen, TextFound, TranscriptOpened
from coder.tui.screens.find import FindScreen, StudySearched
from coder.tui.screens.study import StudyRead
from coder.tui.widgets.transcript_pane import TranscriptPane
from tests.workbench_helpers import NARROW, WIDE, coding_status, shown


async def test_a_transcript_search_lands_on_the_word_and_says_which_hit(day):
    app = WorkbenchApp(day, "marieke")
    async with drive(app, size=NARROW) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("enter", until=TranscriptOpened)
        pane = app.screen.query_one(TranscriptPane)
        await pilot.press("slash")
        assert "~word for fuzzy" in shown(app)  # the prompt says how to ask for fuzzy hits
        found = (await pilot.press(*"ouders", "enter", until=TextFound)).found
        assert not found.fuzzy and len(found.indexes) > 1
        assert all("ouders" in fold(pane.view.segments[p].text) for p in found.indexes)  # never "anders"
        assert f"hit 1 of {len(found.indexes)} for “ouders”" in coding_status(app)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert f"hit 2 of {len(found.indexes)}" in coding_status(app) and pane.cursor == found.indexes[1]
        await pilot.press("less_than_sign", "less_than_sign")
        await pilot.pause()
        assert f"hit {len(found.indexes)} of {len(found.indexes)}" in coding_status(app)  # round the start
        await pilot.press("slash", *"~ouders", "enter", until=TextFound)
        assert "(fuzzy" in coding_status(app) and len(app.screen.found.indexes) > len(found.indexes)


async def test_find_in_study_lists_hits_of_every_transcript_and_opens_one(day):
    app = WorkbenchApp(day, "lotte")  # a blind second coder: text, never a code
    async with drive(app, size=WIDE) as pilot:
        await pilot.wait_for(StudyRead)
        assert "f Find" in shown(app)
        await pilot.press("f")
        assert isinstance(app.screen, FindScreen)
        searched = await pilot.press(*"ouders", "enter", until=StudySearched)
        found = searched.result.found
        screen = shown(app)
        assert f"{len(found)} hits for “ouders”" in screen
        assert "Transcript" in screen and "Speaker" in screen and "Code" not in screen
        titles = {hit.title for hit in found}
        assert len(titles) > 3 and all(title[:20] in screen for title in titles)
        await pilot.press("down", "enter", until=TextFound)
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.query_one(TranscriptPane).cursor == found[1].position
        assert "hit " in coding_status(app) and "for “ouders”" in coding_status(app)  # the same search, marked there
        await pilot.press("q")
        assert isinstance(app.screen, FindScreen)
