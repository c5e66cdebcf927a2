"""Review and reconciliation: decisions make the consensus coding beside the originals."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from coder.coding.actions import add_coding
from coder.coding.assignments import assign
from coder.coding.blind_pass import (
    blind_queue,
    finish,
    no_code_applies,
    toggle_blind_code,
)
from coder.coding.queries import transcript_codings
from coder.coding.review import accept_agreements, add_missed, decide, review_items
from coder.errors import StudyError
from coder.storage.models import AuditEntry, Coding, Decision

# The `sample` fixture's segments: 0-1 interviewer, 2-3 teacher, 4-5 youth-care worker.


@pytest.fixture
def reviewed(sample):
    """anna coded three fragments; bram agreed on the first, differed on the second,
    and said no code applies to the third."""
    study, t = sample
    with study.session() as session:
        add_coding(session, "anna", "mutual-trust", t, 2, 2, memo="vertrouwen")
        add_coding(session, "anna", "joint-actions", t, 3, 3)
        add_coding(session, "anna", "reflection", t, 4, 5)
        assign(session, "anna", "bram", "lead")
    with study.session(viewer="bram") as session:
        first, second, third = (i.assignment_id for i in blind_queue(session, "bram"))
        toggle_blind_code(session, "bram", first, "mutual-trust")
        finish(session, "bram", first)
        toggle_blind_code(session, "bram", second, "flexibility")
        add_coding(session, "bram", "joint-actions", t, 3, 3, pass_="blind")
        finish(session, "bram", second)
        no_code_applies(session, "bram", third)
    return study, t, (first, second, third)


def consensus(study, t) -> list[tuple[str, int, int]]:
    with study.session() as session:
        return [(c.code_id, c.first, c.last) for c in transcript_codings(session, t) if c.pass_ == "consensus"]


def test_items_show_both_sides_and_agreements_are_accepted(reviewed):
    study, t, (first, second, third) = reviewed
    with study.session() as session:
        items = review_items(session, "anna", "bram")
    assert [(i.a.codes, i.b.codes, i.agreed) for i in items] == [
        (("mutual-trust",), ("mutual-trust",), True),
        (("joint-actions",), ("joint-actions", "flexibility"), False),
        (("reflection",), (), False),
    ]
    assert items[0].a.memos == ("vertrouwen",)
    with study.session() as session:
        assert accept_agreements(session, "bram", "anna", "bram") == 1
    with study.session() as session:
        assert accept_agreements(session, "bram", "anna", "bram") == 0  # already decided
        assert review_items(session, "anna", "bram")[0].decision.kind == "agreed"
    assert consensus(study, t) == [("mutual-trust", 2, 2)]


def test_decisions_keep_take_both_neither_other(reviewed):
    study, t, (_, second, third) = reviewed
    with study.session() as session:
        decide(session, "bram", second, "both", note="beide kloppen")
        decide(session, "bram", third, "keep_a")
    assert consensus(study, t) == [("joint-actions", 3, 3), ("flexibility", 3, 3), ("reflection", 4, 5)]
    with study.session() as session:  # decided again: the earlier consensus is replaced, not lost
        decide(session, "anna", second, "other", codes=("shared-norms",), note="toch normen")
        decide(session, "anna", third, "neither")
    assert consensus(study, t) == [("shared-norms", 3, 3)]
    with study.session() as session:
        kinds = [d.kind for d in session.exec(select(Decision).order_by(Decision.id)).all()]
        gone = session.exec(select(Coding).where(Coding.pass_ == "consensus", Coding.deleted_at.is_not(None))).all()
        item = review_items(session, "anna", "bram")[1]
    assert kinds == ["both", "keep_a", "other", "neither"] and len(gone) == 3
    assert (item.decision.kind, item.decision.note, item.decision.decided_by) == ("other", "toch normen", "anna")


def test_originals_stay_as_they_were(reviewed):
    study, t, (_, second, _) = reviewed
    with study.session() as session:
        before = [(c.coder, c.code_id, c.pass_, c.first, c.last) for c in transcript_codings(session, t)]
        decide(session, "bram", second, "take_b", span=(2, 3))
        after = [(c.coder, c.code_id, c.pass_, c.first, c.last) for c in transcript_codings(session, t)
                 if c.pass_ != "consensus"]
        item = review_items(session, "anna", "bram")[1]
    assert before == after
    assert item.adjusted and (item.decision.first, item.decision.last) == (2, 3)
    assert consensus(study, t) == [("joint-actions", 2, 3), ("flexibility", 2, 3)]


def test_adding_a_missed_fragment_and_the_audit_trail(reviewed):
    study, t, _ = reviewed
    with study.session() as session:
        add_missed(session, "bram", t, 5, 5, ("interdependence",), note="anna miste dit")
    assert consensus(study, t) == [("interdependence", 5, 5)]
    with study.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.kind == "review.added")).one()
    detail = json.loads(entry.detail)
    assert (entry.actor, detail["codes"], detail["note"]) == ("bram", ["interdependence"], "anna miste dit")


def test_refusals(reviewed):
    study, t, (_, second, _) = reviewed
    with study.session() as session, pytest.raises(StudyError, match="different codes"):
        decide(session, "bram", second, "agreed")
    with study.session() as session, pytest.raises(StudyError, match="at least one code"):
        decide(session, "bram", second, "other", codes=())
    with study.session() as session, pytest.raises(StudyError, match="not coded"):
        decide(session, "bram", second, "keep_a", span=(0, 3))  # into the interviewer's turn
    with study.session() as session:
        assert session.exec(select(Decision)).all() == []


def test_coder_log_filters_by_coder_transcript_and_kind(capsys, reviewed):
    from tests.test_cli import run

    study, t, (_, second, _) = reviewed
    with study.session() as session:
        decide(session, "bram", second, "keep_a", note="A heeft gelijk")
    target = ("--db", study.target)
    code, out, _ = run(capsys, *target, "log", "--kind", "review")
    assert code == 0 and out.count("\n") == 1
    assert "bram" in out and "review.keep_a" in out and "note=A heeft gelijk" in out
    code, out, _ = run(capsys, *target, "log", "--coder", "bram", "--kind", "blind", "--json")
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert kinds == ["blind.finish", "blind.finish", "blind.no_code"]
    _, out, _ = run(capsys, *target, "log", "--transcript", "Proefinterview", "--coder", "anna")
    assert out.count("coding.add") == 3
    _, out, _ = run(capsys, *target, "log", "--transcript", "999")
    assert out == ""


def test_status_shows_how_far_the_blind_pass_and_review_are(capsys, reviewed):
    from tests.test_cli import run

    study, _, (_, second, _) = reviewed
    with study.session() as session:
        decide(session, "bram", second, "keep_a")
    code, out, _ = run(capsys, "--db", study.target, "status")
    assert code == 0
    assert "bram codes anna's fragments: 3 assigned, 3 finished, 0 revealed, 0 to go; 1 decided in review" in out
    _, out, _ = run(capsys, "--db", study.target, "status", "--json")
    assert json.loads(out)["second_coding"] == [{"first_coder": "anna", "second_coder": "bram", "assigned": 3,
                                                 "finished": 3, "revealed": 0, "decided": 1}]


def test_adding_to_an_added_fragment_keeps_its_codes_and_a_reviewed_one_is_refused(reviewed):
    study, t, _ = reviewed
    with study.session() as session:
        add_missed(session, "bram", t, 5, 5, ("interdependence",))
        add_missed(session, "bram", t, 5, 5, ("willingness",), note="ook bereidheid")
    assert consensus(study, t) == [("interdependence", 5, 5), ("willingness", 5, 5)]
    with study.session() as session:
        accept_agreements(session, "bram", "anna", "bram")
    with study.session() as session, pytest.raises(StudyError, match="reviewed fragment"):
        add_missed(session, "bram", t, 2, 2, ("feedback",))  # anna's fragment, agreed and accepted


def test_accepting_in_bulk_writes_what_deciding_one_by_one_writes(reviewed):
    """The set-based accept leaves the same decision, consensus coding and audit entry as
    `decide(..., "agreed")` does: anna's agreed fragment, once decided by bram one by one,
    once accepted in bulk for a second pair (anna and carl)."""
    import json

    from coder.storage.audit import audit_trail

    study, t, (first, _, _) = reviewed
    with study.session() as session:
        decide(session, "bram", first, "agreed")
    with study.session() as session:
        add_coding(session, "carl", "mutual-trust", t, 2, 2, pass_="blind")
        assign(session, "anna", "carl", "lead")
    with study.session(viewer="carl") as session:
        for item in blind_queue(session, "carl"):
            if item.codes:
                finish(session, "carl", item.assignment_id)
    with study.session() as session:
        assert accept_agreements(session, "carl", "anna", "carl") == 1
    with study.session() as session:
        entries = {entry.actor: entry for entry in audit_trail(session, kind="review.agreed")}
        rows = {d.decided_by: d for d in session.exec(select(Decision))}
    single, bulk = entries["bram"], entries["carl"]
    ids = ("decision", "assignment", "added")
    assert {k: v for k, v in bulk.detail.items() if k not in ids} == {k: v for k, v in single.detail.items() if k not in ids}
    assert bulk.detail["decision"] == rows["carl"].id and len(bulk.detail["added"]) == 1
    one, many = rows["bram"], rows["carl"]
    assert (many.kind, many.codes, many.first_segment_id, many.last_segment_id, many.note) == (
        one.kind, one.codes, one.first_segment_id, one.last_segment_id, one.note)
    assert json.loads(many.codes) == ["mutual-trust"]
    assert consensus(study, t).count(("mutual-trust", 2, 2)) == 2
