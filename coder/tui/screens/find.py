"""Find in study: one search over every transcript's text, a row per segment found
(transcript, segment number, speaker, text); enter opens the segment in its transcript,
with the same search's hits marked there.

Text and speakers only, never a coding: a blind second coder finds nothing here they
could not read in the transcripts already.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input

from coder.coding.queries import segment_number
from coder.coding.search import FUZZY_PREFIX, StudySearch, in_context, search_study
from coder.storage.database import Study
from coder.tui.screens.coding import CodingScreen
from coder.tui.widgets.plain import Plain, one_line
from coder.tui.widgets.table import Table

#: A transcript's title in the list: enough to tell the study's transcripts apart; the text has the rest.
TITLE_WIDTH = 30
#: Characters of a segment's text around the word found; a narrow table cuts it further on the right,
#: and the word, a third of the way in, stays on screen.
CONTEXT_WIDTH = 90
#: Rows listed at most: a short word is in thousands of segments, and a table that long is read by no one.
MOST_ROWS = 500


@dataclass
class StudySearched(Message):
    """A study-wide search has been run."""

    query: str
    result: StudySearch


class FindScreen(Screen):
    """Every segment of the study with the words searched for."""

    AUTO_FOCUS = "#find-query"
    BINDINGS = [
        Binding("slash", "search", "Search again"),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, study: Study, coder: str | None) -> None:
        super().__init__()
        self.study, self.coder = study, coder
        self.searched: StudySearched | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=f"find in every transcript: words and word starts ({FUZZY_PREFIX}word for fuzzy); "
                                "enter searches", id="find-query")
        yield Plain("Type words to find; enter on a row opens it in its transcript.", id="find-status")
        yield Table(id="find-hits", shrink={0, 3}, cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "find in study"
        self.query_one("#find-hits", Table).add_columns("Transcript", "Segment", "Speaker", "Text")

    @on(Input.Submitted, "#find-query")
    def search(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.run_search(event.value)

    @work(thread=True, exclusive=True, group="find")
    def run_search(self, query: str) -> None:
        with self.study.reader() as session:
            result = search_study(session, query)
        self.post_message(StudySearched(query, result))

    def on_study_searched(self, message: StudySearched) -> None:
        self.searched = message
        found = message.result.found
        listed = "" if len(found) <= MOST_ROWS else f" · the first {MOST_ROWS} listed"
        self.query_one("#find-status", Plain).update(
            f"{message.result.hits.describe()}{listed} · enter opens one · / searches again")
        table = self.query_one("#find-hits", Table)
        table.fill([(str(index), (one_line(hit.title, TITLE_WIDTH), str(segment_number(hit.position)), hit.speaker,
                                  in_context(hit.text, message.query, CONTEXT_WIDTH)))
                    for index, hit in enumerate(found[:MOST_ROWS])])
        table.move_cursor(row=0)
        table.focus()

    @on(Table.RowSelected, "#find-hits")
    def open_hit(self, event: Table.RowSelected) -> None:
        hit = self.searched.result.found[int(event.row_key.value)]
        self.app.push_screen(CodingScreen(self.study, self.coder, hit.transcript_id, cursor=hit.position,
                                          search=self.searched.query))

    def action_search(self) -> None:
        self.query_one("#find-query", Input).focus()

    def action_back(self) -> None:
        if self.query_one("#find-query", Input).has_focus and self.searched is not None:
            self.query_one("#find-hits", Table).focus()
            return
        self.app.pop_screen()
