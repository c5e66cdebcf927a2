"""Pseudonymisation on import (DESIGN §7, issue #14): no real name in any byte of the study or its exports."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

import pytest
from sqlmodel import select

from coder.codebook.codebook_file import read_codebook
from coder.codebook.study_codebook import apply_codebook
from coder.coding.actions import add_coding
from coder.coding.assignments import assign
from coder.coding.blind_pass import blind_queue, finish, toggle_blind_code
from coder.errors import KeyFileError
from coder.exchange.project_export import export_qdpx
from coder.ingest.importer import import_transcripts
from coder.ingest.pseudonymise import parse_key, read_key
from coder.report.codings_export import WRITERS, coding_rows
from coder.report.debrief_export import debrief_document
from coder.report.transcripts_export import WRITERS as TRANSCRIPT_WRITERS
from coder.report.transcripts_export import transcript_records
from coder.storage.audit import audit_trail
from coder.storage.database import open_study
from coder.storage.models import Participant, Transcript
from coder.storage.settings import pseudonym_key
from tests.conftest import SHIPPED_CODEBOOK, write
from tests.test_cli import run

KEY = """\
name,pseudonym
Jan de Vries,Leerkracht 1
Jan,Leerkracht 1
de Vries,Leerkracht 1
Marieke van den Berg,Jeugdhulpverlener 1
Marieke,Jeugdhulpverlener 1
van den Berg,Jeugdhulpverlener 1
Sint-Bavoschool,School A
Haarlem,[plaats]
marieke.vandenberg@example.nl,[e-mail]
06-12345678,[telefoon]
"""

TRANSCRIPT = """\
---
title: Interview Jan de Vries
school: Sint-Bavoschool Haarlem
school_type: po
date: 2024-03-12
participants:
  - {label: I, role: interviewer}
  - {label: Jan de Vries, role: teacher}
  - {label: Marieke van den Berg, role: youth-care-worker}
