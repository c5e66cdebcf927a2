"""The workbench, driven for real with Textual's Pilot."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from coder.tui.app import WorkbenchApp
from coder.tui.pilot import drive
from coder.tui.screens.agreement import AgreementComputed, DisagreementsRead, NoAgreement
from coder.tui.screens.study import Filtered, StudyRead, StudyScreen


async def test_study_screen_lists_the_demo_transcripts(demo):
    study = demo
    app = WorkbenchApp(study)
    async with drive(app, size=(120, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        table = screen.query_one("#transcripts", DataTable)
        assert table.row_count == 8
        types = [table.get_row_at(i)[1] for i in range(table.row_count)]
        assert types == ["po", "po", "po", "sbo", "so", "vso", "vo", "mbo"]
        summary = str(screen.query_one("#study-summary", Static).render())
        assert "8 transcripts" in summary and "16 codes" in summary
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("q")
    assert app.return_code == 0


async def test_the_study_lists_objects_are_kept_out_of_the_collectors_passes_while_it_runs(demo):
    import gc

    app = WorkbenchApp(demo)
    async with drive(app, size=(120, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.pause()
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0  # and the collector's again once the app ends


async def test_a_read_that_began_before_the_one_shown_does_not_replace_it(demo):
    """A load started as a form closed can arrive after the correction's own reread: it holds
    the study as it was before, and the list must keep the correction."""
    from dataclasses import replace

    app = WorkbenchApp(demo)
    async with drive(app, size=(120, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        screen = app.screen
        table = screen.query_one("#transcripts", DataTable)
        screen.post_message(StudyRead(replace(screen.shown, rows=screen.shown.rows[:1], read=screen.shown.read - 1)))
        await pilot.wait_for(StudyRead)
        assert table.row_count == 8


async def test_agreement_screen_shows_kappa_2x2_and_disagreements(demo):
    from textual.widgets import OptionList

    from coder.coding.actions import add_coding
    from coder.tui.screens.agreement import AgreementScreen

    study = demo
    with study.session() as session:
        for first, a_code, b_code in ((6, "flexibility", "flexibility"), (8, "reflection", "interdependence"),
                                      (10, "mutual-trust", "interdependence"), (14, "reflection", "reflection")):
            add_coding(session, "anna", a_code, 1, first, first + 1)
            add_coding(session, "bram", b_code, 1, first, first + 1, pass_="blind")
    app = WorkbenchApp(study)
    async with drive(app, size=(160, 40)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("a", until=DisagreementsRead)
        screen = app.screen
        assert isinstance(screen, AgreementScreen)
        table = screen.query_one("#agreement-codes", DataTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == [  # codes by their codebook names
            "Onderlinge afhankelijkheid", "Nieuw gecreëerde professionele activiteiten", "Flexibiliteit",
            "Reflectie op het proces"]
        summary = str(screen.query_one("#agreement-summary", Static).render())
        assert "anna vs bram · 4 units" in summary
        assert "Caution: only 4 units were compared" in summary
        detail = str(screen.query_one("#agreement-table", Static).render())
        assert detail.startswith("Onderlinge afhankelijkheid") and "bram yes" in detail
        disagreements = screen.query_one("#agreement-disagreements", OptionList)
        assert disagreements.option_count == 1  # unit 10: mutual-trust counts as interdependence
        await pilot.press("down", "down", "down", until=DisagreementsRead,  # reflection
                          where=lambda read: read.code == "reflection")
        assert str(screen.query_one("#agreement-table", Static).render()).startswith("Reflectie op het proces")
        assert disagreements.option_count == 1
        await pilot.press("l", until=AgreementComputed)  # code level: every code
        assert table.row_count == 16
        await pilot.press("escape")
        assert isinstance(app.screen, StudyScreen)


async def test_agreement_screen_says_why_when_there_is_nothing_to_compare(demo):
    study = demo
    app = WorkbenchApp(study)
    async with drive(app, size=(120, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("a", until=NoAgreement)
        summary = str(app.screen.query_one("#agreement-summary", Static).render())
        assert "No agreement to show" in summary and "0 coders" in summary


async def test_study_screen_progress_sort_and_filter(demo):
    from coder.coding.actions import add_coding
    from coder.coding.queries import coding_progress

    study = demo
    with study.session() as session:
        add_coding(session, "anna", "flexibility", 1, 6, 9)
        add_coding(session, "bram", "reflection", 1, 6, 6, pass_="blind")
        progress = coding_progress(session)[1]
    assert progress.coded == {"anna": 4, "bram": 1} and progress.codable > 100
    app = WorkbenchApp(study)
    async with drive(app, size=(160, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        table = app.screen.query_one("#transcripts", DataTable)
        first = table.get_row_at(0)
        assert first[0].startswith("Basisschool Noord")
        assert first[6] == f"anna {4 / progress.codable:.0%} · bram {1 / progress.codable:.0%}"
        await pilot.press("slash", *"haven", until=Filtered, where=lambda m: m.query == "haven")
        assert table.row_count == 1 and table.get_row_at(0)[1] == "mbo"
        await pilot.press("escape", until=Filtered, where=lambda m: m.query == "")
        assert table.row_count == 8
        await pilot.press("s")  # by title
        await pilot.pause()
        titles = [table.get_row_at(i)[0] for i in range(8)]
        assert titles == sorted(titles, key=str.lower)


async def test_sorting_and_filtering_keep_the_rows_and_the_cursor_on_its_transcript(demo, monkeypatch):
    """`s` and the filter show the rows drawn, adding none, whether the filter narrows the list or
    widens it again; the cursor stays on the transcript it was on, wherever that row goes."""
    app = WorkbenchApp(demo)
    async with drive(app, size=(160, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        table = app.screen.query_one("#transcripts", DataTable)
        table.move_cursor(row=5)
        on = table.cursor_row_key()
        title = table.get_row(on)[0]
        added = []
        monkeypatch.setattr(table, "add_row", lambda *cells, key: added.append(key))
        for _ in range(4):
            await pilot.press("s")
            await pilot.pause()
            assert table.cursor_row_key() == on and table.get_row_at(table.cursor_row)[0] == title
        await pilot.press("slash", *title.split()[0], until=Filtered)
        assert table.cursor_row_key() == on and 1 <= table.row_count < 8
        await pilot.press("escape", until=Filtered, where=lambda m: m.query == "")
        assert table.cursor_row_key() == on and table.row_count == 8
        assert added == []


async def test_the_filter_narrows_at_each_key_and_rows_come_back_in_the_sorts_order(demo):
    """A key typed in the filter shows its list at once, with no pause for the next key; widening
    it again brings the rows back in the order of the sort, and a row whose transcript the cursor
    was on, filtered out, leaves the cursor on the first row."""
    app = WorkbenchApp(demo)
    async with drive(app, size=(160, 30)) as pilot:
        await pilot.wait_for(StudyRead)
        table = app.screen.query_one("#transcripts", DataTable)
        await pilot.press("s")  # by title
        await pilot.pause()
        everything = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert everything == sorted(everything, key=str.lower)
        table.move_cursor(row=table.row_count - 1)
        last = table.cursor_row_key()
        await pilot.press("slash", *"haven")  # no waiting for the filter: it has applied
        assert table.row_count == 1 and table.get_row_at(0)[1] == "mbo"
        haven = table.cursor_row_key()
        assert table.cursor_row == 0 and haven != last
        await pilot.press(*["backspace"] * 5, until=Filtered, where=lambda m: m.query == "")
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == everything
        assert table.cursor_row_key() == haven


async def test_the_agreement_screen_says_which_pair_it_shows_and_p_shows_the_next(sample):
    from coder.coding.actions import add_coding
    from coder.coding.assignments import assign
    from coder.coding.blind_pass import blind_queue, finish, toggle_blind_code
    from coder.tui.screens.agreement import AgreementScreen

    study, t = sample
    with study.session() as session:
        for position in (2, 4):
            add_coding(session, "anna", "interdependence", t, position, position)
    for second in ("bram", "carl"):
        with study.session() as session:
            assign(session, "anna", second, "lead")
        with study.session() as session:
            for item in blind_queue(session, second):
                toggle_blind_code(session, second, item.assignment_id, "interdependence")
                finish(session, second, item.assignment_id)
    app = WorkbenchApp(study)
    async with drive(app, size=(160, 40)) as pilot:
        await pilot.wait_for(StudyRead)
        await app.push_screen(AgreementScreen(study))
        await pilot.wait_for(AgreementComputed)
        summary = str(app.screen.query_one("#agreement-summary", Static).render())
        assert "anna vs bram" in summary and "pair 1 of 2 (p: next pair)" in summary
        await pilot.press("p", until=AgreementComputed)
        summary = str(app.screen.query_one("#agreement-summary", Static).render())
        assert "anna vs carl" in summary and "pair 2 of 2" in summary
        await pilot.press("p", until=AgreementComputed)
        assert "anna vs bram" in str(app.screen.query_one("#agreement-summary", Static).render())
