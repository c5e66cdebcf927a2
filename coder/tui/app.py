"""The workbench application: a small `App` that opens on the study screen."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from coder.db import Study
from coder.tui.study_screen import StudyScreen


class WorkbenchApp(App):
    """coder's terminal workbench on one open study."""

    TITLE = "coder"
    CSS_PATH = "coder.tcss"
    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study
        self.sub_title = study.target

    def on_mount(self) -> None:
        self.push_screen(StudyScreen(self.study))


def run_workbench(study: Study) -> None:
    """Run the workbench until the user quits, then close the study."""
    try:
        WorkbenchApp(study).run()
    finally:
        study.close()