---
I: Hoe werkt u samen, meneer De Vries?
Jan de Vries: Met Marieke gaat het goed. Marieke's aanpak en Mariekes rust helpen ons. Bel haar op
06-12345678 of mail marieke.vandenberg@example.nl als het nodig is.
Marieke van den Berg: Jans klas op de Sint-Bavoschool in Haarlem is druk. Jan's collega's vragen
mevrouw Van den
Berg om raad. De Haarlemse aanpak werkt, zegt JAN DE VRIES.
"""

#: Every piece of a real name, lower-cased, as it could show in a byte of a file.
REAL = ("vries", "marieke", "van den berg", "vandenberg", "bavo", "haarlem", "12345678", "jan ", "jans", "jan'")


def leaks(data: bytes | str) -> list[str]:
    """The pieces of real names in `data`, except the citation of De Vries et al. (2008) the summary makes."""
    text = (data.decode("utf-8", "replace") if isinstance(data, bytes) else data).lower()
    text = text.replace("de vries et al.", "")
    return [piece for piece in REAL if piece in text]


def test_a_name_is_replaced_as_a_whole_word_in_any_case_and_inflection():
    key = parse_key(KEY, "key.csv")
    assert key.replace("Jans fiets, Jan's boek, Jan’s pen, JAN, jan-achtig") == (
        "Leerkracht 1s fiets, Leerkracht 1's boek, Leerkracht 1’s pen, Leerkracht 1, Leerkracht 1-achtig")
    assert key.replace("Jansen en Januari blijven; Jan de\nVries niet") == "Jansen en Januari blijven; Leerkracht 1 niet"
    assert key.replace("mevrouw van  den\nBerg uit Haarlem, de Haarlemse") == (
        "mevrouw Jeugdhulpverlener 1 uit [plaats], de [plaats]se")
    assert key.replace("interview_jan_de_vries.docx") == "interview_Leerkracht 1.docx"


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("naam,pseudoniem\n", 1, "header name,pseudonym"),
    ("name,pseudonym\nJan,\n", 2, "needs a name and its pseudonym"),
    ("name,pseudonym\nJan,L1\n\njan,L2\n", 4, "already has pseudonym 'L1' (line 2)"),
    ("name,pseudonym\n", None, "no rows"),
])
def test_a_bad_key_file_names_its_line(text, line, problem):
    with pytest.raises(KeyFileError) as caught:
        parse_key(text, "key.csv")
    assert caught.value.line == line and problem in caught.value.problem


def test_the_key_hash_does_not_depend_on_row_order_or_case():
    shuffled = "name,pseudonym\n" + "\n".join(reversed(KEY.splitlines()[1:])).replace("Haarlem", "HAARLEM")
    assert parse_key(shuffled, "b.csv").sha256 == parse_key(KEY, "a.csv").sha256
    assert parse_key(KEY.replace("School A", "School B"), "c.csv").sha256 != parse_key(KEY, "a.csv").sha256


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The transcript imported with the key into a coded study, its bytes read while it is open."""
    folder = tmp_path_factory.mktemp("pseudonymise")
    path, key = folder / "study.db", write(folder, "key.csv", KEY)
    study = open_study(str(path))
    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "lead")
    report = import_transcripts(study, [write(folder, "interview_jan_de_vries.txt", TRANSCRIPT)], "lead",
                                key=read_key(key))
    with study.session() as session:
        t = session.exec(select(Transcript)).one()
        add_coding(session, "anna", "mutual-trust", t.id, 1, 2)
        add_coding(session, "anna", "reflection", t.id, 3, 5)
        assign(session, "anna", "bram", "lead")
    with study.session(viewer="bram") as session:
        for item in blind_queue(session, "bram"):
            toggle_blind_code(session, "bram", item.assignment_id, "mutual-trust")
            finish(session, "bram", item.assignment_id)
    wal = path.with_name("study.db-wal")
    files = SimpleNamespace(db=path.read_bytes(), wal=wal.read_bytes(), wal_size=wal.stat().st_size)
    with study.reader() as session:
        exports = {fmt: _written(WRITERS[fmt], coding_rows(session)) for fmt in WRITERS}
        exports |= {f"debrief.{fmt}": debrief_document(session, fmt) for fmt in ("md", "html")}
        exports["debrief.nl"] = debrief_document(session, "md", lang="nl")
        records = transcript_records(session)
        exports |= {f"transcripts.{fmt}": _written(TRANSCRIPT_WRITERS[fmt], records) for fmt in ("json", "txt")}
        export_qdpx(session, folder / "study.qdpx")
        with zipfile.ZipFile(folder / "study.qdpx") as archive:
            exports["qdpx"] = b"".join(archive.read(name) for name in archive.namelist())
        stored = SimpleNamespace(transcript=session.exec(select(Transcript)).one(),
                                 labels=session.exec(select(Participant.label)).all(),
                                 log=audit_trail(session), key_hash=pseudonym_key(session))
    study.close()
    yield SimpleNamespace(folder=folder, path=path, key=key, report=report, files=files, exports=exports,
                          stored=stored, after_close=path.read_bytes())


def _written(writer, rows) -> str:
    out = io.StringIO()
    writer(rows, out)
    return out.getvalue()


def test_no_real_name_reaches_any_byte_of_the_study_file_or_its_log(imported):
    assert imported.files.wal_size > 0  # the log was there to be read
    assert leaks(imported.files.db) == [] and leaks(imported.files.wal) == [] and leaks(imported.after_close) == []
    assert b"leerkracht 1" in imported.after_close.lower()


def test_text_speakers_title_school_and_file_name_carry_the_pseudonyms(imported):
    t = imported.stored.transcript
    assert (t.title, t.school, t.source_name) == ("Interview Leerkracht 1", "School A [plaats]",
                                                 "interview_Leerkracht 1.txt")
    assert sorted(imported.stored.labels) == ["I", "Jeugdhulpverlener 1", "Leerkracht 1"]
    assert "Jeugdhulpverlener 1's aanpak" in t.text and "mevrouw Jeugdhulpverlener 1 om raad" in t.text
    assert "[telefoon] of mail [e-mail] als" in t.text
    assert t.text.startswith("I: Hoe werkt u samen, meneer Leerkracht 1?\nLeerkracht 1: Met")


def test_no_export_carries_a_real_name(imported):
    assert {name: leaks(data) for name, data in imported.exports.items()} == dict.fromkeys(imported.exports, [])
    assert "Leerkracht 1" in imported.exports["csv"]


