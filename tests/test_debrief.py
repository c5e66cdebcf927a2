"""The peer-debriefing summary: its figures agree with `coder agreement` and the database,
every piece of text is escaped, and the HTML needs nothing outside itself."""

from __future__ import annotations

import json
import re
import string

import pytest
from sqlmodel import select

from coder.coding.actions import add_coding
from coder.coding.assignments import assign
from coder.coding.blind_pass import blind_queue, finish, toggle_blind_code
from coder.coding.queries import study_status
from coder.coding.review import accept_agreements, decide, review_items
from coder.report.debrief_data import build_debrief
from coder.report.debrief_html import render_html
from coder.report.debrief_markdown import escape, render_markdown
from coder.report.debrief_text import LABELS, LANGUAGES
from coder.storage.models import (
    Assignment,
    Code,
    Coding,
    Decision,
    Participant,
    Segment,
    Transcript,
    Turn,
)
from tests.conftest import write
from tests.test_cli import run


def test_agreement_figures_are_those_of_coder_agreement(capsys, coded_demo):
    _, out, _ = run(capsys, "--db", coded_demo.target, "agreement", "--json")
    expected = json.loads(out)
    with coded_demo.session() as session:
        debrief = build_debrief(session)
    assert debrief.coders == tuple(expected["coders"])
    assert debrief.report.units == expected["units"] and debrief.report.revealed == expected["revealed"]
    assert list(debrief.report.codes) == list(expected["codes"]) and len(expected["codes"]) == 4
    for code, stats in debrief.report.codes.items():
        assert stats.kappa == pytest.approx(expected["codes"][code]["kappa"])
        assert (list(stats.ci95) if stats.ci95 else None) == pytest.approx(expected["codes"][code]["ci95"])
    assert debrief.report.overall.kappa == pytest.approx(expected["overall"]["kappa"])
    assert vars(debrief.review) == expected["review"]
    document = render_markdown(debrief)
    kappa = f"{expected['codes']['flexibility']['kappa']:.2f}"
    assert f"| Flexibiliteit | {kappa} |" in document
    assert f"| Overall | {expected['overall']['kappa']:.2f} |" in document


def test_counts_come_from_the_final_coding_in_the_database(coded_demo):
    """Recount theme x school type from the tables: consensus codings, plus marieke's
    primary codings on fragments that were not decided in review."""
    with coded_demo.session() as session:
        debrief = build_debrief(session)
        status = study_status(session)
        live = session.exec(select(Coding).where(Coding.deleted_at.is_(None))).all()
        decided = {(a.transcript_id, a.first_segment_id, a.last_segment_id)
                   for a, d in session.exec(select(Assignment, Decision).join(Decision, Decision.assignment_id == Assignment.id))}
        theme = {c.id: (c.code_id if c.parent_id is None else session.get(Code, c.parent_id).code_id)
                 for c in session.exec(select(Code)).all()}
        school = {t.id: t.school_type for t in session.exec(select(Transcript)).all()}
        segments = {s.id: s for s in session.exec(select(Segment)).all()}
        speaker = {s.id: session.get(Participant, session.get(Turn, s.turn_id).participant_id) for s in segments.values()}
        by_position = {(s.transcript_id, s.position): s.id for s in segments.values()}
    final = [c for c in live if c.pass_ == "consensus"
             or (c.pass_ == "primary" and (c.transcript_id, c.first_segment_id, c.last_segment_id) not in decided)]
    fragments, people = {}, {}
    for c in final:
        key = (theme[c.code_id], school[c.transcript_id])
        fragments.setdefault(key, set()).add((c.transcript_id, c.first_segment_id, c.last_segment_id))
        first, last = segments[c.first_segment_id].position, segments[c.last_segment_id].position
        for position in range(first, last + 1):
            person = speaker[by_position[(c.transcript_id, position)]]
            if person.role != "interviewer":
                people.setdefault(key, set()).add(person.id)
    assert list(debrief.table) == ["interdependence", "new-activities", "flexibility", "reflection"]
    assert debrief.school_types == ("po", "sbo", "so", "vso", "vo", "mbo") and len(fragments) == 8
    expected = {t: {st: (len(fragments.get((t, st), ())), len(people.get((t, st), ()))) for st in debrief.school_types}
                for t in debrief.table}
    assert debrief.table == expected
    assert debrief.table["interdependence"]["so"] == (0, 0)  # nobody coded the so interview
    assert debrief.glance.status == status
    assert len(debrief.disputes) == sum(d.kind not in ("agreed", "added") for d in coded_demo_decisions(coded_demo))


def coded_demo_decisions(study) -> list[Decision]:
    with study.session() as session:
        return session.exec(select(Decision)).all()


SCRIPT = """\
---
title: School <script>alert("x")</script> & co
school_type: vo
participants:
  - {label: I, role: interviewer}
  - {label: M, role: mentor}
  - {label: J, role: youth-care-worker}
---
I: Hoe gaat het?
M: Wij doen alles samen <b>echt</b> & met plezier | zonder *sterren*.
J: Ik heb haar nodig, <img src=x onerror=alert(1)>.
"""


