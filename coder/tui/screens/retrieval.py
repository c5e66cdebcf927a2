"""Retrieval by code: the codebook with each code's frequency per school type, and beside it
every fragment with the highlighted code (a theme: with its core elements) across the study,
filterable by coder and pass; `m` lists only fragments with a memo (every memo of the study
under "all codes"), `t` narrows them to a tag; enter opens a fragment in its transcript."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from coder.codebook.study_codebook import active_codes
from coder.coding.queries import CodingRecord, coding_records, segment_number
from coder.coding.retrieval import ANY_CODE, NO_SCHOOL_TYPE, fragments_with, frequencies, memo_tags, with_memo
from coder.storage.database import Study
from coder.storage.models import Code, Coder
from coder.storage.vocabulary import SCHOOL_TYPES, Pass
from coder.tui.screens.coding import CodingScreen
from coder.tui.widgets.plain import Plain, one_line
from coder.tui.widgets.table import Table

#: Characters of a fragment's text in the list: enough to recognise it.
TEXT_WIDTH = 70
PASSES: tuple[str | None, ...] = (None, *Pass)
#: The fragment list's columns before the text and the memo.
COLUMNS = ("Transcript", "Segments", "Speaker", "Type", "Coder", "Pass")


@dataclass
class RetrievalRead(Message):
    """The codings the filters select, the codebook, and the coders to filter by."""

    records: list[CodingRecord]
    codes: list[Code]
    coders: list[str]


class RetrievalScreen(Screen):
    """Every fragment with a code, and the codes' frequencies (DESIGN §1.7's "retrieve")."""

    BINDINGS = [
        Binding("c", "next_coder", "Coder"),
        Binding("p", "next_pass", "Pass"),
        Binding("m", "memos", "Memos only"),
        Binding("t", "next_tag", "Tag"),
        Binding("tab", "app.focus_next", "Codes/fragments", show=False),
        Binding("q,escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, study: Study, coder: str | None) -> None:
        super().__init__()
        self.study, self.coder = study, coder
        self.coder_filter: str | None = None
        self.pass_filter: str | None = None
        self.coders: list[str] = []
        self.records: list[CodingRecord] = []
        self.school_types: list[str] = []
        self._chosen: list[CodingRecord] = []
        self.memos_only = False
        self.tag: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Plain("Reading the codings…", id="retrieval-status")
        with Horizontal():
            yield Table(id="retrieval-codes", shrink={0}, cursor_type="row")
            yield Table(id="retrieval-fragments", shrink={0, 6, 7}, cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "retrieve by code"
        self.load()

    @work(thread=True, exclusive=True, group="retrieval")
    def load(self) -> None:
        with self.study.reader() as session:
            records = coding_records(session, self.coder_filter, self.pass_filter)
            codes = active_codes(session)
            coders = list(session.execute(select(Coder.name).order_by(Coder.id)).scalars())
        self.post_message(RetrievalRead(records, codes, coders))

    def on_retrieval_read(self, message: RetrievalRead) -> None:
        self.records, self.coders = message.records, message.coders
        present = {record.school_type or NO_SCHOOL_TYPE for record in message.records}
        self.school_types = [t for t in (*SCHOOL_TYPES, NO_SCHOOL_TYPE) if t in present]
        table = self.query_one("#retrieval-codes", Table)
        highlighted = table.cursor_row
        table.clear(columns=True)
        table.add_columns("Code", "All", *self.school_types)
        names = {code.id: code for code in message.codes}
        labels = {ANY_CODE: "(all codes)"} | {
            code.code_id: f"  {code.name}" if code.parent_id in names else code.name for code in message.codes}
        table.fill([(counts.code_id, (labels[counts.code_id], str(counts.total),
                                      *(str(counts.by_school_type.get(t, 0)) for t in self.school_types)))
                    for counts in frequencies(message.records, list(labels))])
        table.move_cursor(row=min(highlighted, len(message.codes)))
        self._status()

    def _status(self, shown: int | None = None) -> None:
        who = self.coder_filter or "every coder"
        which = f"{self.pass_filter} pass" if self.pass_filter else "every pass"
        memos = f", with a memo{' tagged ' + self.tag if self.tag else ''}" if self.memos_only else ""
        count = f" · {shown} fragments{memos}" if shown is not None else ""
        self.query_one("#retrieval-status", Plain).update(
            f"{len(self.records)} codings of {who}, {which}{count} · c: coder · p: pass · m: memos · t: tag")

    @on(DataTable.RowHighlighted, "#retrieval-codes")
    def show_fragments(self, event: DataTable.RowHighlighted) -> None:
        self._show(str(event.row_key.value))

    def _columns(self, table: Table) -> None:
        """The memo before the text in memo mode; the last column gives up its width first."""
        wanted = (*COLUMNS, *(("Memo", "Text") if self.memos_only else ("Text", "Memo")))
        if tuple(str(column.label) for column in table.ordered_columns) != wanted:
            table.clear(columns=True)
            table.add_columns(*wanted)
            table.shrink_first = frozenset({len(wanted) - 1})

    def _show(self, code_id: str) -> None:
        table = self.query_one("#retrieval-fragments", Table)
        self._columns(table)
        chosen = fragments_with(self.records, code_id)
        if self.memos_only:
            chosen = with_memo(chosen, self.tag)
        table.fill([(str(index), self._cells(record)) for index, record in enumerate(chosen)])
        self._chosen = chosen
        self._status(len(chosen))

    def _cells(self, record: CodingRecord) -> tuple[str, ...]:
        first, last = segment_number(record.first), segment_number(record.last)
        text, memo = one_line(record.text, TEXT_WIDTH), one_line(record.memo, TEXT_WIDTH)
        return (record.transcript, f"{first}–{last}" if first != last else str(first),
                "+".join(s.label for s in record.speakers), record.school_type or NO_SCHOOL_TYPE, record.coder,
                record.pass_, *((memo, text) if self.memos_only else (text, memo)))

    @on(DataTable.RowSelected, "#retrieval-fragments")
    def open_fragment(self, event: DataTable.RowSelected) -> None:
        record = self._chosen[int(event.row_key.value)]
        self.app.push_screen(CodingScreen(self.study, self.coder, record.fragment.transcript_id, cursor=record.first))

    def _cycle(self, options: list, current):
        return options[(options.index(current) + 1) % len(options)]

    def action_next_coder(self) -> None:
        self.coder_filter = self._cycle([None, *self.coders], self.coder_filter)
        self.load()

    def action_next_pass(self) -> None:
        self.pass_filter = self._cycle(list(PASSES), self.pass_filter)
        self.load()

    def _highlighted_code(self) -> str:
        table = self.query_one("#retrieval-codes", DataTable)
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value) if table.row_count else ANY_CODE

    def action_memos(self) -> None:
        self.memos_only, self.tag = not self.memos_only, None
        self._show(self._highlighted_code())

    def action_next_tag(self) -> None:
        """The next tag the memos use (and memos only); after the last, every memo again."""
        self.memos_only = True
        self.tag = self._cycle([None, *memo_tags(self.records)], self.tag)
        self._show(self._highlighted_code())
