"""A coding day on the workbench (issue #17), at 100×30 and at 160×48: what the screen shows.

Every test starts from a copy of the coded demo study, marieke's and sander's recorded
work (the `day` fixture in `tests/conftest.py`).
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from coder.coding.blind_pass import blind_queue, finish, first_codes, toggle_blind_code
from coder.coding.queries import transcript_codings
from coder.coding.review import review_items
from coder.errors import StudyError
from coder.stats.units import code_names
from coder.tui.actions import ActionDone
from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.agreement import AgreementComputed, AgreementScreen, DisagreementsRead
from coder.tui.screens.blind_coding import QueueRead
from coder.tui.screens.coding import CodingScreen, TranscriptOpened
from coder.tui.screens.dialogs import AssignDialog, CodePicker, HelpDialog, MemoDialog
from coder.tui.screens.review import FragmentRead
from coder.tui.screens.study import StudyRead, StudyScreen
from coder.tui.widgets.codebook_panel import CodebookPanel
from coder.tui.widgets.transcript_pane import TranscriptPane
from tests.workbench_helpers import NARROW, WIDE, at_first_codable_segment, footer, shown

# --- 1: a reveal shows the first coder's codes -------------------------------------------


async def test_a_reveal_shows_the_first_coders_codes_and_says_the_fragment_is_final(day):
    with day.session() as session:
        queue = blind_queue(session, "lotte")
        item = queue[0]
    app = WorkbenchApp(day, "lotte")
    async with drive(app, size=NARROW) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("b", until=QueueRead)
        assert "R Reveal" in footer(app) and "Fragment 1 of" in shown(app)
        assert not app.screen.query_one("#blind-theirs").display  # nothing of marieke's before the reveal
        await pilot.press("R", "y", until=ActionDone)
        with day.session() as session:
            theirs, names = first_codes(session, "lotte", item.assignment_id), code_names(session)
        screen = shown(app)
        assert theirs and f"marieke's codes: {names[theirs[0][0]]}" in screen
        assert "R Reveal" not in footer(app) and "x No code" not in footer(app)
        assert "final · enter next pending fragment" in screen
        await pilot.press("1")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any(m.startswith(f"Fragment 1 of {len(queue)} is revealed") for m in said)
        assert not any("fragment " + str(item.assignment_id) in m for m in said)  # never the internal id


async def test_ending_the_queue_on_a_reveal_still_leads_to_the_agreement(day):
    with day.session() as session:
        queue = blind_queue(session, "lotte")
        for item in queue[:-1]:
            toggle_blind_code(session, "lotte", item.assignment_id, "interdependence")
            finish(session, "lotte", item.assignment_id)
    with day.session() as session, pytest.raises(StudyError, match="finish or reveal this fragment first"):
        first_codes(session, "lotte", queue[-1].assignment_id)  # the core refuses to show them early
    app = WorkbenchApp(day, "lotte")
    async with drive(app, size=WIDE) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("b", until=QueueRead)
        assert f"Fragment {len(queue)} of {len(queue)}" in shown(app)
        await pilot.press("R", "y", until=ActionDone)
        assert "enter opens the agreement" in shown(app)
        await pilot.press("enter", until=AgreementComputed)
        assert isinstance(app.screen, AgreementScreen)
        # 8: in the review, a revealed fragment without B's codes is never taken as "no code" silently
        await pilot.press("escape", "escape", until=StudyRead)  # the agreement, then the queue
        await pilot.press("v", until=FragmentRead)
        table = app.screen.query_one("#review-items", DataTable)
        row = table.get_row_index(str(queue[-1].assignment_id))
        assert str(table.get_row_at(row)[3]) == "revealed"
        table.move_cursor(row=row)
        await pilot.wait_for(FragmentRead)
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(app.screen, MemoDialog)
        assert any("lotte revealed marieke's codes" in n.message for n in app._notifications)


# --- 2: the study table fits the terminal and keeps the cursor ---------------------------


async def test_the_study_table_shows_every_column_and_keeps_the_cursor(day):
    app = WorkbenchApp(day, "marieke")
    async with drive(app, size=WIDE) as pilot:
        await pilot.wait_for(StudyRead)
        for size in (WIDE, NARROW):  # the table is fitted again when the terminal changes
            await pilot.resize_terminal(*size)
            await pilot.pause(0.2)
            screen = shown(app)
            header = screen.splitlines()[2]
            for title in ("Transcript", "Type", "School", "Words", "Segments", "Coded", "Reviewed"):
                assert title in header
            assert "1836" in screen and "marieke 29% · sander 21%" in screen and "10/10" in screen  # numbers whole
            assert max(len(line.rstrip()) for line in screen.splitlines()[2:11]) <= size[0]
        await pilot.press("down", "down", "down", "enter", until=TranscriptOpened)
        await pilot.press("q", until=StudyRead)
        assert isinstance(app.screen, StudyScreen)
        assert app.screen.query_one("#transcripts", DataTable).cursor_row == 3
        await pilot.press("A", "tab", *"bram")  # point 12: the assign form keeps its labels once filled
        await pilot.pause()
        assert isinstance(app.screen, AssignDialog)
        form = shown(app)
        assert "Second coder (B), who codes them blind" in form and "bram" in form
        assert "Seed of the random sample" in form


# --- 3: narrow terminals -----------------------------------------------------------------


async def test_the_transcript_keeps_its_width_and_the_review_list_its_codes(day):
    from coder.coding.review import add_missed

    with day.session() as session:
        added = add_missed(session, "sander", 1, 30, 31, ("feedback",), "missed")
    app = WorkbenchApp(day, "sander")
    async with drive(app, size=NARROW) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("enter", until=TranscriptOpened)
        pane = app.screen.query_one(TranscriptPane)
        assert pane.size.width >= 60
        assert "Reflectie op het proces" in shown(app) and "4.3" in shown(app)  # theme 4 and its elements
        assert "esc Back" in footer(app)  # the footer fits
        await pilot.press("p")
        await pilot.pause()
        assert not app.screen.query_one(CodebookPanel).display and pane.size.width == NARROW[0]
        await pilot.press("p")
        await pilot.resize_terminal(*WIDE)
        await pilot.pause(0.2)
        assert app.screen.query_one(CodebookPanel).display
        assert "J youth-care-worker" in shown(app)  # speaker labels whole at 160 columns
        await pilot.press("q", until=StudyRead)
        await pilot.press("v", until=FragmentRead)
        table = app.screen.query_one("#review-items", DataTable)
        widths = {str(column.label): column.width for column in table.ordered_columns}
        assert widths["marieke"] >= 20 and widths["sander"] >= 20
        assert "Onderlinge afhankelijkh" in shown(app)  # codes by their codebook names
        assert "took sander's" in shown(app)  # decisions in words
        # 8: a decision moves on to the next fragment, and a revealed fragment has no B's codes to take
        assert table.cursor_row == 0
        await pilot.press("a")
        assert isinstance(app.screen, MemoDialog)
        await pilot.press("ctrl+s", until=ActionDone)
        assert table.cursor_row == 1 and str(table.get_row_at(0)[4]).startswith("✓ kept marieke's")
        await pilot.press("c", "tab", "down", "tab")  # c gives more than one code
        assert "✓ Wederzijds vertrouwen" in shown(app)
        await pilot.press("enter")
        assert isinstance(app.screen, MemoDialog)
        await pilot.press("ctrl+s", until=ActionDone)
        with day.session() as session:
            decided = review_items(session, "marieke", "sander")
        second = next(i for i in decided if str(i.assignment_id) == table.coordinate_to_cell_key((1, 0)).row_key.value)
        assert second.decision.kind == "other" and second.decision.codes == ("interdependence", "mutual-trust")
        row = table.get_row_index(f"added-{added.id}")  # an added fragment is listed too
        assert [str(cell) for cell in table.get_row_at(row)[1:]] == ["31–32", "—", "—", "✓ added: Feedback"]
        table.move_cursor(row=row)
        await pilot.wait_for(FragmentRead)
        assert "added by sander (aangevuld): Feedback" in shown(app)
        assert app.screen.query_one(TranscriptPane).selection == (30, 31)


# --- 4: core elements by keyboard, and by name -------------------------------------------


async def test_core_elements_have_keys_and_a_fragment_shows_its_codes_by_name(day):
    app = WorkbenchApp(day, "lotte")
    async with drive(app, size=NARROW) as pilot:
        pane, first = await at_first_codable_segment(app, pilot)
        await pilot.press("1", until=ActionDone)
        done = await pilot.press("e", "1", "2", until=ActionDone)  # theme 1, its second element
        assert done.result == "applied Gedeelde normen"
        with day.session() as session:
            codes = {c.code_id for c in transcript_codings(session, pane.view.id, "lotte")}
        assert codes == {"interdependence", "shared-norms"}
        line = next(line for line in shown(app).splitlines() if "▌▏" in line)  # a thick bar and a thin one
        assert "Onderl" in line and "Gedeel" in line  # both names, shortened to fit
        await pilot.press("c")
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"gedeelde normen")
        await pilot.pause()
        assert "remove Gedeelde normen  [e 1 2]" in shown(app)
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpDialog)
        help_text = shown(app)
        assert ">" in help_text and "greater_than_sign" not in help_text and "e 1 2" in help_text
        # 6: an undo says what it undid, and waits before changing a transcript off screen
        here = pane.view
        await pilot.press("escape", "right_square_bracket", until=TranscriptOpened)
        held = await pilot.press("u", until=ActionDone)
        assert held.result.said.startswith(f"The last action to undo is in {here.title}: applied Gedeelde normen")
        with day.session() as session:
            assert len(transcript_codings(session, here.id, "lotte")) == 2  # nothing changed yet
        done = await pilot.press("u", until=ActionDone)
        assert done.result == f"undid: applied Gedeelde normen on segment {first + 1} in {here.title}"
        with day.session() as session:
            assert [c.code_id for c in transcript_codings(session, here.id, "lotte")] == ["interdependence"]


# --- 7: one numbering --------------------------------------------------------------------


async def test_the_agreement_screen_numbers_segments_as_the_coding_screen_does(day):
    with day.session() as session:
        item = next(i for i in review_items(session, "marieke", "sander")
                    if i.first == i.last and not i.agreed and "interdependence" in i.b.codes)
    app = WorkbenchApp(day, "marieke")
    async with drive(app, size=WIDE) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("a", until=DisagreementsRead, where=lambda read: read.code == "interdependence")
        listed = shown(app)
        assert f"segment {item.first + 1}: " in listed  # as the coding screen's status line numbers it
        assert f"segments {item.first}–{item.first}" not in listed
        await pilot.press("escape", until=StudyRead)
        app.push_screen(CodingScreen(day, "marieke", item.transcript_id))
        await pilot.wait_for(TranscriptOpened)
        app.screen.query_one(TranscriptPane).set_cursor(item.first)
        await pilot.pause()
        assert f"segment {item.first + 1} of" in shown(app)


# --- 12: names, keys and dialogs ---------------------------------------------------------


def test_the_log_numbers_segments_as_the_screens_do(day):
    from click.testing import CliRunner

    from coder.cli.app import cli as main
    from coder.coding.actions import add_coding

    with day.session() as session:
        add_coding(session, "lotte", "reflection", 1, 18, 20)  # segments 19–21 on every screen
    out = CliRunner().invoke(main, ["--db", day.target, "log", "--kind", "coding.add", "--coder", "lotte"]).output
    assert "first=19 last=21" in out
    as_json = CliRunner().invoke(main, ["--db", day.target, "log", "--kind", "coding.add", "--coder", "lotte",
                                        "--json"]).output
    assert '"first": 19, "last": 21' in as_json


def test_element_keys_follow_the_codebook_and_stop_at_ten_per_theme():
    from coder.codebook.study_codebook import typed_keys
    from coder.storage.models import Code

    theme = Code(id=1, code_id="t", name="T", key="4")
    keyed = Code(id=2, code_id="own", name="Own", key="7", parent_id=1)  # its own digit stays its key
    elements = [Code(id=10 + i, code_id=f"e{i}", name=f"E{i}", parent_id=1) for i in range(11)]
    loose = Code(id=99, code_id="loose", name="Loose")  # no digit, no theme with one: reached by c only
    keys = typed_keys([theme, keyed, *elements, loose])
    assert keys["t"] == "4" and keys["own"] == "7"
    assert [keys.get(f"e{i}") for i in range(11)] == [f"4.{d}" for d in "234567890"] + [None, None]
    assert "loose" not in keys
