"""REFI-QDA project export (.qdpx): schema-valid, offsets in code points, memos as notes."""

from __future__ import annotations

import re
import zipfile

import xmlschema
from defusedxml import ElementTree

from coder.coding.actions import add_coding, set_memo
from coder.exchange.project_export import export_qdpx
from tests.conftest import REPO
from tests.test_cli import run

REFI = REPO / "tests" / "fixtures" / "refi-qda"
SCHEMAS = REPO / "coder" / "exchange" / "schemas"
NS = {"p": "urn:QDA-XML:project:1.0"}


def test_export_validates_and_every_selection_names_its_text(demo, tmp_path):
    with demo.session() as session:
        first = add_coding(session, "anna", "flexibility", 1, 6, 8)
        add_coding(session, "bram", "interdependence", 1, 6, 8, pass_="blind")
        add_coding(session, "anna", "mutual-trust", 1, 14, 14)
        set_memo(session, first.id, "twijfel: ook reflectie?", "anna")
    path = tmp_path / "demo.qdpx"
    with demo.session() as session:
        summary = export_qdpx(session, path)
    assert (summary.sources, summary.selections, summary.users, summary.notes) == (8, 3, 2, 1)
    with zipfile.ZipFile(path) as archive:
        document = archive.read("project.qde")
        texts = {name: archive.read(name) for name in archive.namelist() if name.startswith("Sources/")}
    assert not document.startswith(b"\xef\xbb\xbf") and b"\r" not in document
    xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(document.decode("utf-8"))
    root = ElementTree.fromstring(document)
    assert len(texts) == 8 and all(not t.startswith(b"\xef\xbb\xbf") and b"\r" not in t for t in texts.values())
    named = []
    for source in root.iterfind("p:Sources/p:TextSource", NS):
        text = texts[source.get("plainTextPath").replace("internal://", "Sources/")].decode("utf-8")
        for selection in source.iterfind("p:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            named.append(text[start:end] == selection.get("name"))
    assert named == [True] * 3
    notes = [n.find("p:PlainTextContent", NS).text for n in root.iterfind("p:Notes/p:Note", NS)]
    assert notes == ["twijfel: ook reflectie?"]
    users = {u.get("name") for u in root.iterfind("p:Users/p:User", NS)}
    assert users == {"anna", "bram"}
    school_types = {v.text for v in root.iterfind("p:Cases/p:Case/p:VariableValue/p:TextValue", NS)}
    assert {"po", "sbo", "so", "vso", "vo", "mbo"} <= school_types


def test_export_is_reproducible_and_has_a_command(capsys, demo, tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first, second = tmp_path / "one" / "demo.qdpx", tmp_path / "two" / "demo.qdpx"
    code, out, _ = run(capsys, "--db", demo.target, "export", "qdpx", "-o", str(first))
    assert code == 0 and "8 sources" in out
    run(capsys, "--db", demo.target, "export", "qdpx", "-o", str(second))
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        # the same study gives the same project; only the export time differs
        stamp = re.compile(rb' creationDateTime="[^"]*"')
        assert stamp.sub(b"", a.read("project.qde"), count=1) == stamp.sub(b"", b.read("project.qde"), count=1)
