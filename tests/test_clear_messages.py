"""Bad input is a message naming the file (and line) and what to do, never a traceback (issue #19.12).

Each case was first run as found; those already answered well are kept here so they stay so.
A broken Word file and a turn of a million characters are in `test_bombs.py`.
"""

from __future__ import annotations

import os
import signal
import time
import zipfile
from multiprocessing import get_context
from pathlib import Path

import pytest
from sqlmodel import select

from coder.exchange.project_import import import_qdpx
from coder.ingest.importer import DUPLICATE, import_transcripts
from coder.ingest.segmentation import segment_texts
from coder.ingest.workers import forked_map
from coder.storage.database import open_study
from coder.storage.models import Code, Coding, Transcript
from tests.conftest import SHIPPED_CODEBOOK, TRANSCRIPT, write
from tests.test_cli import run


def refused(capsys, *args: str) -> str:
    """Run `coder ARGS`, which must fail with one line on stderr; return that line."""
    code, _, err = run(capsys, *args)
    assert code == 1, err
    assert "Traceback" not in err and err.startswith("coder: error: "), err
    return err.strip()


def qdc(codes: str) -> str:
    return f'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>'


GUID = "11111111-1111-1111-1111-111111111111"


@pytest.fixture
def sqlite_study(tmp_path) -> str:
    target = str(tmp_path / "s.db")
    open_study(target).close()
    return target


@pytest.mark.parametrize(("content", "message"), [
    (qdc('<Code name="a">' * 40 + "</Code>" * 40), "codes nested more than 32 levels deep"),
    (qdc(f'<Code guid="{GUID}" name="a"/><Code guid="{{{GUID.upper()}}}" name="b"/>'),
     f"codes 'a' and 'b' share the GUID {GUID}"),
    (qdc('<Code name="a"><Description>x\n[coder] id=Bad Id!</Description></Code>'),
     "code 'a': code id 'Bad Id!' must be lower case"),
    (qdc('<Code name="a"><Description>x\n[coder] id=a; key=12</Description></Code>'),
     "code 'a': key of 'a' must be one digit 0-9, not '12'"),
    (qdc('<Code name="a"><Description>x\n[coder] id=' + "a" * 121 + "</Description></Code>"),
     "is 121 characters long; a study keeps at most 120"),
])
def test_a_qdc_codebook_is_checked_as_a_yaml_one(tmp_path, capsys, sqlite_study, content, message):
    path = write(tmp_path, "codes.qdc", content)
    assert message in refused(capsys, "--db", sqlite_study, "codebook", "load", str(path))
    with open_study(sqlite_study).session() as session:
        assert session.exec(select(Code)).all() == []


def test_a_yaml_codebook_with_a_shared_guid_or_an_over_long_name_names_the_line(tmp_path, capsys, sqlite_study):
    twice = write(tmp_path, "twice.yaml", f"codes:\n  - id: a\n    name: A\n    guid: {GUID}\n"
                                          f"  - id: b\n    name: B\n    guid: {GUID}\n")
    assert "twice.yaml:7: duplicate guid" in refused(capsys, "--db", sqlite_study, "codebook", "load", str(twice))
    long = write(tmp_path, "long.yaml", "codes:\n  - id: a\n    name: " + "N" * 256 + "\n")
    assert "long.yaml:3: the name of 'a' is 256 characters long" in refused(
        capsys, "--db", sqlite_study, "codebook", "load", str(long))


def test_folders_where_files_belong(tmp_path, capsys, sqlite_study):
    folder = tmp_path / "map"
    folder.mkdir()
    assert "map: is a folder; name the codebook file in it" in refused(
        capsys, "--db", sqlite_study, "codebook", "load", str(folder))
    (tmp_path / "codes.qdc").mkdir()
    assert "codes.qdc: is a folder; name the .qdc file in it" in refused(
        capsys, "--db", sqlite_study, "codebook", "load", str(tmp_path / "codes.qdc"))
    for command in (["status"], ["import", str(write(tmp_path, "t.txt", TRANSCRIPT))]):
        assert f"{folder} is a folder; name a study file in it" in refused(capsys, "--db", str(folder), *command)
    assert "missing/x.qdc: cannot write it: No such file or directory" in refused(
        capsys, "--db", sqlite_study, "codebook", "export", "-o", str(tmp_path / "missing" / "x.qdc"))


def test_messages_that_were_already_clear(tmp_path, capsys, sqlite_study):
    impossible = write(tmp_path, "datum.txt", TRANSCRIPT.replace("2023-03-14", "2023-02-30"))
    assert "datum.txt:5: front matter holds an impossible value" in refused(
        capsys, "--db", sqlite_study, "import", str(impossible))
    assert "cannot open mysql:// studies" in refused(capsys, "--db", "mysql://u@h/db", "status")
    assert "PostgreSQL" not in refused(capsys, "--db", "mysql://u@h/db", "status").split(":", 3)[-1][:20]


def project(path: Path, selection: str, stored: bool = False) -> Path:
    xml = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>'
           f'<TextSource guid="{GUID}" name="s"><PlainTextContent>A: hallo daar.</PlainTextContent>'
           f"{selection}</TextSource></Sources></Project>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
    return path


