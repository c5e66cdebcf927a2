"""The coding screen, driven with Pilot: code by keys, undo, search, pick, memo, reopen."""

from __future__ import annotations

from sqlmodel import func, select

from coder.coding.queries import transcript_codings
from coder.storage.models import Coding, Segment
from coder.tui.actions import ActionDone, ActionRefused
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.coding import CodingScreen, TextFound, TranscriptCompleted, TranscriptOpened
from coder.tui.screens.dialogs import CodePicker, HelpDialog, MemoDialog
from coder.tui.screens.study import StudyRead
from coder.tui.widgets.transcript_pane import TranscriptPane

# Transcript 1 (Basisschool Noord) starts: 0-1 interviewer, 2 teacher, 3 youth-care
# worker, 4-5 interviewer, 6-9 teacher ...


def codings(study, coder="anna"):
    with study.session() as session:
        return [(c.code_id, c.first, c.last, c.memo) for c in transcript_codings(session, 1, coder)]


async def open_coding(app, pilot) -> TranscriptPane:
    await pilot.wait_for(StudyRead)
    await pilot.press("enter", until=TranscriptOpened)  # the first transcript on the study screen
    assert isinstance(app.screen, CodingScreen)
    return app.screen.query_one(TranscriptPane)


async def test_code_by_keys_undo_redo_and_reopen(demo):
    study = demo
    app = WorkbenchApp(study, "anna")
    async with drive(app, size=(150, 40)) as pilot:
        pane = await open_coding(app, pilot)
        assert pane.view.title.startswith("Basisschool Noord")
        refused = await pilot.press("1", until=ActionRefused)  # cursor on the interviewer: refused
        assert "interviewer" in str(refused.error) and codings(study) == []
        await pilot.press(*["down"] * 6, "1", until=ActionDone)
        assert codings(study) == [("interdependence", 6, 6, "")]
        await pilot.press("shift+down", "shift+down", "3", until=ActionDone)
        assert codings(study) == [("interdependence", 6, 6, ""), ("flexibility", 6, 8, "")]
        assert [c.code_id for c in pane.covering(7)] == ["flexibility"]
        await pilot.press("u", until=ActionDone)
        assert codings(study) == [("interdependence", 6, 6, "")]
        await pilot.press("U", until=ActionDone)
        assert codings(study) == [("interdependence", 6, 6, ""), ("flexibility", 6, 8, "")]
        await pilot.press("3", until=ActionDone)  # the same code on the same selection: toggled off
        assert codings(study) == [("interdependence", 6, 6, "")]
    reopened = WorkbenchApp(study, "anna")
    async with drive(reopened, size=(150, 40)) as pilot:
        pane = await open_coding(reopened, pilot)
        assert [(c.code_id, c.first, c.last) for c in pane.codings] == [("interdependence", 6, 6)]
        await pilot.press("u", until=ActionDone)  # the undo history survived the restart
        assert codings(study) == [("interdependence", 6, 6, ""), ("flexibility", 6, 8, "")]


async def test_search_picker_memo_next_uncoded_transcripts_and_help(demo):
    study = demo
    app = WorkbenchApp(study, "anna")
    async with drive(app, size=(150, 40)) as pilot:
        pane = await open_coding(app, pilot)
        found = await pilot.press("slash", *"keukentafl", "enter", until=TextFound)  # a typo still finds it
        assert found.found.fuzzy
        assert "keukentafel" in pane.view.segments[pane.cursor].text
        hit = pane.cursor
        await pilot.press("c")
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"vertrouwen", "enter", until=ActionDone)
        assert codings(study) == [("mutual-trust", hit, hit, "")]
        await pilot.press("m")
        assert isinstance(app.screen, MemoDialog)
        await pilot.press(*"eerder flexibiliteit?", "ctrl+s", until=ActionDone)
        assert codings(study) == [("mutual-trust", hit, hit, "eerder flexibiliteit?")]
        with study.session() as session:  # the old row is kept, superseded
            assert len(session.exec(select(Coding)).all()) == 2
        await pilot.press("home", "n")
        assert pane.cursor == 2  # first codable segment nobody coded
        await pilot.press("right_square_bracket", until=TranscriptOpened)
        assert pane.view.id != 1 and pane.cursor == 0
        await pilot.press("left_square_bracket", until=TranscriptOpened)
        assert pane.view.id == 1
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpDialog)
        await pilot.press("escape")
        await pilot.press("q")
        assert not isinstance(app.screen, CodingScreen)


