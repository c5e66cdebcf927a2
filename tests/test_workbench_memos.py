"""Memos on a coding day (issue #17, point 10), at 100×30 and at 160×48: which coding a memo
goes with when several are under the cursor, a mark where a coding has one, and the list of
all memos by tag, coder and code (the retrieval screen's memo mode)."""

from __future__ import annotations

from textual.widgets import DataTable

from coder.coding.actions import add_coding
from coder.coding.queries import transcript_codings
from coder.tui.actions import ActionDone
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.dialogs import MemoDialog
from coder.tui.screens.memo_picker import MemoTargetPicker
from coder.tui.screens.retrieval import RetrievalRead
from coder.tui.screens.study import StudyRead
from coder.tui.widgets.transcript_pane import MEMO_MARK
from tests.workbench_helpers import NARROW, WIDE, at_first_codable_segment, shown


async def test_a_picker_asks_which_coding_the_memo_is_on_and_the_transcript_marks_it(day):
    app = WorkbenchApp(day, "lotte")
    async with drive(app, size=NARROW) as pilot:
        pane, _ = await at_first_codable_segment(app, pilot)
        await pilot.press("1", until=ActionDone)
        await pilot.press("3", until=ActionDone)
        await pilot.press("m")
        assert isinstance(app.screen, MemoTargetPicker)
        picker = shown(app)
        assert "Memo on which coding?" in picker
        assert "Onderlinge afhankelijkheid · segment" in picker and "Flexibiliteit · segment" in picker
        await pilot.press("down", "enter")
        assert isinstance(app.screen, MemoDialog) and "Memo on Flexibiliteit" in shown(app)
        await pilot.press(*"eerder reflectie? #vraag", "ctrl+s", until=ActionDone)
        with day.session() as session:
            memos = {c.code_id: c.memo for c in transcript_codings(session, pane.view.id, "lotte")}
        assert memos == {"interdependence": "", "flexibility": "eerder reflectie? #vraag"}
        line = next(line for line in shown(app).splitlines() if "▌▌" in line)
        assert f"{MEMO_MARK}Flex" in line and f"{MEMO_MARK}Onder" not in line  # only the coding with a memo
        await pilot.press("m")
        await pilot.press("escape")  # the picker cancelled: no memo dialog
        assert not isinstance(app.screen, (MemoTargetPicker, MemoDialog))


async def test_every_memo_by_tag_coder_and_code(day):
    with day.session() as session:
        add_coding(session, "sander", "flexibility", 1, 6, 6, memo="twijfel #vraag")
        add_coding(session, "sander", "reflection", 1, 8, 8, memo="mooi citaat #debrief")
    app = WorkbenchApp(day, "marieke")
    for size in (WIDE, NARROW):
        async with drive(app, size=size) as pilot:
            await pilot.wait_for(StudyRead)
            await pilot.press("c", until=RetrievalRead)
            fragments = app.screen.query_one("#retrieval-fragments", DataTable)
            await pilot.press("m")
            await pilot.pause()
            assert fragments.row_count == 4  # marieke's two demo memos and sander's two
            memo = "twijfel #vraag" if size == WIDE else "twijf…"  # before the text, cut to fit at 100 columns
            assert memo in shown(app) and "mooi citaat"[: len(memo) - 1] in shown(app)
            await pilot.press("t")  # the most used tag first: marieke's and sander's #debrief
            await pilot.pause()
            assert fragments.row_count == 2 and "tagged #debrief" in shown(app)
            await pilot.press("t", "t", "t")  # #exemplary, #vraag, then every memo again
            await pilot.press("c", until=RetrievalRead)
            await pilot.press("c", until=RetrievalRead)  # marieke, then sander
            await pilot.pause()
            assert fragments.row_count == 2 and "codings of sander" in shown(app)
            codes = app.screen.query_one("#retrieval-codes", DataTable)
            codes.move_cursor(row=codes.get_row_index("flexibility"))
            await pilot.pause()
            assert fragments.row_count == 1 and memo in shown(app)
        app = WorkbenchApp(day, "marieke")
