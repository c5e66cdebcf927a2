"""Coding actions: toggle, memo, soft removal, and undo/redo replayed from the audit log."""

from __future__ import annotations

import pytest

from coder.coding.actions import history, redo, set_memo, toggle_code, undo
from coder.coding.queries import transcript_codings, transcript_view
from coder.errors import StudyError
from coder.storage.database import open_study
from coder.storage.models import Coding
from coder.storage.settings import set_uncodable_roles


def live(study, transcript, coder="anna"):
    with study.session() as session:
        return [(c.code_id, c.first, c.last, c.memo) for c in transcript_codings(session, transcript, coder)]


def act(study, fn, *args, **kwargs):
    with study.session() as session:
        return fn(session, *args, **kwargs)


def test_toggle_adds_then_removes_softly(sample):
    study, t = sample
    added, coding = act(study, toggle_code, "anna", "flexibility", t, 3, 2)
    assert added and live(study, t) == [("flexibility", 2, 3, "")]
    added, _ = act(study, toggle_code, "anna", "flexibility", t, 2, 3)
    assert not added and live(study, t) == []
    with study.session() as session:
        assert session.get(Coding, coding.id).deleted_at is not None  # kept, not deleted


def test_memo_supersedes_the_coding(sample):
    study, t = sample
    _, coding = act(study, toggle_code, "anna", "reflection", t, 4, 5)
    new = act(study, set_memo, coding.id, "ambigu: ook flexibiliteit?", "anna")
    assert live(study, t) == [("reflection", 4, 5, "ambigu: ook flexibiliteit?")]
    with study.session() as session:
        old = session.get(Coding, coding.id)
        assert old.superseded_by == new.id and old.memo == ""


def test_undo_and_redo_many_levels(sample):
    study, t = sample
    act(study, toggle_code, "anna", "flexibility", t, 2, 2)
    _, second = act(study, toggle_code, "anna", "reflection", t, 3, 3)
    act(study, set_memo, second.id, "memo", "anna")
    act(study, toggle_code, "anna", "flexibility", t, 2, 2)  # removes the first
    states = [live(study, t)]
    for _ in range(4):
        act(study, undo, "anna")
        states.append(live(study, t))
    assert states == [
        [("reflection", 3, 3, "memo")],
        [("flexibility", 2, 2, ""), ("reflection", 3, 3, "memo")],
        [("flexibility", 2, 2, ""), ("reflection", 3, 3, "")],
        [("flexibility", 2, 2, "")],
        [],
    ]
    assert act(study, undo, "anna") is None
    for expected in reversed(states[:-1]):
        act(study, redo, "anna")
        assert live(study, t) == expected
    assert act(study, redo, "anna") is None


def test_a_new_action_clears_redo_and_history_survives_a_restart(sample):
    study, t = sample
    act(study, toggle_code, "anna", "flexibility", t, 2, 2)
    act(study, toggle_code, "anna", "reflection", t, 3, 3)
    act(study, undo, "anna")
    act(study, toggle_code, "anna", "interdependence", t, 4, 4)
    reopened = open_study(study.target)
    try:
        with reopened.session() as session:
            undo_stack, redo_stack = history(session, "anna")
            assert len(undo_stack) == 2 and redo_stack == []
        act(reopened, undo, "anna")
        assert live(reopened, t) == [("flexibility", 2, 2, "")]
    finally:
        reopened.close()


def test_undo_is_per_coder(sample):
    study, t = sample
    act(study, toggle_code, "anna", "flexibility", t, 2, 2)
    act(study, toggle_code, "bram", "reflection", t, 2, 2, pass_="blind")
    act(study, undo, "anna")
    assert live(study, t, "anna") == [] and live(study, t, "bram") == [("reflection", 2, 2, "")]


def test_uncodable_roles_are_enforced_and_configurable(sample):
    study, t = sample
    with pytest.raises(StudyError, match="turns of the interviewer are not coded"):
        act(study, toggle_code, "anna", "flexibility", t, 0, 1)
    with study.session() as session:
        view = transcript_view(session, t)
        assert [view.codable(p) for p in range(6)] == [False, False, True, True, True, True]
        set_uncodable_roles(session, ["interviewer", "youth-care-worker"], "anna")
    with pytest.raises(StudyError, match="youth-care-worker"):
        act(study, toggle_code, "anna", "flexibility", t, 3, 4)
    with study.session() as session:
        set_uncodable_roles(session, [], "anna")
    added, _ = act(study, toggle_code, "anna", "flexibility", t, 0, 1)
    assert added