async def test_without_a_coder_name_nothing_is_written(demo):
    study = demo
    app = WorkbenchApp(study, None)
    async with drive(app, size=(150, 40)) as pilot:
        await open_coding(app, pilot)
        await pilot.press(*["down"] * 6, "1")
        await app.workers.wait_for_complete()  # no message to wait for: a write would be a worker
        assert app.screen.loaded is not None and codings(study) == []


async def test_bindings_are_in_the_command_palette(demo):
    from textual.command import CommandPalette

    study = demo
    app = WorkbenchApp(study, "anna")
    async with drive(app, size=(150, 40)) as pilot:
        pane = await open_coding(app, pilot)
        await pilot.press(*["down"] * 6)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"next uncoded")
        await pilot.pause(0.5)
        await pilot.press("enter")
        assert isinstance(app.screen, CodingScreen)
        assert pane.cursor == 7


async def test_long_interview_shows_its_first_page_then_the_rest(demo, monkeypatch):
    import coder.tui.screens.coding as coding_screen

    monkeypatch.setattr(coding_screen, "FIRST_PAGE", 50)
    study = demo
    app = WorkbenchApp(study, "anna")
    async with drive(app, size=(150, 40)) as pilot:
        await pilot.wait_for(StudyRead)
        opened = await pilot.press("enter", until=TranscriptOpened)
        assert len(opened.loaded.view.segments) == 50  # the first page, then the rest
        await pilot.wait_for(TranscriptCompleted)
        pane = app.screen.query_one(TranscriptPane)
        with study.session() as session:
            total = session.exec(select(func.count(Segment.id)).where(Segment.transcript_id == pane.view.id)).one()
        assert total > 50
        assert len(pane.view.segments) == total
        assert len(app.screen.loaded.view.segments) == total
        await pilot.press("end")
        assert pane.cursor == total - 1


async def test_escape_closes_the_search_box_not_the_screen(demo):
    from textual.widgets import Input

    study = demo
    app = WorkbenchApp(study, "anna")
    async with drive(app, size=(150, 40)) as pilot:
        pane = await open_coding(app, pilot)
        await pilot.press("slash", *"quit")
        search = app.screen.query_one("#search", Input)
        assert search.display and search.value == "quit"  # "q" typed, not a command
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen) and not search.display and pane.has_focus


async def test_mouse_click_selects_and_wheel_scrolls(demo):
    app = WorkbenchApp(demo, "anna")
    async with drive(app, size=(150, 40)) as pilot:
        pane = await open_coding(app, pilot)
        row = next(y for y, line in enumerate(pane._lines) if line.position == 6 and line.index == 0)
        await pilot.click(TranscriptPane, offset=(30, row))
        assert pane.cursor == 6
        target = next(y for y, line in enumerate(pane._lines) if line.position == 8 and line.index == 0)
        await pilot.click(TranscriptPane, offset=(30, target), shift=True)
        assert pane.selection == (6, 8)
        await pilot.press("3", until=ActionDone)
        assert codings(demo) == [("flexibility", 6, 8, "")]
        pane._scroll_by(3)
        assert pane.top == 3 and pane.cursor == 8


async def test_actions_asked_for_at_once_are_written_in_key_order(demo):
    """Four actions queued before the first is written: each commits in turn, in the order asked."""
    app = WorkbenchApp(demo, "anna")
    async with drive(app, size=(150, 40)) as pilot:
        pane = await open_coding(app, pilot)
        pane.set_cursor(6)
        screen = app.screen
        screen.action_toggle("1")
        screen.action_toggle("3")
        screen.action_undo()  # takes back the 3, not the 1
        screen.action_toggle("1")
        said = [(await pilot.wait_for(ActionDone)).result for _ in range(4)]
        assert said == ["applied Onderlinge afhankelijkheid", "applied Flexibiliteit",
                        "undid: applied Flexibiliteit on segment 7",
                        "removed Onderlinge afhankelijkheid"]  # codes as the codebook names them
        assert codings(demo) == [] and pane.codings == []
