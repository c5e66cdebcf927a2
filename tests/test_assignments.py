"""Assigning coder A's fragments to coder B: all, a reproducible sample, stratified, extended."""

from __future__ import annotations

import pytest
from sqlmodel import select

from coder.coding.actions import add_coding
from coder.coding.assignments import assign, assigned_fragments
from coder.coding.queries import transcript_view
from coder.errors import StudyError
from coder.storage.models import AuditEntry
from tests.test_cli import run


def code_every_other_segment(study, per_transcript: int = 6) -> int:
    """anna codes a few codable segments in every demo interview; returns how many."""
    count = 0
    with study.session() as session:
        for transcript_id in range(1, 9):
            view = transcript_view(session, transcript_id)
            codable = [p for p in range(len(view.segments)) if view.codable(p)][: per_transcript * 2 : 2]
            for position in codable:
                add_coding(session, "anna", "flexibility", transcript_id, position, position)
                count += 1
    return count


def test_all_fragments_by_default(sample):
    study, t = sample
    with study.session() as session:
        add_coding(session, "anna", "flexibility", t, 2, 3)
        add_coding(session, "anna", "reflection", t, 2, 3)  # the same fragment, another code
        add_coding(session, "anna", "reflection", t, 5, 5)
        result = assign(session, "anna", "bram", "lead")
    assert (result.assigned, result.added) == (2, 2)
    with study.session() as session:
        assert len(assigned_fragments(session, "anna", "bram")) == 2
        entry = session.exec(select(AuditEntry).where(AuditEntry.kind == "assignment.add")).one()
        assert entry.actor == "lead"
        again = assign(session, "anna", "bram", "lead")
    assert again.added == 0 and again.assigned == 2


def test_sample_is_reproducible_stratified_and_extends_without_reshuffling(demo, tmp_path):
    total = code_every_other_segment(demo)
    with demo.session() as session:
        half = assign(session, "anna", "bram", "lead", fraction=0.5, seed=7, stratify="school_type")
        first = assigned_fragments(session, "anna", "bram")
    assert half.assigned == len(first)
    for name, (members, before, added) in half.strata.items():
        assert before == 0 and added == round(members / 2), name
    assert set(half.strata) == {"po", "sbo", "so", "vso", "vo", "mbo"}
    with demo.session() as session:  # the same seed picks the same fragments for another coder
        assign(session, "anna", "carla", "lead", fraction=0.5, seed=7, stratify="school_type")
        assert assigned_fragments(session, "anna", "carla") == first
        more = assign(session, "anna", "bram", "lead", fraction=0.75, seed=99, stratify="school_type")
        extended = assigned_fragments(session, "anna", "bram")
    assert first <= extended and more.assigned == len(extended) > len(first)
    assert len(extended) < total


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"to_coder": "anna"}, "their own fragments"), ({"fraction": 0.0}, "more than 0%"),
     ({"fraction": 1.5}, "at most 100%"), ({"stratify": "school"}, "can only stratify")],
)
def test_refusals(sample, kwargs, message):
    study, t = sample
    with study.session() as session:
        add_coding(session, "anna", "flexibility", t, 2, 3)
    arguments = {"from_coder": "anna", "to_coder": "bram", "actor": "lead"} | kwargs
    with pytest.raises(StudyError, match=message):
        with study.session() as session:
            assign(session, arguments.pop("from_coder"), arguments.pop("to_coder"), arguments.pop("actor"),
                   **arguments)


def test_nothing_to_assign(sample):
    study, _ = sample
    with pytest.raises(StudyError, match="no fragments to assign"):
        with study.session() as session:
            assign(session, "anna", "bram", "lead")


def test_command_line(capsys, demo):
    code_every_other_segment(demo, per_transcript=4)
    code, out, _ = run(capsys, "--db", demo.target, "--as", "lead", "assign", "--from", "anna", "--to", "bram",
                       "--sample", "50%", "--seed", "3", "--stratify", "school_type")
    assert code == 0 and "bram now has 16 of anna's fragments (16 new)." in out
    code, out, _ = run(capsys, "--db", demo.target, "assign", "--from", "anna", "--to", "bram", "--sample", "100%")
    assert code == 0 and "bram now has 32 of anna's fragments (16 new)." in out
    code, _, err = run(capsys, "--db", demo.target, "assign", "--from", "anna", "--to", "bram", "--sample", "veel")
    assert code == 2 and "not a share" in err