def test_a_project_with_a_bad_start_position_or_a_bad_crc(tmp_path, capsys, sqlite_study):
    bad = '<PlainTextSelection guid="24444444-4444-4444-4444-444444444444" startPosition="x" endPosition="5"/>'
    code, _, err = run(capsys, "--db", sqlite_study, "import", str(project(tmp_path / "pos.qdpx", bad)))
    # imported as far as it can be, with a warning that names the bad value (a selection that
    # cannot be placed is counted as not placed, see test_lossless_exchange)
    assert code == 0 and "'startPosition': 'x' is not a valid value" in err
    damaged = project(tmp_path / "crc.qdpx", "", stored=True)
    damaged.write_bytes(damaged.read_bytes().replace(b"hallo", b"Hallo"))
    assert "crc.qdpx: refused: project.qde is damaged" in refused(capsys, "--db", sqlite_study, "import", str(damaged))


def test_a_project_source_with_nul_characters_is_refused(tmp_path, empty):
    path = tmp_path / "nul.qdpx"
    xml = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>'
           f'<TextSource guid="{GUID}" name="s" plainTextPath="internal://a.txt"/></Sources></Project>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr("Sources/a.txt", b"A: hallo\x00daar.")
    with pytest.raises(Exception, match="source 's' holds NUL characters"):
        import_qdpx(empty, path, "test")


def test_values_a_study_cannot_hold_are_refused_alike_on_both_backends(tmp_path, capsys, db_target):
    """PostgreSQL refuses what SQLite takes (a title past VARCHAR(255), a NUL): the readers check first."""
    assert run(capsys, "--db", db_target, "init", "--codebook", str(SHIPPED_CODEBOOK))[0] == 0
    title = write(tmp_path, "titel.txt", TRANSCRIPT.replace("title: Proefinterview", "title: " + "T" * 256))
    assert "titel.txt: the title is 256 characters long; a study keeps at most 255" in refused(
        capsys, "--db", db_target, "import", str(title))
    assert run(capsys, "--db", db_target, "import", str(write(tmp_path, "t.txt", TRANSCRIPT)))[0] == 0
    nul = write(tmp_path, "nul.csv", "transcript,first,last,code,memo\nProefinterview,3,3,interdependence,a\x00b\n")
    assert "nul.csv:2: the memo holds a NUL character" in refused(capsys, "--db", db_target, "--as", "anna",
                                                                   "code", str(nul))
    ok = write(tmp_path, "ok.csv", "transcript,first,last,code\nProefinterview,3,3,interdependence\n")
    assert "the coder name 'xxxx" in refused(capsys, "--db", db_target, "--as", "x" * 121, "code", str(ok))
    long_id = write(tmp_path, "cb.yaml", "codes:\n  - id: " + "a" * 121 + "\n    name: x\n")
    assert "cb.yaml:2: code id" in refused(capsys, "--db", db_target, "codebook", "load", str(long_id))
    study = open_study(db_target)
    with study.session() as session:
        assert session.exec(select(Coding)).all() == []
        assert [t.title for t in session.exec(select(Transcript))] == ["Proefinterview"]
    study.close()


@pytest.mark.parametrize("in_workers", [False, True], ids=["one process", "workers"])
def test_the_same_file_imported_by_another_process_meanwhile_is_skipped(tmp_path, db_target, in_workers, monkeypatch):
    """The other import stores the file after this one looked for it and before it writes: the
    unique content hash refuses the write, and the import goes on without that file. In
    workers, the first run of files is refused as it is written, and the rest still read."""
    from coder.ingest import workers

    if in_workers:
        monkeypatch.setattr(workers, "TEXT_PER_WORKER", 1)
    open_study(db_target).close()
    first = write(tmp_path, "a.txt", TRANSCRIPT)
    others = [write(tmp_path, f"{n}.txt", TRANSCRIPT.replace("Goed", word)) for n, word in enumerate(["Fijn", "Prima", "Mooi"])]
    study, other = open_study(db_target), open_study(db_target)

    def meanwhile(name: str, done: int, total: int) -> None:
        if name == first.name:
            import_transcripts(other, [first], "bram")

    try:
        report = import_transcripts(study, [first, *others], "anna", progress=meanwhile)
        assert [title for title, _ in report.imported] == ["Proefinterview"] * 3
        assert (str(first), DUPLICATE) in report.skipped
        with study.session() as session:
            assert len(session.exec(select(Transcript)).all()) == 4
    finally:
        study.close()
        other.close()


#: Set in the process that imports forever, so that its forked workers inherit it.
_ready = None


def _segment_forever(_texts) -> None:
    """A worker's share of an import that never ends."""
    _ready.set()
    time.sleep(60)


def _import_forever(ready) -> None:
    global _ready
    _ready = ready
    for _ in forked_map(_segment_forever, [["Ja."], ["Nee."]], processes=2):
        pass


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_import_workers_end_when_the_import_is_killed():
    segment_texts(["Ja."]).__next__()  # the pipeline, built before forking as an import does
    context = get_context("fork")
    ready = context.Event()
    importer = context.Process(target=_import_forever, args=(ready,))
    importer.start()
    assert ready.wait(30)
    deadline = time.monotonic() + 10
    while not (workers := _children(importer.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers
    os.kill(importer.pid, signal.SIGKILL)
    importer.join()
    deadline = time.monotonic() + 10
    try:
        while any(_state(pid) != "Z" for pid in workers):
            assert time.monotonic() < deadline, f"workers {workers} outlived the killed import"
            time.sleep(0.05)
    finally:  # a worker left behind would hold the test run's output open
        for pid in workers:
            if _state(pid) != "Z":
                os.kill(pid, signal.SIGKILL)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "Z"
