"""Coding actions: toggle, memo, soft removal, and undo/redo on the stacks stored with each action."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from coder.coding.actions import history, next_step, redo, set_memo, toggle_code, undo
from coder.coding.queries import transcript_codings, transcript_view
from coder.errors import StudyError
from coder.storage.audit_events import REDO, UNDO
from coder.storage.database import open_study
from coder.storage.models import AuditEntry, Coding
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


def replayed(session, actor: str) -> tuple[list[int], list[int]]:
    """The oracle: the stacks as coder replayed them from the whole audit log before schema v6."""
    undo_stack: list[int] = []
    redo_stack: list[int] = []
    kinds = ("coding.add", "coding.remove", "coding.memo", UNDO, REDO)
    for entry, kind in session.execute(select(AuditEntry.id, AuditEntry.kind).where(
            AuditEntry.actor == actor, AuditEntry.kind.in_(kinds)).order_by(AuditEntry.id)):
        if kind == UNDO:
            undo_stack.pop()
            redo_stack.append(entry)
        elif kind == REDO:
            redo_stack.pop()
            undo_stack.append(entry)
        else:
            undo_stack.append(entry)
            redo_stack.clear()
    return undo_stack, redo_stack


def stacks(session, actor: str) -> tuple[list[int], list[int]]:
    undo_stack, redo_stack = history(session, actor)
    return [a.entry_id for a in undo_stack], [a.entry_id for a in redo_stack]


_coders = itertools.count()
presses = st.lists(st.sampled_from(["flexibility", "reflection", "memo", "undo", "redo"]), max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(presses, st.lists(st.integers(2, 5), min_size=14, max_size=14))
def test_any_interleaving_of_actions_undos_and_redos_keeps_the_replayed_stacks(sample, keys, positions):
    """The stacks read through the links equal the replay of the whole log, after every press,
    and undo and redo take exactly the replay's tops."""
    study, t = sample
    coder = f"coder{next(_coders)}"  # each example a coder of its own: stacks are per coder
    for key, position in zip(keys, positions, strict=False):
        with study.session() as session:
            if key in ("undo", "redo"):
                (undo if key == "undo" else redo)(session, coder)
            elif key == "memo":
                mine = transcript_codings(session, t, coder)
                if mine:
                    set_memo(session, mine[0].id, f"memo {position}", coder)
            else:
                toggle_code(session, coder, key, t, position, position)
        with study.session() as session:
            expected = replayed(session, coder)
            assert stacks(session, coder) == expected
            for redoing, stack in ((False, expected[0]), (True, expected[1])):
                step = next_step(session, coder, redo=redoing)
                assert (step.entry_id if step else None) == (stack[-1] if stack else None)


def test_undo_after_a_restart_follows_the_links_down_the_stack(sample):
    """A fresh process finds the stacks from the stored steps alone, several levels deep."""
    study, t = sample
    for code, position in (("flexibility", 2), ("reflection", 3), ("interdependence", 4)):
        act(study, toggle_code, "anna", code, t, position, position)
    act(study, undo, "anna")
    for _ in range(2):
        reopened = open_study(study.target)
        try:
            act(reopened, undo, "anna")
        finally:
            reopened.close()
    assert live(study, t) == []
    reopened = open_study(study.target)
    try:
        act(reopened, redo, "anna")
        assert live(reopened, t) == [("flexibility", 2, 2, "")]
        with reopened.session() as session:
            assert [len(stack) for stack in history(session, "anna")] == [1, 2]
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
