"""Facts the program needs again live in tables; the audit log is the trail, read through its catalogue."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from coder.coding.actions import add_coding
from coder.coding.assignments import assign
from coder.coding.blind_pass import blind_queue, no_code_applies
from coder.report.debrief_data import build_debrief
from coder.storage.audit import read_event
from coder.storage.audit_events import KINDS, CodingAdded, Event, ReviewDecided, decode_event
from coder.storage.models import Assignment, AuditEntry, BlindSample


def _code_a_few(study, transcript_id: int) -> None:
    with study.session() as session:
        for position in (2, 3, 4, 5):
            add_coding(session, "anna", "interdependence", transcript_id, position, position)


def test_running_assign_again_does_not_change_the_seed_the_summary_states(sample):
    """A second `assign` that adds nothing (another seed, same share) used to make the summary
    state that draw's seed; the summary now states the draw the assigned fragments came from."""
    study, transcript_id = sample
    _code_a_few(study, transcript_id)
    with study.session() as session:
        first = assign(session, "anna", "bram", "anna", fraction=0.5, seed=1)
    with study.session() as session:
        again = assign(session, "anna", "bram", "anna", fraction=0.5, seed=0)
    assert (first.added, again.added) == (2, 0)
    with study.session() as session:
        draws = build_debrief(session, coders=("anna", "bram")).glance.sample.draws
        samples = session.exec(select(BlindSample).order_by(BlindSample.id)).all()
    assert [d.seed for d in draws] == [1]
    assert [(s.fraction, s.seed) for s in samples] == [(0.5, 1), (0.5, 0)]


def test_every_assignment_points_at_the_draw_that_made_it(sample):
    study, transcript_id = sample
    _code_a_few(study, transcript_id)
    with study.session() as session:
        assign(session, "anna", "bram", "anna", fraction=0.5, seed=3)
    with study.session() as session:
        assign(session, "anna", "bram", "anna")  # the rest: all fragments, no seed
    with study.session() as session:
        by_sample = [(a.sample_id, session.get(BlindSample, a.sample_id).seed)
                     for a in session.exec(select(Assignment).order_by(Assignment.id))]
    assert [seed for _, seed in by_sample] == [3, 3, None, None]
    assert len({sample_id for sample_id, _ in by_sample}) == 2


def test_the_note_on_no_code_applies_is_kept_on_the_assignment(sample):
    study, transcript_id = sample
    _code_a_few(study, transcript_id)
    with study.session() as session:
        assign(session, "anna", "bram", "anna")
    with study.session() as session:
        item = blind_queue(session, "bram")[0]
        no_code_applies(session, "bram", item.assignment_id, note="gaat over het rooster #debrief")
    with study.session() as session:
        assert session.get(Assignment, item.assignment_id).no_code_note == "gaat over het rooster #debrief"
        flagged = build_debrief(session, coders=("anna", "bram")).flagged
    assert [(n.source, n.author, n.text) for n in flagged] == [("no code", "bram", "gaat over het rooster")]


def test_every_audit_row_of_the_coded_demo_reads_back_as_a_catalogued_event(coded_demo):
    with coded_demo.session() as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    kinds = {entry.kind for entry in entries}
    assert kinds <= set(KINDS)
    assert {"coding.add", "assignment.add", "blind.finish", "review.keep_a", "review.agreed"} <= kinds
    for entry in entries:
        event = read_event(entry)
        assert isinstance(event, Event)
        assert event.kind == entry.kind
        assert json.loads(json.dumps(event.detail(), default=str)) == json.loads(entry.detail)  # nothing lost


def test_an_event_round_trips_through_its_detail_and_ignores_unknown_keys():
    added = CodingAdded(added=7, code="reflection", first=2, last=3, pass_="primary")
    assert decode_event(added.kind, {**added.detail(), "later": "extra"}) == added
    decided = ReviewDecided(decision_kind="take_b", decision=4, assignment=2, codes=("a", "b"), note="",
                            first=1, last=1, added=(9,), removed=())
    assert decided.kind == "review.take_b"
    assert decode_event("review.take_b", json.loads(json.dumps(decided.detail()))) == decided
    with pytest.raises(ValueError, match="unknown audit event kind 'coding.smash'"):
        decode_event("coding.smash", {})
