"""Blindness on every read path (issue #19 point 1): a coder with pending blind fragments that
another pair has already coded blind, reviewed and noted must read none of those codes, notes or
decisions anywhere: the log, the summary, the exports, the review, the agreement.

The scenario: anna codes two fragments; carla codes both blind (codes on one, "no code
applies" with a note on the other) and reviews them; then the same fragments go to bram.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from coder.coding.actions import add_coding, set_memo
from coder.coding.assignments import assign
from coder.coding.blind_pass import blind_queue, finish, no_code_applies, toggle_blind_code
from coder.coding.review import decide, review_items
from coder.exchange.project_export import build_project
from coder.report.debrief_data import build_debrief
from coder.report.debrief_markdown import render_markdown
from coder.storage.audit import audit_trail
from coder.storage.models import Assignment, AuditEntry, Decision
from tests.test_cli import run

MEMO = "anna-memo-geheim #debrief"
NO_CODE_NOTE = "carla-nocode-geheim #debrief"
DECISION_NOTE = "carla-besluit-geheim #debrief"
SECRETS = ("anna-memo-geheim", "carla-nocode-geheim", "carla-besluit-geheim")
PAIR = ("anna", "carla")


@pytest.fixture
def reviewed_then_assigned(sample):
    """anna's fragments coded blind and reviewed by carla, then handed to bram (pending)."""
    study, t = sample
    with study.session() as session:
        coding = add_coding(session, "anna", "mutual-trust", t, 2, 3)
        set_memo(session, coding.id, MEMO, "anna")
        add_coding(session, "anna", "reflection", t, 4, 5)
        assign(session, "anna", "carla", "lead")
    with study.session(viewer="carla") as session:
        first, second = (item.assignment_id for item in blind_queue(session, "carla"))
        toggle_blind_code(session, "carla", first, "flexibility")
        finish(session, "carla", first)
        no_code_applies(session, "carla", second, NO_CODE_NOTE)
    with study.session(viewer="carla") as session:
        decide(session, "carla", first, "keep_a", DECISION_NOTE)
        decide(session, "carla", second, "keep_a")
    with study.session() as session:
        assign(session, "anna", "bram", "lead")
    return study, t


def what_bram_reads(session) -> dict[str, object]:
    """Every read path of the core that can carry a code, memo, note or decision of a fragment."""
    project, _, _ = build_project(session, "study")
    log = audit_trail(session)
    return {
        "log": [line.kind for line in log if line.actor == "carla" and line.kind.split(".")[0] in ("blind", "review")],
        "log text": any(secret in json.dumps(line.detail) for line in log for secret in SECRETS),
        "audit rows": [e.kind for e in session.exec(select(AuditEntry)).all()
                       if e.actor == "carla" and e.kind.split(".")[0] in ("blind", "review")],
        "decisions": session.exec(select(Decision)).all(),
        "no-code notes": [a.no_code_note for a in session.exec(select(Assignment)).all() if a.no_code_note],
        "review": [item.decision for item in review_items(session, *PAIR)],
        "summary": [s for s in SECRETS if s in render_markdown(build_debrief(session, coders=PAIR))],
        "project": [s for s in SECRETS if s.encode() in project],
    }


def test_a_coder_with_pending_fragments_reads_nothing_another_pair_decided_on_them(reviewed_then_assigned):
    study, _ = reviewed_then_assigned
    with study.session(viewer="bram") as session:
        seen = what_bram_reads(session)
    assert seen == {"log": [], "log text": False, "audit rows": [], "decisions": [], "no-code notes": [],
                    "review": [], "summary": [], "project": []}


def test_the_others_still_read_everything(reviewed_then_assigned):
    study, _ = reviewed_then_assigned
    for viewer in ("carla", "lead"):
        with study.session(viewer=viewer) as session:
            seen = what_bram_reads(session)
        assert seen["log"] == ["blind.finish", "blind.no_code", "review.keep_a", "review.keep_a"], viewer
        assert len(seen["decisions"]) == 2 and seen["no-code notes"] == [NO_CODE_NOTE]
        assert set(seen["summary"]) == set(SECRETS)


def test_finishing_his_fragments_shows_bram_what_the_others_decided(reviewed_then_assigned):
    study, _ = reviewed_then_assigned
    with study.session(viewer="bram") as session:
        for item in blind_queue(session, "bram"):
            no_code_applies(session, "bram", item.assignment_id)
    with study.session(viewer="bram") as session:
        seen = what_bram_reads(session)
    assert seen["log"] == ["blind.finish", "blind.no_code", "review.keep_a", "review.keep_a"]
    assert len(seen["decisions"]) == 2 and seen["no-code notes"] == [NO_CODE_NOTE]
    assert set(seen["summary"]) == set(SECRETS)


@pytest.mark.parametrize("command", [
    ("log",), ("log", "--kind", "review"), ("log", "--kind", "blind"),
    ("export", "debrief", "--coders", "anna,carla"), ("export", "debrief", "--coders", "anna,carla", "--format", "html"),
    ("export", "codings", "--format", "json"),
    ("agreement", "--coders", "anna,carla", "--format", "json"),
])
def test_no_command_shows_bram_the_others_notes(capsys, reviewed_then_assigned, command):
    study, _ = reviewed_then_assigned
    code, out, err = run(capsys, "--db", study.target, "--as", "bram", *command)
    assert not [s for s in SECRETS if s in out + err], command
    if command[0] == "log":
        assert "review." not in out and "blind.finish" not in out and "blind.no_code" not in out
