"""Importing transcripts into a study: offsets, turns, duplicates, all-or-nothing."""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlmodel import select

from coder.coding.queries import transcript_segments
from coder.errors import TranscriptError
from coder.ingest.importer import DUPLICATE, Overrides, import_transcripts
from coder.storage.models import AuditEntry, Participant, Segment, Transcript, Turn
from tests.conftest import SAMPLE_TRANSCRIPTS, TRANSCRIPT, write


def test_import_stores_turns_and_segments_with_exact_offsets(study, tmp_path):
    report = import_transcripts(study, [write(tmp_path, "a.txt", TRANSCRIPT)], "anna")
    assert report.imported == (("Proefinterview", 6),)
    with study.session() as session:
        transcript = session.exec(select(Transcript)).one()
        segments = transcript_segments(session, transcript.id)
        turns = {t.id: t for t in session.exec(select(Turn))}
        assert [s.text for s in segments] == [
            "Hoe gaat de samenwerking?", "Vertel eens.", "Goed hoor.",
            "We geven bijv. samen les... en dat gaat prima.", "[pauze] Ja.", "Ik heb haar echt nodig.",
        ]
        for segment in segments:
            assert transcript.text[segment.start : segment.end] == segment.text
            turn = turns[segment.turn_id]
            assert turn.start <= segment.start < segment.end <= turn.end
        roles = {p.label: p.role for p in session.exec(select(Participant))}
        assert roles == {"I": "interviewer", "L": "teacher", "J": "youth-care-worker"}
        entry = session.exec(select(AuditEntry).where(AuditEntry.kind == "transcript.import")).one()
        assert entry.actor == "anna" and json.loads(entry.detail)["segments"] == 6


def test_segments_never_cross_turns(study):
    import_transcripts(study, [SAMPLE_TRANSCRIPTS], "anna")
    with study.session() as session:
        turns = {t.id: t for t in session.exec(select(Turn))}
        transcripts = session.exec(select(Transcript)).all()
        assert len(transcripts) == 8
        for transcript in transcripts:
            segments = transcript_segments(session, transcript.id)
            assert len(segments) > 100
            assert [s.position for s in segments] == list(range(len(segments)))
            for segment in segments:
                turn = turns[segment.turn_id]
                assert turn.start <= segment.start < segment.end <= turn.end
                assert transcript.text[segment.start : segment.end] == segment.text
            page = transcript_segments(session, transcript.id, first=10, limit=5)
            assert page == segments[10:15]


def test_same_content_twice_is_skipped(study, tmp_path):
    first = write(tmp_path, "a.txt", TRANSCRIPT)
    copy = write(tmp_path, "kopie.txt", TRANSCRIPT.replace("\n", "\r\n"))
    import_transcripts(study, [first], "anna")
    report = import_transcripts(study, [first, copy], "anna")
    assert report.imported == ()
    assert [reason for _, reason in report.skipped] == [DUPLICATE] * 2
    with study.session() as session:
        assert len(session.exec(select(Transcript)).all()) == 1


def test_duplicate_within_one_command_is_imported_once(study, tmp_path):
    first = write(tmp_path, "a.txt", TRANSCRIPT)
    again = write(tmp_path, "b.txt", TRANSCRIPT)
    report = import_transcripts(study, [first, again], "anna")
    assert len(report.imported) == 1 and report.skipped[0][0].endswith("b.txt")


def test_one_bad_file_imports_nothing(study, tmp_path):
    good = write(tmp_path, "a.txt", TRANSCRIPT)
    bad = write(tmp_path, "b.txt", "---\nschool_type: havo\n---\nL: hoi")
    with pytest.raises(TranscriptError, match="b.txt:2"):
        import_transcripts(study, [good, bad], "anna")
    with study.session() as session:
        assert session.exec(select(Transcript)).all() == []
        assert session.exec(select(Segment)).all() == []
        assert session.exec(select(AuditEntry)).all() == []


def test_failure_while_writing_rolls_back_everything(study, tmp_path, monkeypatch):
    """The rows go in one bulk insert per table: a failure at the last table (segments), after
    the transcripts, speakers and turns were written, leaves nothing, not even an audit entry."""
    import coder.ingest.importer as importer

    written = []
    real_executemany = importer._executemany

    def fail_at_segments(conn, model, *args):
        if model is Segment:
            raise RuntimeError("disk full")
        written.append(model)
        return real_executemany(conn, model, *args)

    monkeypatch.setattr(importer, "_executemany", fail_at_segments)
    with pytest.raises(RuntimeError, match="disk full"):
        import_transcripts(study, [write(tmp_path, "a.txt", TRANSCRIPT),
                                   write(tmp_path, "b.txt", TRANSCRIPT.replace("Proef", "Tweede"))], "anna")
    assert written == [Transcript, Participant, Turn]  # written before the failure, and rolled back
    with study.session() as session:
        assert session.exec(select(Transcript)).all() == []
        assert session.exec(select(Turn)).all() == []
        assert session.exec(select(AuditEntry)).all() == []


def test_command_line_overrides_win(study, tmp_path):
    import_transcripts(study, [write(tmp_path, "a.txt", TRANSCRIPT)], "anna",
                       Overrides(school="Andere school", school_type="sbo"))
    with study.session() as session:
        transcript = session.exec(select(Transcript)).one()
        assert (transcript.school, transcript.school_type) == ("Andere school", "sbo")


def test_bad_override_and_empty_folder_are_refused(study, tmp_path):
    with pytest.raises(TranscriptError, match="school type 'havo'"):
        import_transcripts(study, [write(tmp_path, "a.txt", TRANSCRIPT)], "anna", Overrides(school_type="havo"))
    empty = tmp_path / "leeg"
    empty.mkdir()
    with pytest.raises(TranscriptError, match="no transcript files"):
        import_transcripts(study, [empty], "anna")