def test_the_study_records_the_keys_hash_and_never_the_key(imported):
    sha = read_key(imported.key).sha256
    assert imported.stored.key_hash == sha
    assert [line.detail for line in imported.stored.log if line.kind == "study.pseudonym_key"] == [
        {"before": None, "after": sha}]


def test_the_summary_says_the_data_were_pseudonymised(imported):
    assert "The data were pseudonymised before analysis" in imported.exports["debrief.md"]
    assert "De gegevens zijn vóór de analyse gepseudonimiseerd" in imported.exports["debrief.nl"]


def test_importing_with_another_key_or_none_asks_for_force(capsys, imported):
    other = write(imported.folder, "other.csv", KEY.replace("School A", "School B"))
    more = write(imported.folder, "more.txt", TRANSCRIPT.replace("druk", "rustig"))
    db = str(imported.folder / "copy.db")
    (imported.folder / "copy.db").write_bytes(imported.after_close)
    for options in (["--pseudonymise", str(other)], []):
        code, _, err = run(capsys, "--db", db, "import", *options, str(more))
        assert code == 1 and "add --force" in err
    code, out, _ = run(capsys, "--db", db, "status")
    assert code == 0 and f"pseudonymised with the key {imported.stored.key_hash[:12]}" in out
    code, out, err = run(capsys, "--db", db, "import", "--pseudonymise", str(other), "--force", str(more))
    assert code == 0, err
    assert "1 imported" in out and "vries" not in out.lower()
    code, out, err = run(capsys, "import", "--dry-run", "--pseudonymise", str(imported.key), str(more))
    assert code == 0, err
    assert "speaker Leerkracht 1 (teacher)" in out and "Leerkracht 1: Met Jeugdhulpverlener 1 gaat" in out
    code, _, err = run(capsys, "--db", db, "import", "--pseudonymise", str(imported.key), "x.qdpx")
    assert code != 0 and "not to a .qdpx project" in err


def test_suggest_finds_the_names_and_its_key_leaves_none(capsys, tmp_path):
    source = write(tmp_path, "interview_jan_de_vries.txt", TRANSCRIPT)
    key = tmp_path / "key.csv"
    code, out, err = run(capsys, "pseudonymise", "suggest", "--finder", "builtin", str(source), "-o", str(key))
    assert code == 0, err
    assert "person         3  Jan de Vries → Leerkracht 1" in out
    assert "phone          1  06-12345678 → [telefoon]    …rust helpen ons. Bel haar op 06-12345678" in out
    rows = dict(line.split(",", 1) for line in key.read_text(encoding="utf-8").splitlines()[1:])
    assert rows["Marieke van den Berg"] == rows["Marieke"] == "Jeugdhulpverlener 1"
    assert rows["Haarlem"] == "[plaats]" and rows["Sint-Bavoschool Haarlem"] == "School A"
    code, _, err = run(capsys, "pseudonymise", "suggest", "--finder", "builtin", str(source), "-o", str(key))
    assert code != 0 and "exists" in err
    db = tmp_path / "s.db"
    code, _, err = run(capsys, "--db", str(db), "import", "--pseudonymise", str(key), str(source))
    assert code == 0, err
    assert leaks(db.read_bytes()) == []


def test_check_reports_a_name_typed_after_the_import_and_in_an_export(capsys, imported):
    db = imported.folder / "check.db"
    db.write_bytes(imported.after_close)
    export = write(imported.folder, "codings.csv", imported.exports["csv"])
    code, out, _ = run(capsys, "--db", str(db), "pseudonymise", "check", str(imported.key), str(export))
    assert code == 0 and "no name of" in out
    study = open_study(str(db))
    with study.session() as session:
        t = session.exec(select(Transcript)).one()
        add_coding(session, "anna", "flexibility", t.id, 3, 3, memo="Marieke belt de Sint-Bavoschool")
    study.close()
    old = write(imported.folder, "old.md", "Jan's klas")
    code, out, err = run(capsys, "--db", str(db), "pseudonymise", "check", str(imported.key), str(export), str(old))
    assert code == 1
    assert "found     'Marieke' in coding" in out and "memo: …Marieke belt de Sint-Bavoschool…" in out
    assert f"in {db}:" in out  # the file's own bytes
    assert f"'Jan's' in {old}" in out and str(export) not in out
