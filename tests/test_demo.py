"""The demo study shows the whole method: its recorded coding is replayed through the core."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlmodel import select

from coder.codebook.codebook_file import read_codebook
from coder.codebook.study_codebook import apply_codebook
from coder.coding.blind_pass import REVEALED, blind_queue
from coder.coding.review import review_items
from coder.demo.demo_study import DEMO_CODING, data_dir
from coder.demo.recorded_coding import DemoCodingError, load_demo_coding
from coder.ingest.importer import import_transcripts
from coder.storage.models import Coding, Decision
from tests.conftest import SAMPLE_TRANSCRIPTS, SHIPPED_CODEBOOK
from tests.test_cli import run


def test_the_demo_has_a_primary_pass_a_blind_sample_and_a_review(coded_demo):
    with coded_demo.session() as session:
        live = Counter((c.pass_, c.coder_id) for c in session.exec(select(Coding).where(Coding.deleted_at.is_(None))))
        queue = blind_queue(session, "sander")
        items = review_items(session, "marieke", "sander")
        kinds = Counter(d.kind for d in session.exec(select(Decision)))
    assert live[("primary", 1)] == 32
    assert len(queue) == 16 and [i.state for i in queue].count(REVEALED) == 1
    assert all(not i.pending for i in queue)
    assert len(items) == 16 and all(i.decision is not None for i in items)
    assert kinds == {"agreed": 10, "keep_a": 3, "take_b": 1, "both": 1, "other": 1, "added": 1}
    assert sum(i.adjusted for i in items) == 1


def test_the_demo_agreement_is_on_the_blind_sample(capsys, coded_demo):
    code, out, _ = run(capsys, "--db", coded_demo.target, "agreement", "--json")
    report = json.loads(out)
    assert code == 0 and report["coders"] == ["marieke", "sander"]
    assert (report["units"], report["revealed"], report["excluded"]) == (15, 1, 16)
    assert report["overall"]["kappa"] is not None


def test_a_quote_that_is_not_in_the_transcript_names_the_line_and_writes_nothing(empty, tmp_path):
    with empty.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "test")
    import_transcripts(empty, [SAMPLE_TRANSCRIPTS], "test")
    text = (data_dir("demo") / DEMO_CODING).read_text(encoding="utf-8")
    broken = tmp_path / "coding.yaml"
    broken.write_text(text.replace("Ze nemen ons serieus.", "Ze nemen ons niet serieus."), encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "Ze nemen ons serieus." in row)
    with pytest.raises(DemoCodingError, match=rf"coding.yaml:{line}: the quote is not in"):
        load_demo_coding(empty, broken)
    with empty.session() as session:
        assert session.exec(select(Coding)).all() == []


async def test_a_newcomer_sees_agreement_and_review_in_the_demo_workbench(coded_demo):
    from textual.widgets import DataTable, Static

    from coder.demo.demo_study import DEMO_CODER
    from coder.tui.app import WorkbenchApp
    from coder.tui.pilot import drive
    from coder.tui.screens.agreement import AgreementComputed, AgreementScreen
    from coder.tui.screens.review import FragmentRead, ReviewScreen
    from coder.tui.screens.study import StudyRead

    app = WorkbenchApp(coded_demo, DEMO_CODER)
    async with drive(app, size=(160, 45)) as pilot:
        await pilot.wait_for(StudyRead)
        table = app.screen.query_one("#transcripts", DataTable)
        assert table.get_row_at(0)[-1] == "10/10"  # reviewed fragments of the first interview
        await pilot.press("a", until=AgreementComputed)
        assert isinstance(app.screen, AgreementScreen)
        summary = str(app.screen.query_one("#agreement-summary", Static).render())
        assert "marieke vs sander · 15 units" in summary and "1 revealed" in summary
        await pilot.press("escape", "v", until=FragmentRead)
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.query_one("#review-items", DataTable).row_count == 7  # the disputed ones, the added one
        detail = str(app.screen.query_one("#review-detail", Static).render())
        assert "decision (sander)" in detail


def test_a_broken_demo_file_is_one_clear_message(empty, tmp_path):
    broken = tmp_path / "coding.yaml"
    broken.write_text("first_coder: a\nsecond_coder: [b\n", encoding="utf-8")
    with pytest.raises(DemoCodingError, match=r"coding.yaml:\d+: not valid YAML"):
        load_demo_coding(empty, broken)
    broken.write_text("first_coder: a\ntranscripts: {}\n", encoding="utf-8")
    with pytest.raises(DemoCodingError, match="lacks the key 'second_coder'"):
        load_demo_coding(empty, broken)
