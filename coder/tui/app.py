"""The workbench application: a small `App` that opens on the study screen."""

from __future__ import annotations

import gc

from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel

from coder.storage.database import Study
from coder.tui.commands import BindingCommands
from coder.tui.screens.coding import CodingScreen
from coder.tui.screens.study import StudyRead, StudyScreen


class WorkbenchApp(App):
    """coder's terminal workbench on one open study, optionally opened on one transcript."""

    TITLE = "coder"
    CSS_PATH = "coder.tcss"
    COMMANDS = App.COMMANDS | {BindingCommands}
    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self, study: Study, coder: str | None = None, transcript_id: int | None = None) -> None:
        super().__init__()
        self.study = study.as_viewer(coder) if coder else study  # B's screens are blind to A's codes
        self.coder = coder
        self.transcript_id = transcript_id
        self.sub_title = study.target

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is plain text: messages name titles, codes and coders that users typed."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        self.push_screen(StudyScreen(self.study, self.coder))
        if self.transcript_id is not None:
            self.push_screen(CodingScreen(self.study, self.coder, self.transcript_id))

    def on_study_read(self, _message: StudyRead) -> None:
        """Once the study list is shown, keep its objects out of the collector's full passes
        (`gc.freeze`): the list lives as long as the app, and a full pass over a whole study's
        150,000 objects took 100-170 ms, in a few of every hundred keys a researcher types."""
        self.call_after_refresh(gc.freeze)

    def on_unmount(self) -> None:
        gc.unfreeze()  # what the app held is the collector's again, as it is garbage now


def run_workbench(study: Study, coder: str | None) -> None:
    """Run the workbench until the user quits, then close the study."""
    try:
        WorkbenchApp(study, coder).run()
    finally:
        study.close()