def test_progress_is_reported_per_transcript(study):
    seen = []
    import_transcripts(study, [SAMPLE_TRANSCRIPTS], "anna", progress=lambda t, d, n: seen.append((d, n)))
    assert seen == [(i, 8) for i in range(1, 9)]


def test_a_word_lock_file_in_a_folder_is_skipped_and_said_so(study, tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    write(folder, "interview.txt", TRANSCRIPT)
    lock = write(folder, "~$interview.docx", b"\x05anna\x00\x00 not a Word file")
    write(folder, "._interview.txt", b"\x00\x05\x16\x07 macOS metadata")
    report = import_transcripts(study, [folder], "anna")
    assert report.imported == (("Proefinterview", 6),)
    hidden = "hidden or temporary file (such as Word's ~$ lock file), left out of the folder"
    assert sorted(report.skipped) == sorted([(str(lock), hidden), (str(folder / "._interview.txt"), hidden)])


def test_a_hidden_file_named_on_the_command_line_is_read(study, tmp_path):
    report = import_transcripts(study, [write(tmp_path, ".proef.txt", TRANSCRIPT)], "anna")
    assert report.imported == (("Proefinterview", 6),)
    with pytest.raises(TranscriptError, match="not a Word .docx file"):
        import_transcripts(study, [write(tmp_path, "~$proef.docx", b"\x05anna")], "anna")


def test_a_folder_of_only_hidden_files_says_why_nothing_is_imported(study, tmp_path):
    write(tmp_path, "~$proef.docx", b"\x05anna")
    with pytest.raises(TranscriptError, match=r"no transcript files to import \(1 hidden or temporary left out\)"):
        import_transcripts(study, [tmp_path], "anna")


def test_the_report_names_each_files_format_and_speakers(study, tmp_path):
    vtt = "WEBVTT\n\n00:01.000 --> 00:03.000\n<v Eva de Vries>Welkom.\n\n00:03.000 --> 00:05.000\n<v Anne-Marie van den Berg>Dank je.\n"
    files = [write(tmp_path, "a.txt", TRANSCRIPT), write(tmp_path, "b.vtt", vtt)]
    report = import_transcripts(study, files, "anna")
    assert [(f.format, [(s.label, s.turns) for s in f.speakers]) for f in report.files] == [
        ("coder", [("I", 1), ("L", 1), ("J", 1)]),
        ("WebVTT (Teams)", [("Eva de Vries", 1), ("Anne-Marie van den Berg", 1)]),
    ]
    with study.session() as session:
        labels = {p.label for p in session.exec(select(Participant))}
    assert {"Eva de Vries", "Anne-Marie van den Berg"} <= labels


def _stored(study) -> list[tuple]:
    """What an import wrote: every transcript with its turns and segments, by title."""
    with study.session() as session:
        return sorted(
            (t.title, t.word_count, [(u.position, u.start, u.end) for u in session.exec(select(Turn).where(Turn.transcript_id == t.id))],
             [(s.position, s.start, s.end) for s in session.exec(select(Segment).where(Segment.transcript_id == t.id))])
            for t in session.exec(select(Transcript)))


def test_an_import_in_worker_processes_stores_what_one_process_stores(study, tmp_path, monkeypatch):
    """A big import reads and segments its files in forked workers (`ingest.workers`); a
    text's worth of one byte makes even the eight sample interviews big."""
    from coder.ingest import workers
    from coder.storage.database import open_study

    serial = open_study(f"sqlite:///{tmp_path / 'serial.db'}")
    try:
        import_transcripts(serial, [SAMPLE_TRANSCRIPTS], "anna")
        monkeypatch.setattr(workers, "TEXT_PER_WORKER", 1)
        pools = []
        monkeypatch.setattr(workers, "ProcessPoolExecutor", lambda **kw: pools.append(kw) or ProcessPoolExecutor(**kw))
        seen = []
        report = import_transcripts(study, [SAMPLE_TRANSCRIPTS], "anna", progress=lambda t, d, n: seen.append((t, d)))
        assert _stored(study) == _stored(serial)
    finally:
        serial.close()
    assert seen == [(path.name, i) for i, path in enumerate(sorted(SAMPLE_TRANSCRIPTS.glob("*.txt")), start=1)]
    assert len(report.imported) == 8
    assert len(pools) == (1 if (os.cpu_count() or 1) > 1 else 0)  # one core forks nothing


def test_a_bad_file_read_in_a_worker_refuses_the_whole_import(study, tmp_path, monkeypatch):
    from coder.ingest import workers

    monkeypatch.setattr(workers, "TEXT_PER_WORKER", 1)
    for i in range(4):
        write(tmp_path, f"{i}.txt", TRANSCRIPT.replace("Proefinterview", f"Interview {i}"))
    write(tmp_path, "9-bad.txt", "---\nschool_type: havo\n---\nL: hoi")
    with pytest.raises(TranscriptError, match="9-bad.txt:2"):
        import_transcripts(study, [tmp_path], "anna")
    with study.session() as session:
        assert session.exec(select(Transcript)).all() == []


def test_an_import_collects_garbage_less_often_and_then_as_before(study, monkeypatch):
    import gc

    from coder.ingest import importer

    before, during = gc.get_threshold(), []
    reading = importer._Batch._read
    monkeypatch.setattr(importer._Batch, "_read", lambda self, path: during.append(gc.get_threshold()) or reading(self, path))
    import_transcripts(study, [SAMPLE_TRANSCRIPTS], "anna")
    assert during and all(t[0] == importer.IMPORT_COLLECTION_THRESHOLD for t in during)
    assert gc.get_threshold() == before
