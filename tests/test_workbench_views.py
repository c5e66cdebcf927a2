"""The final coding and other coders' codings on the coding screen (issue #17, point 11), at
100×30 and at 160×48: `v` cycles what the bars and names show, read-only, where blindness allows."""

from __future__ import annotations

from coder.coding.blind_pass import blind_queue
from coder.coding.queries import transcript_codings
from coder.report.debrief_data import pair_final
from coder.tui.actions import ActionDone
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.coding import CodingsRead, TranscriptOpened
from coder.tui.screens.study import StudyRead
from coder.tui.widgets.transcript_pane import TranscriptPane
from tests.workbench_helpers import NARROW, WIDE, coding_status, shown


async def open_transcript(app, pilot, transcript_id: int) -> TranscriptPane:
    from coder.tui.screens.coding import CodingScreen

    await pilot.wait_for(StudyRead)
    app.push_screen(CodingScreen(app.study, app.screen.coder, transcript_id))
    await pilot.wait_for(TranscriptOpened)
    return app.screen.query_one(TranscriptPane)


async def test_v_shows_the_final_coding_and_the_other_coders_read_only(day):
    with day.session() as session:
        final = [r for r in pair_final(session, ("marieke", "sander")) if r.pass_ == "consensus"]
        transcript = final[0].fragment.transcript_id
        final_ids = {r.coding_id for r in pair_final(session, ("marieke", "sander"))
                     if r.fragment.transcript_id == transcript}

    def mine() -> set[int]:
        with day.session() as session:
            return {c.id for c in transcript_codings(session, transcript, "marieke") if c.pass_ == "primary"}

    for size in (NARROW, WIDE):
        before = mine()
        app = WorkbenchApp(day, "marieke")
        async with drive(app, size=size) as pilot:
            pane = await open_transcript(app, pilot, transcript)
            assert {c.id for c in pane.codings} == before
            await pilot.press("v", until=CodingsRead)
            assert "viewing final marieke & sander, read-only" in coding_status(app)
            assert {c.id for c in pane.codings} == final_ids and final_ids != before
            pane.set_cursor(final[0].first)
            await pilot.pause()
            assert final[0].code_name[:6] in shown(app)  # the consensus code by name beside the fragment
            await pilot.press("1")
            await pilot.pause()
            assert any("read-only" in n.message for n in app._notifications)
            assert mine() == before  # nothing written
            labels = [view.label for view in app.screen.loaded.views]
            assert labels[0] == "mine" and "sander" in labels and "final marieke & lotte" in labels
            for _ in labels[1:]:
                await pilot.press("v", until=CodingsRead)
            assert "showing your own coding" in coding_status(app) and {c.id for c in pane.codings} == before
            await pilot.press("1", until=ActionDone)  # one's own coding is editable again
            assert mine() != before


async def test_a_coder_still_coding_blind_is_offered_only_their_own(day):
    with day.session() as session:
        pending = next(item for item in blind_queue(session, "lotte") if item.pending)
    app = WorkbenchApp(day, "lotte")
    async with drive(app, size=NARROW) as pilot:
        pane = await open_transcript(app, pilot, pending.transcript_id)
        assert [view.label for view in app.screen.loaded.views] == ["mine"]
        await pilot.press("v")
        await pilot.pause()
        assert any("Only your own coding" in n.message for n in app._notifications)
        assert pane.codings == [] and "marieke" not in coding_status(app)


def test_the_other_codings_are_offered_once_the_blind_fragments_there_are_done(day):
    from coder.coding.blind_pass import finish, toggle_blind_code
    from coder.report.coding_views import views_offered

    with day.session() as session:
        here = next(item for item in blind_queue(session, "lotte") if item.pending).transcript_id
        assert [v.label for v in views_offered(session, "lotte", here)] == ["mine"]
        for item in blind_queue(session, "lotte"):
            if item.transcript_id == here:
                toggle_blind_code(session, "lotte", item.assignment_id, "interdependence")
                finish(session, "lotte", item.assignment_id)
    with day.reader("lotte") as session:
        labels = [v.label for v in views_offered(session, "lotte", here)]
    assert labels[0] == "mine" and "marieke" in labels and "final marieke & sander" in labels