@pytest.fixture
def hostile(study, tmp_path):
    """A study (on each backend) whose transcript, memos and notes are full of markup, coded by two coders."""
    from coder.codebook.codebook_file import read_codebook
    from coder.codebook.study_codebook import apply_codebook
    from coder.ingest.importer import import_transcripts
    from tests.conftest import SHIPPED_CODEBOOK

    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "test")
    import_transcripts(study, [write(tmp_path, "vo.txt", SCRIPT)], "test")
    with study.session() as session:
        add_coding(session, "anna", "joint-actions", 1, 1, 1, memo="<script>memo</script> #debrief")
        add_coding(session, "anna", "interdependence", 1, 2, 2)
        assign(session, "anna", "bram", "lead")
    with study.session() as session:
        first, second = (i.assignment_id for i in blind_queue(session, "bram"))
        toggle_blind_code(session, "bram", first, "joint-actions")
        finish(session, "bram", first)
        toggle_blind_code(session, "bram", second, "flexibility")
        finish(session, "bram", second)
    with study.session() as session:
        accept_agreements(session, "bram", "anna", "bram")
        decide(session, "bram", second, "keep_a", note="<iframe> & ' \" #question")
        return build_debrief(session)


def test_html_escapes_every_piece_of_text(hostile):
    html = render_html(hostile)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html  # the transcript title
    assert "&lt;b&gt;echt&lt;/b&gt; &amp; met plezier" in html                   # a quote
    assert "&lt;script&gt;memo&lt;/script&gt;" in html                            # a flagged memo
    assert "&lt;iframe&gt; &amp; &#x27; &quot;" in html                           # a decision note


def test_markdown_escapes_markup_so_no_html_gets_through(hostile):
    md = render_markdown(hostile)
    assert not re.search(r"(?<!\\)<(script|img|iframe|b)\b", md)
    assert r"Wij doen alles samen \<b\>echt\</b\> \& met plezier \| zonder \*sterren\*." in md
    assert escape("a|b") == r"a\|b"


def test_html_references_nothing_outside_itself(hostile):
    html = render_html(hostile)
    assert not re.search(r"<(script|link|iframe|img|object|embed)\b", html)
    tags = re.findall(r"<[a-zA-Z][^>]*>", html)
    assert not [tag for tag in tags if re.search(r"\b(src|href)\s*=", tag)]
    assert "url(" not in html and "@import" not in html
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}  # a namespace name
    assert "<svg" in html and "@page { size: A4" in html


def test_labels_in_dutch_and_the_codebook_names_as_written(hostile):
    md = render_markdown(hostile, "nl")
    assert "# Samenvatting voor de peer-debriefing" in md and "## Open vragen" in md
    assert "Onderlinge afhankelijkheid" in md  # the codebook's own name, not translated
    assert "mentor" in md and "jeugdhulpverlener" in md


def placeholders(label: str) -> set[str]:
    """The `{name}` fields a label is formatted with (a stray brace makes this raise)."""
    return {name for _, name, _, _ in string.Formatter().parse(label) if name is not None}


def test_the_english_and_dutch_labels_say_the_same_things():
    """Every label exists in both languages, none is blank, and each takes the same fields:
    a missing key or field is a KeyError only when that part of the summary is written."""
    assert set(LABELS) == set(LANGUAGES) == {"en", "nl"}
    english, dutch = LABELS["en"], LABELS["nl"]
    assert sorted(set(english) ^ set(dutch)) == []
    assert [(lang, key) for lang in LANGUAGES for key, label in LABELS[lang].items() if not label.strip()] == []
    assert {key: placeholders(label) for key, label in dutch.items()} == {
        key: placeholders(label) for key, label in english.items()}
    assert placeholders(english["sample"]) == {"assigned", "a", "fragments", "b", "finished", "revealed"}


def test_command_line_writes_the_format_the_file_asks_for(capsys, coded_demo, tmp_path):
    target = ("--db", coded_demo.target)
    (tmp_path / "out").mkdir()
    written = tmp_path / "out" / "summary.html"
    code, _, err = run(capsys, *target, "export", "debrief", "-o", str(written), "--lang", "nl")
    assert code == 0 and "summary.html" in err
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert list(written.parent.iterdir()) == [written]  # no temporary file left behind
    code, out, _ = run(capsys, *target, "export", "debrief", "--level", "code")
    assert code == 0 and out.startswith("# Peer-debriefing summary") and "| Code | Kappa |" in out


