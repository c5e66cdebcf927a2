"""The blind second pass: B's queue, finishing, "no code applies", reveal, and blindness
enforced in the query layer (DESIGN §1.4)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from coder.coding.actions import add_coding, history, set_memo
from coder.coding.assignments import assign
from coder.coding.blind_pass import (
    DONE,
    NO_CODE,
    PENDING,
    REVEALED,
    blind_item,
    blind_queue,
    finish,
    no_code_applies,
    reveal,
    toggle_blind_code,
)
from coder.coding.queries import coding_progress, study_status, transcript_codings
from coder.errors import StudyError
from coder.exchange.project_export import build_project
from coder.report.codings_export import coding_rows
from coder.report.debrief_data import build_debrief
from coder.report.debrief_markdown import render_markdown
from coder.stats.units import study_ratings
from coder.storage.audit import audit_trail
from coder.storage.models import Assignment, AuditEntry, Coding

# The `sample` fixture's segments: 0-1 interviewer, 2-3 teacher, 4-5 youth-care worker.
SECRET = "anna's geheime memo"
MEMO = f"{SECRET} #debrief"  # flagged, so that the lead's debriefing summary quotes it


@pytest.fixture
def assigned(sample):
    """anna coded two fragments (one with a memo); both are assigned to bram."""
    study, t = sample
    with study.session() as session:
        memo = add_coding(session, "anna", "mutual-trust", t, 2, 3)
        set_memo(session, memo.id, MEMO, "anna")
        add_coding(session, "anna", "reflection", t, 4, 5)
        assign(session, "anna", "bram", "lead")
    with study.session() as session:
        items = blind_queue(session, "bram")
    return study, t, items


def test_one_fragment_reads_as_the_queue_gives_it(assigned):
    """`blind_item` is the queue's entry for one fragment, codes and state included, and refuses
    a fragment that is someone else's."""
    study, _, items = assigned
    with study.session(viewer="bram") as session:
        toggle_blind_code(session, "bram", items[1].assignment_id, "reflection")
        toggle_blind_code(session, "bram", items[1].assignment_id, "mutual-trust")
        finish(session, "bram", items[1].assignment_id)
    with study.reader(viewer="bram") as session:
        queue = blind_queue(session, "bram")
        assert [blind_item(session, "bram", item.assignment_id) for item in queue] == queue
        assert queue[1].codes == ("mutual-trust", "reflection") and queue[1].state == DONE
        with pytest.raises(StudyError, match="not assigned to anna"):
            blind_item(session, "anna", queue[0].assignment_id)


def anna_visible(session, t) -> dict[str, object]:
    """What every public reading function shows of anna's codes and memos."""
    ratings = study_ratings(session, "segments", "code", ("anna", "bram"))
    project, _, _ = build_project(session, "study")
    return {
        "transcript_codings": [c.code_id for c in transcript_codings(session, t) if c.coder == "anna"],
        "coding_rows": [r["code_id"] for r in coding_rows(session) if r["coder"] == "anna"],
        "status": [c.codings for c in study_status(session).codings if c.coder == "anna"],
        "progress": coding_progress(session)[t].coded.get("anna", 0),
        "ratings": int(ratings.a.sum()),
        "orm": session.exec(select(Coding).where(Coding.coder_id == 1)).all(),
        "memo": SECRET in json.dumps([c.memo for c in session.exec(select(Coding)).all()]),
        "audit": [e.kind for e in session.exec(select(AuditEntry)).all() if e.kind.startswith("coding.")
                  and e.actor == "anna"],
        "project": SECRET.encode() in project,
        "get": [session.get(Coding, i) for i in (1, 2, 3)],
        "log": [line.kind for line in audit_trail(session, actor="anna") if line.kind.startswith("coding.")],
        "debrief": SECRET in render_markdown(build_debrief(session, coders=("anna", "bram"))),
    }


def test_the_queue_lists_assigned_fragments_in_reading_order(assigned):
    _, t, items = assigned
    assert [(i.transcript_id, i.first, i.last, i.state, i.codes) for i in items] == [
        (t, 2, 3, PENDING, ()), (t, 4, 5, PENDING, ())]


def test_a_blind_session_reads_nothing_of_a_through_any_public_function(assigned):
    study, t, items = assigned
    with study.session() as session:
        toggle_blind_code(session, "bram", items[0].assignment_id, "flexibility")
    with study.session(viewer="bram") as session:
        hidden = anna_visible(session, t)
    assert hidden == {"transcript_codings": [], "coding_rows": [], "status": [], "progress": 0,
                      "ratings": 0, "orm": [], "memo": False, "audit": [], "project": False,
                      "get": [None, None, None], "log": [], "debrief": False}
    with study.session(viewer="anna") as session:  # anna herself, and the lead, see everything
        assert anna_visible(session, t)["transcript_codings"] == ["mutual-trust", "reflection"]
    with study.session() as session:
        shown = anna_visible(session, t)
    # each function does show anna's work to the lead, so each check above could have failed
    assert [name for name, value in shown.items() if value == hidden[name]] == []


