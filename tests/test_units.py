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