async def test_the_workbench_exports_the_summary(coded_demo, tmp_path):
    from textual.widgets import Input

    from coder.tui.actions import ActionDone
    from coder.tui.app import WorkbenchApp
    from coder.tui.pilot import drive
    from coder.tui.screens.study import StudyRead

    app = WorkbenchApp(coded_demo, "lead")
    async with drive(app, size=(140, 40)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("e")
        app.screen.query_one("#debrief-path", Input).value = str(tmp_path / "debrief.md")
        await pilot.press("ctrl+s", until=ActionDone)
    assert (tmp_path / "debrief.md").read_text(encoding="utf-8").startswith("# Peer-debriefing summary")


def test_markdown_renders_as_commonmark_with_tables(hostile):
    """Rendered by a CommonMark parser with GitHub tables (markdown-it, as GitHub and
    pandoc read it): every table keeps its columns and escaped text comes out literal."""
    from markdown_it import MarkdownIt

    from coder.report.debrief_text import Table, summary_blocks

    html = MarkdownIt("commonmark").enable("table").render(render_markdown(hostile))
    tables = [b for b in summary_blocks(hostile, "en") if isinstance(b, Table)]
    assert len(tables) == 7 and html.count("<table>") == len(tables)
    for table, rendered in zip(tables, re.findall(r"<table>.*?</table>", html, re.S), strict=True):
        rows = re.findall(r"<tr>(.*?)</tr>", rendered, re.S)
        assert len(rows) == len(table.rows) + 1
        assert all(len(re.findall(r"<t[hd][ >]", row)) == len(table.header) for row in rows)
    assert "Wij doen alles samen &lt;b&gt;echt&lt;/b&gt; &amp; met plezier | zonder *sterren*." in html
    assert "<script" not in html and "<img" not in html


def test_the_demo_summary_reads_its_figures_at_a_glance(coded_demo):
    """The coded demo: a theme one coder never gave reads undefined, clipped intervals say so,
    alpha gives its reason, the review and the unitizing line stand beside kappa, in both languages."""
    with coded_demo.session() as session:
        debrief = build_debrief(session)
    md = render_markdown(debrief)
    assert "| Nieuw gecreëerde professionele activiteiten | — | — | 0.93 | undefined: only one coder used it | 15 |" in md
    assert "| Onderlinge afhankelijkheid | 0.73 | 0.39 – 1.00 | 0.87 | substantial | 15 | interval clipped to \\[−1, 1\\] |" in md
    assert "-0.00" not in md and "1.08" not in md
    assert "Krippendorff's alpha — (not defined for pooled tables)" in md
    assert "Fragments whose boundaries were adjusted (bijgesteld): 1; fragments marieke had missed, added in review" in md
    assert debrief.unitizing is not None and len(debrief.unitizing.data.documents) == 2
    assert f"Krippendorff's αu {debrief.unitizing.alpha_u.overall:.2f} (per theme: Onderlinge afhankelijkheid" in md
    assert "This summary covers the coder pair marieke (first coder) and sander (second coder)." in md
    assert "coder pairs" not in md  # one pair: nothing else to choose
    nl = render_markdown(debrief, "nl")
    assert "niet gedefinieerd: maar één codeur gebruikte hem" in nl and "interval afgekapt op" in nl
    assert "Krippendorffs αu" in nl and "Krippendorffs alfa — (niet gedefinieerd voor gepoolde tabellen)" in nl
    assert "<svg" in render_html(debrief, "nl")


def test_each_pair_has_its_own_summary_and_the_summary_says_which(sample):
    """With two second coders on the same fragments, the final coding of a pair's summary is its
    own consensus, not the other pair's, and the summary names the pairs and what covers which."""
    study, t = sample
    with study.session() as session:
        add_coding(session, "anna", "flexibility", t, 2, 3)
        add_coding(session, "anna", "reflection", t, 4, 5)
        assign(session, "anna", "bram", "lead")
        assign(session, "anna", "carla", "lead")
    with study.session() as session:
        for coder, code in (("bram", None), ("carla", "interdependence")):
            for item, theme in zip(blind_queue(session, coder), ("flexibility", "reflection"), strict=True):
                toggle_blind_code(session, coder, item.assignment_id, code or theme)
                finish(session, coder, item.assignment_id)
    with study.session() as session:
        accept_agreements(session, "bram", "anna", "bram")
        for item in review_items(session, "anna", "carla"):
            decide(session, "carla", item.assignment_id, "take_b")
    with study.session() as session:
        bram = build_debrief(session, coders=("anna", "bram"))
        carla = build_debrief(session, coders=("anna", "carla"))
    assert bram.table["flexibility"]["po"][0] == 1 and bram.table["reflection"]["po"][0] == 1
    assert bram.table["interdependence"]["po"][0] == 0
    assert carla.table["interdependence"]["po"][0] == 2 and carla.table["flexibility"]["po"][0] == 0
    assert bram.pairs == (("anna", "bram"), ("anna", "carla"))
    md = render_markdown(carla)
    assert "covers the coder pair anna (first coder) and carla (second coder)" in md
    assert "The study has 2 coder pairs (anna and bram, anna and carla)" in md
    assert "the memos and the open questions cover the whole study" in md
    assert "Caution: only 2 units were compared" in md
