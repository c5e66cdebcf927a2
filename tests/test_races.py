"""Two processes of one team at once: what must be serial is (issue #19.7).

Each race runs the first action in an open transaction, starts the second on its own
connection (another `Study`, as another process has) and gives it a quarter second before
the first commits. Without serialising, on PostgreSQL the second read what the first had
not committed yet: both toggled the code on (two identical live codings), both removed one
coding, both undid one action, and a new coder's first use or `assign` ended in a
`UniqueViolation`. SQLite's write lock already made them wait; the same races run on both.
The same file imported twice at once is in `test_clear_messages.py`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session, func, select

from coder.coding.actions import add_coding, remove_coding, toggle_code, undo
from coder.coding.assignments import assign, pair_assignments
from coder.errors import StudyError
from coder.storage.database import open_study
from coder.storage.models import AuditEntry, Coder, Coding


def race(target: str, first: Callable[[Session], object], second: Callable[[Session], object]) -> list[BaseException]:
    """Run `second` on its own connection while `first`'s transaction is still open; the errors of `second`."""
    studies = open_study(target), open_study(target)
    errors: list[BaseException] = []

    def other() -> None:
        try:
            with studies[1].session() as session:
                second(session)
        except BaseException as exc:  # handed to the test, which names what it expected
            errors.append(exc)

    try:
        with studies[0].session() as session:
            first(session)
            thread = threading.Thread(target=other)
            thread.start()
            thread.join(0.25)  # the second runs now, or waits for the first to commit
        thread.join(30)
        assert not thread.is_alive()
    finally:
        for study in studies:
            study.close()
    return errors


def live(study, coder: str = "anna") -> list[tuple[int, int]]:
    with study.session() as session:
        return [(c.first_segment_id, c.code_id) for c in session.exec(
            select(Coding).join(Coder, Coder.id == Coding.coder_id)
            .where(Coder.name == coder, Coding.deleted_at.is_(None)))]


@pytest.fixture
def coded(sample):
    """The sample study with anna's codings on segments 3 and 4 (positions 2 and 3)."""
    study, transcript_id = sample
    for position in (2, 3):
        with study.session() as session:
            add_coding(session, "anna", "interdependence", transcript_id, position, position)
    return study, transcript_id


def test_one_coder_in_two_processes_toggles_removes_and_undoes_once(coded, db_target):
    study, transcript_id = coded

    def toggle(session):
        toggle_code(session, "anna", "flexibility", transcript_id, 4, 4)

    assert race(db_target, toggle, toggle) == []
    assert len(live(study)) == 2  # on, then off again: not two identical codings

    def removes() -> int:
        with study.session() as session:
            return session.exec(select(func.count()).select_from(AuditEntry)
                                .where(AuditEntry.kind == "coding.remove")).one()

    before = removes()
    with study.session() as session:
        coding_id = session.exec(select(Coding.id).where(Coding.deleted_at.is_(None))).first()
    errors = race(db_target, lambda s: remove_coding(s, coding_id, "anna"), lambda s: remove_coding(s, coding_id, "anna"))
    assert [type(e) for e in errors] == [StudyError] and f"no live coding {coding_id}" in str(errors[0])
    assert removes() == before + 1

    assert race(db_target, lambda s: undo(s, "anna"), lambda s: undo(s, "anna")) == []
    with study.session() as session:
        undone = session.exec(select(AuditEntry.detail).where(AuditEntry.kind == "coding.undo")).all()
    assert len(undone) == 2 and undone[0] != undone[1]  # two actions undone, not one twice


def test_a_new_coders_first_use_and_assign_at_once_in_two_processes(coded, db_target):
    study, transcript_id = coded

    def first_use(session):
        add_coding(session, "carla", "reflection", transcript_id, 5, 5)

    assert race(db_target, first_use, first_use) == []
    with study.session() as session:
        assert session.exec(select(func.count()).select_from(Coder).where(Coder.name == "carla")).one() == 1

    assert race(db_target, lambda s: assign(s, "anna", "bram", "lead"), lambda s: assign(s, "anna", "bram", "lead")) == []
    with study.session() as session:
        assert len(pair_assignments(session, "anna", "bram")) == 2


@pytest.fixture
def reviewable(coded):
    """anna's two fragments, coded alike by bram blind and finished: ready for the review."""
    from coder.coding.blind_pass import blind_queue, finish, toggle_blind_code

    study, transcript_id = coded
    with study.session() as session:
        assign(session, "anna", "bram", "lead")
    with study.session() as session:
        items = blind_queue(session, "bram")
    for item in items:
        with study.session() as session:
            toggle_blind_code(session, "bram", item.assignment_id, "interdependence")
        with study.session() as session:
            finish(session, "bram", item.assignment_id)
    return study, [item.assignment_id for item in items]


def consensus(study) -> list[tuple[int, int]]:
    from coder.storage.vocabulary import Pass

    with study.session() as session:
        return sorted((c.first_segment_id, c.code_id) for c in session.exec(
            select(Coding).where(Coding.pass_ == Pass.CONSENSUS, Coding.deleted_at.is_(None))))


def test_a_review_opened_twice_and_one_fragment_decided_twice_at_once_write_one_consensus(reviewable, db_target):
    from coder.coding.review import accept_agreements, decide
    from coder.storage.models import Decision

    study, assignments = reviewable
    accept = [0, 0]

    def opening(n: int):
        return lambda session: accept.__setitem__(n, accept_agreements(session, "lead", "anna", "bram"))

    assert race(db_target, opening(0), opening(1)) == []
    assert sorted(accept) == [0, 2] and len(consensus(study)) == 2

    def disagree(session):
        decide(session, "lead", assignments[0], "other", note="flexibility after all", codes=("flexibility",))

    assert race(db_target, disagree, disagree) == []
    codes = consensus(study)
    assert len(codes) == 2, codes  # one consensus code on each fragment, not the re-decided code twice
    with study.session() as session:
        assert session.exec(select(func.count()).select_from(Decision)).one() == 4


def test_one_blind_coder_in_two_windows_finishes_a_fragment_once(coded, db_target):
    from coder.coding.blind_pass import blind_queue, finish, toggle_blind_code
    from coder.storage.models import AuditEntry

    study, _ = coded
    with study.session() as session:
        assign(session, "anna", "bram", "lead")
    with study.session() as session:
        fragment = blind_queue(session, "bram")[0].assignment_id
    with study.session() as session:
        toggle_blind_code(session, "bram", fragment, "interdependence")

    errors = race(db_target, lambda s: finish(s, "bram", fragment), lambda s: finish(s, "bram", fragment))
    assert [type(e) for e in errors] == [StudyError] and "already done" in str(errors[0])
    late = race(db_target, lambda s: None, lambda s: toggle_blind_code(s, "bram", fragment, "flexibility"))
    assert [type(e) for e in late] == [StudyError]
    with study.session() as session:
        assert session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.kind == "blind.finish")).one() == 1
