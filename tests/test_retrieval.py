"""Retrieval by code: frequencies per school type, fragments of a code or theme, filters."""

from __future__ import annotations

from textual.widgets import DataTable

from coder.coding.actions import add_coding
from coder.coding.queries import coding_records
from coder.coding.retrieval import ANY_CODE, fragments_with, frequencies, memo_tags, with_memo
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.coding import CodingScreen, TranscriptOpened
from coder.tui.screens.retrieval import RetrievalRead, RetrievalScreen
from coder.tui.screens.study import StudyRead
from coder.tui.widgets.transcript_pane import TranscriptPane


def _code(sample):
    study, t = sample
    with study.session() as session:
        add_coding(session, "anna", "interdependence", t, 2, 3, memo="Klopt dit wel? #vraag")
        add_coding(session, "anna", "flexibility", t, 4, 4)
        add_coding(session, "bram", "interdependence", t, 2, 3, pass_="blind")
    with study.reader() as session:
        return coding_records(session)


def test_a_theme_retrieves_its_elements_and_counts_per_school_type(sample):
    records = _code(sample)
    assert [(r.coder, r.pass_) for r in fragments_with(records, "interdependence")] == [
        ("anna", "primary"), ("bram", "blind")]
    [every, inter, flex] = frequencies(records, [ANY_CODE, "interdependence", "flexibility"])
    assert (every.total, inter.total, inter.by_school_type) == (3, 2, {"po": 2})
    assert (flex.total, flex.by_school_type) == (1, {"po": 1})
    assert memo_tags(records) == ["#vraag"]
    assert [r.coder for r in with_memo(records, "#vraag")] == ["anna"] and with_memo(records, "#debrief") == []


async def test_the_screen_lists_fragments_filters_by_coder_and_opens_one(sample):
    study, t = sample
    _code(sample)
    app = WorkbenchApp(study, "anna")
    async with drive(app, size=(160, 48)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("c", until=RetrievalRead)
        assert isinstance(app.screen, RetrievalScreen)
        codes = app.screen.query_one("#retrieval-codes", DataTable)
        fragments = app.screen.query_one("#retrieval-fragments", DataTable)
        assert codes.get_row_at(0) == ["(all codes)", "3", "3"] and fragments.row_count == 3
        await pilot.press("m")  # memos only: every memo of the study
        await pilot.pause()
        assert fragments.row_count == 1 and fragments.get_row_at(0)[6] == "Klopt dit wel? #vraag"  # the memo first
        await pilot.press("m", "down")
        await pilot.pause()
        assert codes.get_row_at(1)[1:] == ["2", "2"]  # the first theme: 2 codings, both in po
        assert fragments.row_count == 2
        assert fragments.get_row_at(0)[1:6] == ["3–4", "L", "po", "anna", "primary"]
        await pilot.press("c", until=RetrievalRead)  # only anna
        await pilot.pause()
        assert fragments.row_count == 1 and "anna" in str(app.screen.query_one("#retrieval-status").render())
        fragments.focus()
        await pilot.press("enter", until=TranscriptOpened)
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.query_one(TranscriptPane).cursor == 2
