"""The whole method on the demo study, through the workbench: A codes, 50% goes to B,
B codes blind, kappa appears, B reconciles; the consensus stands beside the untouched
originals and the audit log has every step (DESIGN §1 steps 3-6)."""

from __future__ import annotations

import json

from sqlmodel import select
from textual.widgets import Checkbox, DataTable, Input, Static, TextArea

from coder.coding.queries import transcript_view
from coder.storage.models import AuditEntry, Coding, Decision
from coder.tui.actions import ActionDone
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.agreement import AgreementComputed, AgreementScreen
from coder.tui.screens.blind_coding import BlindScreen, QueueRead
from coder.tui.screens.coding import CodingScreen, TranscriptOpened
from coder.tui.screens.review import FragmentRead, ReviewScreen
from coder.tui.screens.study import StudyRead, StudyScreen
from coder.tui.widgets.transcript_pane import TranscriptPane

#: Codes anna applies (keys of the shipped codebook: 1 interdependence, 3 flexibility, 4 reflection).
ANNA_KEYS = "1341134413"


def originals(study) -> list[tuple]:
    with study.session() as session:
        rows = session.exec(select(Coding).where(Coding.pass_ != "consensus").order_by(Coding.id)).all()
    return [(c.id, c.coder_id, c.code_id, c.first_segment_id, c.last_segment_id, c.deleted_at, c.memo) for c in rows]


async def code_as_anna(study, pilot, app) -> None:
    with study.session() as session:
        view = transcript_view(session, 1)
    codable = [p for p in range(len(view.segments)) if view.codable(p)][: 2 * len(ANNA_KEYS) : 2]
    await pilot.press("enter", until=TranscriptOpened)  # the first transcript
    assert isinstance(app.screen, CodingScreen)
    pane = app.screen.query_one(TranscriptPane)
    for position, key in zip(codable, ANNA_KEYS, strict=False):
        pane.set_cursor(position)
        await pilot.press(key, until=ActionDone)
    await pilot.press("q", until=StudyRead)  # progress has moved


