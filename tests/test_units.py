"""From a study's codings to agreement units, in fragments and segments mode (DESIGN §4)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from coder.coding.actions import add_coding, remove_coding
from coder.errors import StudyError
from coder.stats.agreement import agreement
from coder.stats.units import UnitFilter, study_ratings
from coder.storage.models import AuditEntry, Coding
from coder.storage.settings import set_uncodable_roles

# The `sample` fixture's segments: 0-1 interviewer, 2-3 teacher, 4-5 youth-care worker.


def code(study, *args, **kwargs):
    with study.session() as session:
        return add_coding(session, *args, **kwargs).id


def test_fragments_mode_compares_a_primary_with_b_blind(sample):
    study, t = sample
    code(study, "anna", "joint-actions", t, 2, 3)
    code(study, "anna", "interdependence", t, 4, 5)
    code(study, "anna", "mutual-trust", t, 5, 5)           # B never saw it: left out
    with study.session() as session:  # a study that lets interviewer turns be coded ...
        set_uncodable_roles(session, [], "test")
    code(study, "anna", "reflection", t, 0, 1)             # ... still has no interviewer units
    code(study, "bram", "new-activities", t, 2, 3, pass_="blind")
    code(study, "bram", "flexibility", t, 4, 5, pass_="blind")
    with study.session() as session:
        theme = study_ratings(session, "fragments", "theme")
        by_code = study_ratings(session, "fragments", "code", ("anna", "bram"))
    assert theme.coders == ("anna", "bram")
    assert len(theme.units) == 2 and theme.excluded == 1
    assert theme.codes == ("interdependence", "new-activities", "flexibility", "reflection")
    assert theme.a.tolist() == [[False, True, False, False], [True, False, False, False]]
    assert theme.b.tolist() == [[False, True, False, False], [False, False, True, False]]
    assert theme.categories == 5
    report = agreement(by_code, "code")
    assert report.codes["joint-actions"].a_yes == 1 and report.codes["joint-actions"].b_yes == 0
    assert report.codes["new-activities"].b_yes == 1 and len(report.codes) == 16


def test_removed_codings_do_not_count(sample):
    study, t = sample
    first = code(study, "anna", "flexibility", t, 2, 2)
    code(study, "anna", "reflection", t, 3, 3)
    code(study, "bram", "flexibility", t, 2, 2, pass_="blind")
    code(study, "bram", "reflection", t, 3, 3, pass_="blind")
    with study.session() as session:
        remove_coding(session, first, "anna")
    with study.session() as session:
        ratings = study_ratings(session, "fragments", "theme")
        assert len(ratings.units) == 1
        assert session.exec(select(Coding).where(Coding.id == first)).one().deleted_at is not None
        kinds = [e.kind for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
        assert kinds.count("coding.add") == 4 and "coding.remove" in kinds


def test_segments_mode_uses_every_non_interviewer_segment(sample):
    study, t = sample
    code(study, "anna", "joint-actions", t, 2, 3)
    code(study, "anna", "interdependence", t, 4, 5)
    code(study, "bram", "new-activities", t, 3, 4)
    with study.session() as session:
        ratings = study_ratings(session, "segments", "theme")
    assert len(ratings.units) == 4 and ratings.excluded == 0
    column = ratings.codes.index("new-activities")
    assert ratings.a[:, column].tolist() == [True, True, False, False]
    assert ratings.b[:, column].tolist() == [False, True, True, False]
    report = agreement(ratings, "theme")
    assert report.codes["interdependence"].a_yes == 2 and report.codes["interdependence"].b_yes == 0


def test_filters_and_coder_pair(sample):
    study, t = sample
    code(study, "anna", "flexibility", t, 2, 2)
    code(study, "bram", "flexibility", t, 2, 2, pass_="blind")
    with study.session() as session:
        assert len(study_ratings(session, where=UnitFilter(school_types=("vo",))).units) == 0
        assert len(study_ratings(session, where=UnitFilter(transcripts=("Proefinterview",))).units) == 1
        assert len(study_ratings(session, where=UnitFilter(transcripts=(str(t),))).units) == 1
        with pytest.raises(StudyError, match="no coder named carla"):
            study_ratings(session, coders=("anna", "carla"))
    code(study, "carla", "flexibility", t, 2, 2, pass_="blind")
    with study.session() as session:
        with pytest.raises(StudyError, match="3 coders"):
            study_ratings(session)
        assert study_ratings(session, coders=("anna", "carla")).coders == ("anna", "carla")


def test_coding_refuses_unknown_codes_and_segments(sample):
    study, t = sample
    with pytest.raises(StudyError, match="no code 'nonsense'"):
        code(study, "anna", "nonsense", t, 2, 2)
    with pytest.raises(StudyError, match="has no segment 99"):
        code(study, "anna", "flexibility", t, 2, 99)
    with pytest.raises(StudyError, match="pass must be one of"):
        code(study, "anna", "flexibility", t, 2, 2, pass_="final")


def test_disagreeing_units_can_be_shown_with_their_text(sample):
    from coder.stats.agreement import disagreements
    from coder.stats.units import unit_texts

    study, t = sample
    code(study, "anna", "flexibility", t, 2, 3)
    code(study, "anna", "reflection", t, 4, 4)
    code(study, "bram", "flexibility", t, 2, 3, pass_="blind")
    code(study, "bram", "interdependence", t, 4, 4, pass_="blind")
    with study.session() as session:
        ratings = study_ratings(session, "fragments", "theme")
        assert disagreements(ratings, "flexibility") == []
        shown = unit_texts(session, disagreements(ratings, "reflection"))
        assert [(u.transcript, u.first_position, u.last_position, u.text) for u in shown] == [
            ("Proefinterview", 4, 4, "[pauze] Ja.")]
        segments = study_ratings(session, "segments", "theme")
        texts = [u.text for u in unit_texts(session, segments.units)]
        assert texts[0] == "Goed hoor." and len(texts) == 4


def segment_lengths(study, t) -> list[int]:
    from coder.storage.models import Segment

    with study.session() as session:
        rows = session.exec(select(Segment).where(Segment.transcript_id == t).order_by(Segment.position)).all()
        return [s.end - s.start for s in rows]


def test_study_spans_lay_the_codable_text_end_to_end(sample):
    """The continuum is the non-interviewer segments' text: offsets and length count only it,
    a coding across an interviewer turn keeps its codable part, and the level maps the codes."""
    from coder.stats.study_spans import study_spans, study_unitizing
    from coder.stats.unitizing import Span, alpha_u, continuum, u_alpha

    study, t = sample
    with study.session() as session:
        set_uncodable_roles(session, [], "test")
    code(study, "anna", "joint-actions", t, 2, 3)        # new-activities at theme level
    code(study, "anna", "mutual-trust", t, 1, 2)         # starts in the interviewer's turn
    code(study, "bram", "new-activities", t, 3, 4, pass_="blind")
    code(study, "carla", "flexibility", t, 2, 2)         # not of the pair
    lengths = segment_lengths(study, t)
    l2, l3, l4 = lengths[2:5]
    with study.session() as session:
        data = study_spans(session, ("anna", "bram"), "theme")
        result = study_unitizing(session, "theme", ("anna", "bram"))
    expected = continuum(
        [Span("Proefinterview", "anna", "new-activities", 0, l2 + l3), Span("Proefinterview", "anna", "interdependence", 0, l2),
         Span("Proefinterview", "bram", "new-activities", l2, l2 + l3 + l4)],
        {"Proefinterview": sum(lengths[2:])}, coders=("anna", "bram"),
        codes=("interdependence", "new-activities", "flexibility", "reflection"))
    assert data.length == sum(lengths[2:]) < sum(lengths)
    assert data.documents == ("Proefinterview",) and data.coders == ("anna", "bram")
    assert (data.start.tolist(), data.end.tolist(), data.code.tolist()) == (
        expected.start.tolist(), expected.end.tolist(), expected.code.tolist())
    assert result.alpha_u == alpha_u(expected) and result.u_alpha == u_alpha(expected)
    assert result.alpha_u.codes["flexibility"].reason is not None  # nobody of the pair used it


def test_study_spans_only_on_transcripts_both_coded(sample, tmp_path):
    from coder.ingest.importer import import_transcripts
    from coder.stats.study_spans import study_spans
    from tests.conftest import TRANSCRIPT, write

    study, t = sample
    import_transcripts(study, [write(tmp_path, "second.txt", TRANSCRIPT.replace("Proefinterview", "Tweede"))], "test")
    code(study, "anna", "flexibility", t, 2, 3)
    code(study, "bram", "flexibility", t, 2, 3, pass_="blind")
    code(study, "anna", "flexibility", t + 1, 2, 3)      # bram never coded this one
    with study.session() as session:
        data = study_spans(session, ("anna", "bram"), "code")
    assert data.documents == ("Proefinterview",) and len(data.start) == 2


def test_review_counts_adjusted_and_added_fragments_and_the_pairs(sample):
    from coder.coding.assignments import assign
    from coder.coding.blind_pass import blind_queue, finish, toggle_blind_code
    from coder.coding.review import accept_agreements, add_missed, decide
    from coder.stats.units import ReviewCounts, coder_pairs, review_counts

    study, t = sample
    code(study, "anna", "flexibility", t, 2, 3)
    code(study, "anna", "reflection", t, 4, 5)
    with study.session() as session:
        assert coder_pairs(session) == []  # one coder: no pair yet
        assign(session, "anna", "bram", "lead")
    with study.session() as session:
        first, second = (item.assignment_id for item in blind_queue(session, "bram"))
        toggle_blind_code(session, "bram", first, "flexibility")
        finish(session, "bram", first)
        toggle_blind_code(session, "bram", second, "interdependence")
        finish(session, "bram", second)
    with study.session() as session:
        assert review_counts(session, ("anna", "bram")) == ReviewCounts(ready=2, decided=0, adjusted=0, added=0)
        accept_agreements(session, "bram", "anna", "bram")
        decide(session, "bram", second, "keep_a", span=(4, 4))        # bijgesteld
        add_missed(session, "bram", t, 3, 3, ("mutual-trust",))        # aangevuld ...
        add_missed(session, "bram", t, 3, 3, ("shared-norms",))        # ... once, however often
    with study.session() as session:
        counts = review_counts(session, ("anna", "bram"))
        assert (counts.ready, counts.decided, counts.adjusted, counts.added) == (2, 2, 1, 1)
        assert review_counts(session, ("anna", "bram"), UnitFilter(school_types=("vo",))) == ReviewCounts(0, 0, 0, 0)
        assign(session, "anna", "carla", "lead")
    with study.session() as session:
        assert coder_pairs(session) == [("anna", "bram"), ("anna", "carla")]
        assert review_counts(session, ("anna", "carla")).decided == 0