def test_finishing_a_fragment_shows_a_codes_on_it_and_only_it(assigned):
    study, t, items = assigned
    with study.session(viewer="bram") as session:
        toggle_blind_code(session, "bram", items[0].assignment_id, "flexibility")
        assert finish(session, "bram", items[0].assignment_id) == ["flexibility"]
        seen = [(c.code_id, c.memo) for c in transcript_codings(session, t) if c.coder == "anna"]
    assert seen == [("mutual-trust", MEMO)]
    with study.session(viewer="bram") as session:
        assert [i.state for i in blind_queue(session, "bram")] == [DONE, PENDING]
        with pytest.raises(StudyError, match="final"):
            toggle_blind_code(session, "bram", items[0].assignment_id, "reflection")


def test_no_code_applies_and_reveal(assigned):
    study, t, items = assigned
    with study.session() as session:
        with pytest.raises(StudyError, match="at least one code"):
            finish(session, "bram", items[0].assignment_id)
    with study.session() as session:
        no_code_applies(session, "bram", items[0].assignment_id, note="small talk")
        reveal(session, "bram", items[1].assignment_id)
    with study.session(viewer="bram") as session:
        assert [i.state for i in blind_queue(session, "bram")] == [NO_CODE, REVEALED]
        assert [c.code_id for c in transcript_codings(session, t) if c.coder == "anna"] == [
            "mutual-trust", "reflection"]
        kinds = [e.kind for e in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]
    assert kinds[-2:] == ["blind.no_code", "blind.reveal"]


def test_a_coder_cannot_work_on_someone_elses_fragment(assigned):
    study, _, items = assigned
    with study.session() as session, pytest.raises(StudyError, match="not assigned to anna"):
        toggle_blind_code(session, "anna", items[0].assignment_id, "flexibility")


def test_no_code_refused_while_codes_are_applied_and_blind_codes_undo(assigned):
    study, _, items = assigned
    with study.session() as session:
        assert toggle_blind_code(session, "bram", items[0].assignment_id, "flexibility")
    with study.session() as session, pytest.raises(StudyError, match="take them back"):
        no_code_applies(session, "bram", items[0].assignment_id)
    with study.session() as session:
        assert len(history(session, "bram")[0]) == 1
        assert not toggle_blind_code(session, "bram", items[0].assignment_id, "flexibility")
        no_code_applies(session, "bram", items[0].assignment_id)
        assert session.get(Assignment, items[0].assignment_id).no_code


def test_agreement_runs_on_finished_fragments_and_counts_revealed_ones(sample):
    study, t = sample
    with study.session() as session:
        add_coding(session, "anna", "mutual-trust", t, 2, 2)
        add_coding(session, "anna", "reflection", t, 3, 3)
        add_coding(session, "anna", "joint-actions", t, 4, 4)
        add_coding(session, "anna", "flexibility", t, 5, 5)
        assign(session, "anna", "bram", "lead")
    with study.session(viewer="bram") as session:
        first, second, third, fourth = (i.assignment_id for i in blind_queue(session, "bram"))
        toggle_blind_code(session, "bram", first, "interdependence")   # agrees at theme level
        finish(session, "bram", first)
        no_code_applies(session, "bram", second)                      # disagrees
        reveal(session, "bram", third)                                # left out, counted
        toggle_blind_code(session, "bram", fourth, "flexibility")     # not finished: excluded
    with study.session() as session:
        ratings = study_ratings(session, "fragments", "theme", ("anna", "bram"))
    assert (len(ratings.units), ratings.excluded, ratings.revealed) == (2, 1, 1)
    assert ratings.a.tolist() == [[True, False, False, False], [False, False, False, True]]
    assert ratings.b.tolist() == [[True, False, False, False], [False, False, False, False]]


def test_the_command_line_is_blind_for_the_coder_named_with_as(capsys, assigned):
    from tests.test_cli import run

    study, _, _ = assigned
    _, out, _ = run(capsys, "--db", study.target, "--as", "bram", "export", "codings", "--format", "json")
    assert json.loads(out) == []
    _, out, _ = run(capsys, "--db", study.target, "--as", "bram", "log", "--coder", "anna")
    assert "coding.add" not in out and "coder.add" in out
    _, out, _ = run(capsys, "--db", study.target, "--as", "lead", "export", "codings", "--format", "json")
    assert [row["code_id"] for row in json.loads(out)] == ["mutual-trust", "reflection"]