async def test_two_coders_carry_out_the_method_in_the_workbench(demo):
    study = demo
    # --- anna codes ten fragments and hands half of them to bram -------------------
    app = WorkbenchApp(study, "anna")
    async with drive(app, size=(160, 45)) as pilot:
        await pilot.wait_for(StudyRead)
        await code_as_anna(study, pilot, app)
        await pilot.press("A")
        dialog = app.screen
        dialog.query_one("#assign-to", Input).value = "bram"
        dialog.query_one("#assign-sample", Input).value = "50"
        dialog.query_one("#assign-seed", Input).value = "7"
        dialog.query_one("#assign-stratify", Checkbox).value = True
        assigned = await pilot.press("ctrl+s", until=ActionDone)
        assert assigned.result == "bram now has 5 of anna's fragments (5 new)"
        assert isinstance(app.screen, StudyScreen)
    with study.session() as session:
        anna_codings = session.exec(select(Coding).where(Coding.pass_ == "primary")).all()
    assert len(anna_codings) == len(ANNA_KEYS)

    # --- bram codes blind: he never sees anna's codes on what he still has to code ----
    app = WorkbenchApp(study, "bram")
    async with drive(app, size=(160, 45)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("b", until=QueueRead)
        screen = app.screen
        assert isinstance(screen, BlindScreen)
        assert len(screen.loaded.queue) == 5
        for step in range(5):
            assert screen.loaded.item.pending
            pane = screen.query_one(TranscriptPane)
            assert all(c.coder == "bram" for c in pane.codings)
            assert "Fragment" in str(screen.query_one("#blind-summary", Static).render())
            if step == 4:
                await pilot.press("x")  # no code applies, with a note
                app.screen.query_one(TextArea).text = "only about the children #question"
                await pilot.press("ctrl+s", until=AgreementComputed)
            else:
                await pilot.press("3" if step % 2 else "1", until=ActionDone)
                await pilot.press("enter", until=ActionDone)
        assert isinstance(app.screen, AgreementScreen)  # the last one finished: kappa appears
        summary = str(app.screen.query_one("#agreement-summary", Static).render())
        assert "anna vs bram · 5 units" in summary and "kappa" in summary
        await pilot.press("escape", "escape", until=StudyRead)

        # --- bram reconciles ----------------------------------------------------------
        before = originals(study)
        await pilot.press("v", until=FragmentRead)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        table = review.query_one("#review-items", DataTable)
        disputed = table.row_count
        assert disputed >= 1
        for _ in range(disputed):  # a decision moves the list on to the next fragment
            await pilot.press("a")  # keep anna's codes
            review.app.screen.query_one(TextArea).text = "anna's code fits the definition"
            await pilot.press("ctrl+s", until=ActionDone)
            await pilot.wait_for(FragmentRead)  # the list redrawn, the fragment read again
        assert "decided" in str(review.query_one("#review-summary", Static).render())
        await pilot.press("escape", until=StudyRead)
        reviewed = app.screen.query_one("#transcripts", DataTable).get_row_at(0)[-1]
        assert reviewed == "5/5"

    # --- what the study now holds -----------------------------------------------------
    assert originals(study) == before  # the review left A's and B's codings as they were
    with study.session() as session:
        consensus = session.exec(select(Coding).where(Coding.pass_ == "consensus",
                                                      Coding.deleted_at.is_(None))).all()
        decisions = session.exec(select(Decision)).all()
        audit = [(e.actor, e.kind, json.loads(e.detail)) for e in session.exec(select(AuditEntry)).all()]
    assert len(decisions) == 5 and {d.kind for d in decisions} <= {"agreed", "keep_a"}
    assert sum(d.kind == "keep_a" for d in decisions) == disputed
    assert all(d.note == "anna's code fits the definition" for d in decisions if d.kind == "keep_a")
    assert len(consensus) == sum(len(json.loads(d.codes)) for d in decisions)
    kinds = [kind for _, kind, _ in audit]
    assert kinds.count("assignment.add") == 1
    assert kinds.count("blind.finish") + kinds.count("blind.no_code") == 5
    assert sum(k.startswith("review.") for k in kinds) == 5
    assert all(actor == "bram" for actor, kind, _ in audit if kind.startswith(("blind.", "review.")))
    assert [detail["note"] for _, kind, detail in audit if kind == "blind.no_code"] == [
        "only about the children #question"]


async def test_a_reveal_is_asked_for_twice_and_then_recorded(demo):
    from coder.coding.actions import add_coding
    from coder.coding.assignments import assign
    from coder.coding.blind_pass import PENDING, REVEALED, blind_queue
    from coder.tui.screens.dialogs import ConfirmDialog

    with demo.session() as session:
        add_coding(session, "anna", "reflection", 1, 6, 7)
        assign(session, "anna", "bram", "lead")
    app = WorkbenchApp(demo, "bram")
    async with drive(app, size=(140, 40)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("b", until=QueueRead)
        await pilot.press("R")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await app.workers.wait_for_complete()  # no message to wait for: a reveal would be a worker
        with demo.session() as session:
            assert blind_queue(session, "bram")[0].state == PENDING
        await pilot.press("R", "y", until=ActionDone)
        assert "revealed" in str(app.screen.query_one("#blind-summary", Static).render())
    with demo.session() as session:
        assert blind_queue(session, "bram")[0].state == REVEALED


async def test_a_blind_key_rereads_only_its_fragment_and_shows_it(demo):
    """A code applied on the blind screen: the fragment shows it (its codes line, the pane), the
    rest of the queue and the transcript are the objects read before, not read again."""
    from coder.coding.actions import add_coding
    from coder.coding.assignments import assign

    with demo.session() as session:
        for first in (6, 10, 14):
            add_coding(session, "anna", "reflection", 1, first, first + 1)
        assign(session, "anna", "bram", "lead")
    app = WorkbenchApp(demo, "bram")
    async with drive(app, size=(140, 40)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("b", until=QueueRead)
        screen = app.screen
        before = screen.loaded
        await pilot.press("1", until=ActionDone)
        after = screen.loaded
        assert after.item.codes == ("interdependence",) and after.item.assignment_id == before.item.assignment_id
        assert all(a is b for a, b in zip(after.queue, before.queue, strict=True) if a is not after.item)
        assert after.view is before.view and after.codes is before.codes
        assert "your codes: Onderlinge afhankelijkheid ·" in str(screen.query_one("#blind-status", Static).render())
        assert [c.code_id for c in screen.query_one(TranscriptPane).codings] == ["interdependence"]
        await pilot.press("1", until=ActionDone)  # taken back
        assert screen.loaded.item.codes == () and screen.query_one(TranscriptPane).codings == []
