"""The agreement screen: kappa per theme or code with intervals, the 2x2 table of the
highlighted code, and the fragments on which the two coders disagree about it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static

from coder.coding.queries import segment_span
from coder.errors import CoderError
from coder.stats.agreement import (
    CodeStatistics,
    Ratings,
    Report,
    agreement,
    disagreements,
)
from coder.stats.presentation import Reading, Wording, name_of, number, reading
from coder.stats.units import UnitText, code_names, coder_pairs, study_ratings, unit_texts
from coder.storage.database import Study
from coder.tui.widgets.interval_bar import interval_bar
from coder.tui.widgets.plain import Plain, literal
from coder.tui.widgets.table import Table


@dataclass(frozen=True)
class Loaded:
    ratings: Ratings
    report: Report
    names: dict[str, str]
    #: Every coder pair the reader can choose from with `p`.
    pairs: list[tuple[str, str]]


@dataclass
class AgreementComputed(Message):
    """The units were built and the agreement on them computed."""

    loaded: Loaded


@dataclass
class NoAgreement(Message):
    """There is no agreement to compute, and this is why (one sentence for the user)."""

    problem: str


@dataclass
class DisagreementsRead(Message):
    """The text of the units on which the coders differ about `code`."""

    code: str
    units: list[UnitText]


_WORDS = Wording()


def _row(row: Reading) -> tuple[str | Text, ...]:
    """A code's kappa with its interval (clipped to [−1, 1]), in figures and as a bar, and its band or why not."""
    kappa = row.stats.kappa
    return (row.name, str(row.n), number(kappa), _WORDS.interval(row, "{low} … {high}"),
            interval_bar(kappa, row.interval), _WORDS.band(row), _WORDS.notes(row))


class AgreementScreen(Screen):
    """Agreement between the study's two coders (DESIGN §4)."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("l", "toggle_level", "Theme/code level"),
        Binding("m", "toggle_mode", "Fragments/segments"),
        Binding("p", "next_pair", "Next coder pair"),
    ]

    def __init__(self, study: Study, mode: str = "fragments", level: str = "theme",
                 coders: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.study = study
        self.coders = coders
        self.mode = mode
        self.level = level
        self.loaded: Loaded | None = None
        self.code: str | None = None  # the code whose 2x2 table is shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield Plain("Computing agreement…", id="agreement-summary")
        with Horizontal():
            yield Table(id="agreement-codes", cursor_type="row")
            with Vertical(id="agreement-detail"):
                yield Plain("", id="agreement-table")
                yield Plain("Fragments where the coders differ", classes="section-title")
                yield OptionList(id="agreement-disagreements")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#agreement-codes", DataTable)
        table.add_columns("Code", "n", "Kappa", "95% interval", "-1        0        1", "Band", "Notes")
        self.load()

    def action_toggle_level(self) -> None:
        self.level = "code" if self.level == "theme" else "theme"
        self.load()

    def action_toggle_mode(self) -> None:
        self.mode = "segments" if self.mode == "fragments" else "fragments"
        self.load()

    def action_next_pair(self) -> None:
        """Show the next coder pair of the study, when it has more than one."""
        if self.loaded is None or len(self.loaded.pairs) < 2:
            self.notify("this study has one coder pair")
            return
        pairs = self.loaded.pairs
        shown = self.loaded.report.coders
        self.coders = pairs[(pairs.index(shown) + 1) % len(pairs)] if shown in pairs else pairs[0]
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        """Build the units and compute in a worker: both read the whole study."""
        try:
            with self.study.reader() as session:
                ratings = study_ratings(session, self.mode, self.level, self.coders)
                names, pairs = code_names(session), coder_pairs(session)
            self.post_message(AgreementComputed(Loaded(ratings, agreement(ratings, self.level), names, pairs)))
        except CoderError as exc:
            self.post_message(NoAgreement(str(exc)))

    def on_no_agreement(self, message: NoAgreement) -> None:
        self.loaded = None
        self.query_one("#agreement-codes", Table).fill([])  # not `clear`: a resize would draw the rows filled before
        self.query_one("#agreement-summary", Static).update(f"No agreement to show: {message.problem}")

    def on_agreement_computed(self, message: AgreementComputed) -> None:
        loaded = self.loaded = message.loaded
        report = loaded.report
        overall = report.overall
        self.query_one("#agreement-summary", Static).update(
            f"{report.coders[0]} vs {report.coders[1]} · {report.units} units ({self.mode}, "
            f"left out: {report.left_out()}) · level {self.level} · overall kappa {number(overall.kappa)} "
            f"({report.method}) · {_WORDS.band(reading('overall', overall, report.units))}"
            + "".join(f" · {text}" for text in (_WORDS.caution(report.units), _pair_hint(loaded)) if text)
        )
        rows = [(code, _row(reading(name_of(code, loaded.names), stats, stats.n))) for code, stats in report.codes.items()]
        self.query_one("#agreement-codes", Table).fill(rows)
        if report.codes:
            self.show_code(next(iter(report.codes)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.loaded and event.row_key.value:
            self.show_code(event.row_key.value)

    def show_code(self, code: str) -> None:
        self.code = code
        stats = self.loaded.report.codes[code]
        name = name_of(code, self.loaded.names)
        self.query_one("#agreement-table", Static).update(two_by_two(name, stats, self.loaded.report.coders))
        self.load_disagreements(code)

    @work(thread=True, exclusive=True, group="disagreements")
    def load_disagreements(self, code: str) -> None:
        with self.study.reader() as session:
            units = unit_texts(session, disagreements(self.loaded.ratings, code))
        self.post_message(DisagreementsRead(code, units))

    def on_disagreements_read(self, message: DisagreementsRead) -> None:
        """List the units, unless another code was highlighted while they were read."""
        if message.code != self.code:
            return
        units = message.units
        options = self.query_one("#agreement-disagreements", OptionList)
        options.clear_options()
        options.add_options(
            literal(f"{u.transcript} · {segment_span(u.first_position, u.last_position)}: {u.text[:200]}") for u in units
        )
        if not units:
            options.add_option("(none)")


def _pair_hint(loaded: Loaded) -> str | None:
    """Which of several coder pairs is shown, and how to see another."""
    pairs = loaded.pairs
    if len(pairs) < 2 or loaded.report.coders not in pairs:
        return None
    return f"pair {pairs.index(loaded.report.coders) + 1} of {len(pairs)} (p: next pair)"


def two_by_two(code: str, stats: CodeStatistics, coders: tuple[str, str]) -> str:
    """The 2x2 table of one code as a few aligned lines."""
    a, b = coders
    a_only, b_only = stats.a_yes - stats.both, stats.b_yes - stats.both
    neither = stats.n - stats.a_yes - stats.b_yes + stats.both
    lines = [
        f"{code}",
        f"{'':<14}{b + ' yes':>10}{b + ' no':>10}",
        f"{a + ' yes':<14}{stats.both:>10}{a_only:>10}",
        f"{a + ' no':<14}{b_only:>10}{neither:>10}",
        f"observed {number(stats.observed)} · expected {number(stats.expected)} · "
        f"PABAK {number(stats.pabak)} · AC1 {number(stats.ac1)} · alpha {number(stats.alpha)}",
    ]
    if stats.reason:
        lines.append(stats.reason)
    return "\n".join(lines)
