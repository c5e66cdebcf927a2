"""Small files that cost without bound are refused, and the work per turn is bounded (issue #19.4).

Every hostile file is made here, at the size that was found to hurt: a Word file that unpacks
to millions of paragraphs, a project source past the cap on a transcript's text, a turn of
40,000 "(", a subtitle line of 100,000 "<" (and an HTML one of "<v"), a turn of a million
characters. YAML alias bombs
are refused in `test_user_yaml.py`.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from sqlmodel import select

from coder.errors import TranscriptError
from coder.exchange.project_import import ProjectError, import_qdpx
from coder.ingest import decoding
from coder.ingest.formats import word
from coder.ingest.importer import import_transcripts
from coder.ingest.segmentation import MAX_SEGMENT, MAX_WORD, segment_text
from coder.storage.models import Segment, Transcript
from tests.conftest import write
from tests.test_cli import run


def word_file_with(paragraph_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A real .docx whose body holds `paragraph_xml`, deflated as Word does, plus `extra` members."""
    document = docx.Document()
    document.add_paragraph("A: hallo")
    plain = io.BytesIO()
    document.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + paragraph_xml, 1)
            target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def stored(study) -> tuple[list[Transcript], list[Segment]]:
    with study.session() as session:
        return session.exec(select(Transcript)).all(), session.exec(select(Segment)).all()


def test_a_word_file_that_unpacks_to_millions_of_paragraphs_is_refused(tmp_path, capsys):
    """A few kB that python-docx would read as 150,000 paragraphs (the one found held millions)."""
    bomb = word_file_with(b"<w:p><w:r><w:t>A: a.</w:t></w:r></w:p>" * 150_000)
    assert len(bomb) < 100_000
    path = write(tmp_path, "bomb.docx", bomb)
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "import", str(path))
    assert code == 1
    assert "bomb.docx: unpacks to more than" in err and "split it into parts" in err
    assert "Traceback" not in err


def test_the_unpacked_size_is_counted_not_the_size_the_zip_declares(tmp_path, monkeypatch):
    """Every member counts, a picture too: python-docx would hold them all in memory."""
    monkeypatch.setattr(word, "MAX_UNPACKED", 2**20)
    path = write(tmp_path, "zeros.docx", word_file_with(b"", {"word/media/image1.png": bytes(2 * 2**20)}))
    assert path.stat().st_size < 2**16
    with pytest.raises(TranscriptError, match="unpacks to more than 1 MB"):
        word.docx_text(path.read_bytes(), str(path))


def test_a_word_file_within_the_limits_still_reads(tmp_path):
    text = word.docx_text(word_file_with(b"<w:p><w:r><w:t>B: ja.</w:t></w:r></w:p>" * 3_000), "ok.docx")
    assert text.count("B: ja.") == 3_000


def test_a_damaged_word_file_is_a_message_not_a_traceback(tmp_path, capsys):
    """A document.xml cut short (lxml's XMLSyntaxError) and a flipped byte in the stream (zlib)."""
    good = word_file_with(b"")
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        xml = archive.read("word/document.xml")
        info = archive.getinfo("word/document.xml")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, xml[:-40] if member.filename == "word/document.xml" else source.read(member))
    flipped = bytearray(good)
    stream = info.header_offset + 30 + len(info.filename) + len(info.extra)
    flipped[stream + 2 : stream + 10] = bytes(b ^ 0xFF for b in flipped[stream + 2 : stream + 10])
    for name, data in (("cut.docx", out.getvalue()), ("flipped.docx", bytes(flipped))):
        code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "import", str(write(tmp_path, name, data)))
        assert code == 1 and f"{name}:" in err and "Traceback" not in err
        assert "damaged" in err or "not a Word .docx file" in err


def test_a_project_source_past_the_cap_on_a_transcript_is_refused(tmp_path, empty, monkeypatch):
    """The cap on a transcript file holds for a source that arrives in a .qdpx too (a 30 MB one
    passed the 20 MB cap); the cap is lowered to 1 MB to keep the test quick."""
    monkeypatch.setattr(decoding, "MAX_BYTES", 2**20)
    source = b"A: een twee drie vier\n" * (2**20 // 22 + 1000)
    project = (b'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">'
               b'<Sources><TextSource guid="14444444-4444-4444-4444-444444444444" name="groot" '
               b'plainTextPath="internal://a.txt"/></Sources></Project>')
    path = tmp_path / "big.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project)
        archive.writestr("Sources/a.txt", source)
    with pytest.raises(ProjectError, match=r"source 'groot' is too large \(1\.0 MB; the limit is 1 MB\)"):
        import_qdpx(empty, path, "test")
    assert stored(empty) == ([], [])


def test_the_cap_holds_for_every_source_however_it_was_read(tmp_path):
    """A JSON, subtitle or Word reader builds its text itself: the cap is on the text it ends in."""
    from coder.ingest.formats.parsed import ParsedTranscript

    with pytest.raises(TranscriptError, match="too large"):
        ParsedTranscript(source="x.json", title="x", text="a" * (decoding.MAX_BYTES + 1), turns=(),
                         participants=(), content_hash="")


@pytest.fixture(scope="module")
def hostile_study(tmp_path_factory):
    """One import of the hostile turns that took minutes or never finished, shared by the tests below."""
    from coder.storage.database import open_study

    folder = tmp_path_factory.mktemp("hostile")
    write(folder, "haakjes.txt", "A: " + "(" * 40_000 + "\nB: Goed.\n")
    write(folder, "kleiner.srt", "1\n00:00:01,000 --> 00:00:02,000\n" + "<" * 100_000 + "\n")
    write(folder, "tabs.txt", "A: Ja" + "\t" * 100_000 + "nee.\n")
    write(folder, "lang.txt", "A: " + "woorden " * 125_001 + "\n")  # one turn over spaCy's 1,000,000
    write(folder, "stray.html", "<html><body><p>S00: Ja " + "<v" * 50_000 + "</p><p>S01: Nee.</p></body></html>")
    study = open_study(str(folder / "s.db"))
    report = import_transcripts(study, [folder], "test")
    yield study, report
    study.close()


def test_hostile_turns_import_with_every_segment_bounded(hostile_study):
    study, report = hostile_study
    assert {title for title, _ in report.imported} == {"haakjes", "kleiner", "tabs", "lang", "stray"}
    transcripts, segments = stored(study)
    texts = {t.id: t.text for t in transcripts}
    assert "S00: Ja " + "<v" * 50_000 + "\nS01: Nee." in texts.values()  # a stray "<" is text, not a tag
    assert segments and all(0 < s.end - s.start <= MAX_SEGMENT for s in segments)
    parens = "".join(texts[s.transcript_id][s.start : s.end] for s in segments
                     if texts[s.transcript_id][s.start] == "(")
    assert parens == "(" * 40_000  # nothing lost, nothing doubled


def test_a_run_without_a_sentence_end_is_cut_at_a_space():
    text = " ".join(f"woord{i}" for i in range(2_000))  # 15,000 characters, not one full stop
    spans = segment_text(text)
    assert len(spans) > 1 and all(end - start <= MAX_SEGMENT for start, end in spans)
    assert " ".join(text[start:end] for start, end in spans) == text  # cut between words only


def test_a_word_longer_than_spacy_can_take_is_a_segment_of_its_own():
    url = "https://example.org/" + "a(" * MAX_WORD
    spans = segment_text(f"Kijk op {url} voor meer. Dank je.")
    texts = [f"Kijk op {url} voor meer. Dank je."[a:b] for a, b in spans]
    assert texts == ["Kijk op", url, "voor meer.", "Dank je."]
