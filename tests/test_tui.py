"""The workbench, driven for real with Textual's Pilot."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from coder.demo import build_demo
from coder.tui.app import WorkbenchApp
from coder.tui.study_screen import StudyScreen


async def test_study_screen_lists_the_demo_transcripts(tmp_path):
    study = build_demo(str(tmp_path / "demo.db"))
    app = WorkbenchApp(study)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
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
    finally:
        study.close()
