"""The review and reconciliation screen (DESIGN §1.6): each fragment both coders coded,
side by side, and the decision that makes the consensus coding.

Agreements are accepted into the consensus when the screen opens. For a
disputed fragment a key decides (keep A's, take B's, both, neither, another
code) and a note is asked for. Moving the selection in the transcript before
deciding adjusts the fragment's boundaries ("bijgesteld"); `+` adds the
selection as a fragment A missed ("aangevuld").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from coder.codebook.study_codebook import active_codes
from coder.coding.queries import (
    CodingRow,
    TranscriptView,
    segment_number,
    segment_span,
    transcript_codings,
    transcript_view,
)
from coder.coding.review import (
    AddedItem,
    ReviewItem,
    Side,
    accept_agreements,
    add_missed,
    added_fragments,
    decide,
    review_items,
)
from coder.storage.database import Study
from coder.storage.models import Code
from coder.storage.vocabulary import DecisionKind, Pass
from coder.tui.actions import ActionDone, ActionScreen
from coder.tui.code_names import named
from coder.tui.screens.dialogs import CodePicker, CodesPicker, HelpDialog, MemoDialog
from coder.tui.widgets.plain import Plain
from coder.tui.widgets.table import Table
from coder.tui.widgets.transcript_pane import TranscriptPane

#: Decision keys: (decision kind, how the note dialog names it).
DECISION_LABELS = {
    DecisionKind.KEEP_A: "keep {a}'s codes", DecisionKind.TAKE_B: "take {b}'s codes",
    DecisionKind.BOTH: "keep both coders' codes", DecisionKind.NEITHER: "neither: no code applies",
    DecisionKind.OTHER: "other code: {code}",
}
#: The start of an added fragment's row key (the others are assignment ids).
ADDED_KEY = "added-"
#: A decision kind as the list names it.
DECISION_WORDS = {
    DecisionKind.AGREED: "agreed", DecisionKind.KEEP_A: "kept {a}'s", DecisionKind.TAKE_B: "took {b}'s",
    DecisionKind.BOTH: "both", DecisionKind.NEITHER: "neither", DecisionKind.OTHER: "other code",
    DecisionKind.ADDED: "added",
}


TITLE_WIDTH = 18
#: Below this terminal width the list stands over the transcript instead of beside it.
NARROW = 130


def _short(title: str) -> str:
    """A transcript title cut to fit the item list; the header shows it whole."""
    return title if len(title) <= TITLE_WIDTH else title[: TITLE_WIDTH - 1] + "…"


@dataclass(frozen=True)
class Review:
    """The fragments to review, as the database holds them, and the codes to choose from."""

    items: list[ReviewItem]
    added: list[AddedItem]
    codes: list[Code]


@dataclass
class FragmentRead(Message):
    """The transcript around a fragment (`view`, None when it is already shown) and its consensus codes."""

    first: int
    last: int
    view: TranscriptView | None
    consensus: list[CodingRow]


def _bounds(item: ReviewItem) -> tuple[int, int]:
    """A fragment's boundaries as they hold now: its decision's, once decided."""
    return (item.decision.first, item.decision.last) if item.decision else (item.first, item.last)


def _added_row(added: AddedItem, codes: list[Code]) -> tuple[str, ...]:
    """A fragment the review added, as the list shows it: no coder's codes, the consensus as its decision."""
    return (_short(added.title), f"{segment_number(added.first)}–{segment_number(added.last)}", "—", "—",
            f"✓ added: {', '.join(named(added.codes, codes))}")


def _row(item: ReviewItem, codes: list[Code], coders: tuple[str, str]) -> tuple[str, ...]:
    """An item as the list shows it: where (its decided boundaries once adjusted), both
    coders' codes by their codebook names, and the decision in words."""
    a, b = coders
    decision = f"✓ {DECISION_WORDS[item.decision.kind].format(a=a, b=b)}" if item.decision else "—"
    first, last = _bounds(item)
    if item.adjusted:
        decision += " (bijgesteld)"
    return (_short(item.title), f"{segment_number(first)}–{segment_number(last)}",
            ", ".join(named(item.a.codes, codes)) or "—",
            ", ".join(named(item.b.codes, codes)) or ("revealed" if item.revealed else "no code"), decision)


class ReviewScreen(ActionScreen):
    """Reconcile coder A's and coder B's codes into the consensus coding."""

    AUTO_FOCUS = "#review-items"
    BINDINGS = [
        Binding("a", "decide('keep_a')", "Keep A's"),
        Binding("b", "decide('take_b')", "Take B's"),
        Binding("o", "decide('both')", "Both"),
        Binding("x", "decide('neither')", "Neither"),
        Binding("c", "other", "Other"),
        Binding("plus", "add_missed", "Add missed"),
        Binding("f", "filter", "Filter"),
        Binding("question_mark", "help", "Help"),
        Binding("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, study: Study, reviewer: str, coders: tuple[str, str]) -> None:
        super().__init__(study)
        self.reviewer = reviewer
        self.coders = coders
        self.items: list[ReviewItem] = []
        self.added: list[AddedItem] = []
        self.codes: list[Code] = []
        self.disputed_only = True
        self.current: ReviewItem | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Plain("Accepting agreements and loading the review…", id="review-summary")
        with Horizontal(id="review-body"):
            yield Table(id="review-items", shrink={0, 2, 3, 4}, shrink_first={0}, cursor_type="row", zebra_stripes=True)
            with Vertical(id="review-side"):
                yield TranscriptPane(id="review-transcript")
                yield Plain("", id="review-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        a, b = self.coders
        self.query_one("#review-items", DataTable).add_columns("Transcript", "Segments", a, b, "Decision")
        self.sub_title = f"{a} and {b}"
        self.start()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    # --- loading ------------------------------------------------------------------------------

    def start(self) -> None:
        """Accept the agreements (the screen's first action), then list the items."""
        reviewer, (a, b) = self.reviewer, self.coders

        def change(session: Session) -> str:
            accepted = accept_agreements(session, reviewer, a, b)
            return f"{accepted} agreements accepted into the consensus" if accepted else ""

        self.commit(change)

    def _review(self, session: Session) -> Review:
        items = review_items(session, *self.coders)
        return Review(items, added_fragments(session, {i.transcript_id for i in items}), active_codes(session))

    def show_items(self, review: Review, keep: int | None = None) -> None:
        items, codes = review.items, review.codes
        self.items, self.added, self.codes = items, review.added, codes
        table = self.query_one("#review-items", Table)
        table.fill([(str(item.assignment_id), _row(item, codes, self.coders)) for item in self.visible()]
                   + [(f"{ADDED_KEY}{added.decision_id}", _added_row(added, codes)) for added in self.added])
        disputed = [i for i in items if not i.agreed]
        a, b = self.coders
        self.query_one("#review-summary", Static).update(
            f"{a} and {b} · {len(items)} fragments reviewed blind · {len(items) - len(disputed)} agreed · "
            f"{len(disputed)} disputed, {sum(i.decision is not None for i in disputed)} decided · "
            f"{len(review.added)} added · "
            f"showing {'disputed' if self.disputed_only else 'all'} (f)"
        )
        if keep is not None and table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        if not table.row_count:
            self.query_one("#review-detail", Static).update("Nothing to decide here.")

    def visible(self) -> list[ReviewItem]:
        return [i for i in self.items if not (self.disputed_only and i.agreed)]

    @on(DataTable.RowHighlighted, "#review-items")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        added = next((a for a in self.added if f"{ADDED_KEY}{a.decision_id}" == key), None)
        item = next((i for i in self.items if str(i.assignment_id) == key), None)
        self.current = item
        if added is not None:
            self.sub_title = added.title
            codes = ", ".join(named(added.codes, self.codes))
            self.query_one("#review-detail", Static).update(
                f"added by {added.decided_by} (aangevuld): {codes}" + (f"\n    note: {added.note}" if added.note else "")
                + "\n+ on this selection adds codes to it")
            self.load_transcript(added.transcript_id, added.first, added.last)
        elif item is not None:
            self.sub_title = item.title
            self.show_detail(item)
            self.load_transcript(item.transcript_id, *_bounds(item))

    def load_transcript(self, transcript_id: int, first: int, last: int) -> None:
        """Select `first`–`last` in its transcript, reading the transcript too when another one is shown."""
        shown = self.query_one(TranscriptPane).view
        self._read_fragment(transcript_id, first, last, shown is None or shown.id != transcript_id)

    @work(thread=True, exclusive=True, group="transcript")
    def _read_fragment(self, transcript_id: int, first: int, last: int, whole: bool) -> None:
        with self.study.reader() as session:
            view = transcript_view(session, transcript_id) if whole else None
            consensus = [c for c in transcript_codings(session, transcript_id) if c.pass_ == Pass.CONSENSUS]
        self.post_message(FragmentRead(first, last, view, consensus))

    def on_fragment_read(self, message: FragmentRead) -> None:
        """Select the fragment in its transcript, at its decided boundaries once decided."""
        first, last, view, consensus = message.first, message.last, message.view, message.consensus
        pane = self.query_one(TranscriptPane)
        if view is not None:
            pane.show_transcript(view, consensus, first)
        else:
            pane.show_codings(consensus)
            pane.anchor = None
            pane.set_cursor(first)
        pane.set_cursor(last, extend=True)

    def show_detail(self, item: ReviewItem) -> None:
        a, b = self.coders

        def side(name: str, codes: Side, empty: str) -> str:
            memos = "".join(f"\n    memo: {memo}" for memo in codes.memos)
            return f"{name}: {', '.join(named(codes.codes, self.codes)) or empty}{memos}"

        lines = [side(a, item.a, "—"), side(b, item.b, "revealed before coding" if item.revealed else
                                            "no code applies")]
        if item.decision:
            d = item.decision
            words = DECISION_WORDS[d.kind].format(a=a, b=b)
            lines.append(f"decision ({d.decided_by}): {words} → {', '.join(named(d.codes, self.codes)) or 'no code'}"
                         + (f"\n    note: {d.note}" if d.note else ""))
        else:
            lines.append("undecided · a keep A's · b take B's · o both · x neither · c other code")
        self.query_one("#review-detail", Static).update("\n".join(lines))

    # --- deciding -----------------------------------------------------------------------------

    def commit(self, change: Callable[[Session], str], advance: bool = False) -> None:
        """Write `change`; with `advance` (a decision), the list then moves on to the next fragment."""
        self.write(lambda session: (change(session), advance), self._review)

    def on_action_done(self, message: ActionDone[tuple[str, bool], Review]) -> None:
        """Redraw the list where the reviewer was, or on the next row after a decision."""
        said, advance = message.result
        row = self.query_one("#review-items", DataTable).cursor_row + advance
        self.current = None
        self.show_items(message.shown, keep=row)
        if said:
            self.notify(said)

    def _span(self, item: ReviewItem) -> tuple[int, int] | None:
        """The pane's selection when the reviewer moved it off the fragment: new boundaries."""
        selection = self.query_one(TranscriptPane).selection
        return selection if selection != _bounds(item) else None

    def _ask_note(self, kind: str, codes: tuple[str, ...] | None = None) -> None:
        item = self.current
        if item is None:
            self.notify("Choose a fragment both coders coded; an added fragment takes more codes with +.",
                        severity="warning")
            return
        a, b = self.coders
        label = DECISION_LABELS[kind].format(a=a, b=b, code=", ".join(named(codes or (), self.codes)))
        span = self._span(item)
        if span:
            label += f", boundaries now {segment_span(*span)}"
        old = item.decision.note if item.decision else ""

        def save(note: str | None) -> None:
            if note is None:
                return

            def change(session: Session) -> str:
                decide(session, self.reviewer, item.assignment_id, kind, note, codes, span)
                return f"decided: {label}"

            self.commit(change, advance=True)

        self.app.push_screen(MemoDialog(f"Note on the decision: {label}", old), save)

    def action_decide(self, kind: str) -> None:
        item, (a, b) = self.current, self.coders
        if item is not None and item.revealed and not item.b.codes and kind in (DecisionKind.TAKE_B, DecisionKind.BOTH):
            self.notify(f"{b} revealed {a}'s codes before coding this fragment, so {b} has no codes of their own "
                        "on it: keep A's (a), neither (x) or another code (c).", severity="warning")
            return
        self._ask_note(kind)

    def action_other(self) -> None:
        if self.current is not None:
            self.app.push_screen(CodesPicker(self.codes, "Other codes for this fragment"),
                                 lambda codes: codes and self._ask_note(DecisionKind.OTHER, codes))

    def action_add_missed(self) -> None:
        item = self.current
        if item is None:
            return
        first, last = self.query_one(TranscriptPane).selection

        def picked(code: str | None) -> None:
            if not code:
                return
            name = named([code], self.codes)[0]

            def save(note: str | None) -> None:
                if note is None:
                    return

                def change(session: Session) -> str:
                    add_missed(session, self.reviewer, item.transcript_id, first, last, (code,), note)
                    return f"added {name} to {segment_span(first, last)} (aangevuld)"

                self.commit(change)

            self.app.push_screen(MemoDialog(f"Note: {name} on {segment_span(first, last)}, missed", ""), save)

        self.app.push_screen(CodePicker(self.codes), picked)

    def action_filter(self) -> None:
        self.disputed_only = not self.disputed_only
        self.current = None
        self.show_items(Review(self.items, self.added, self.codes))

    def action_help(self) -> None:
        rows = [(b.key_display or b.key, b.description) for b in self.BINDINGS]
        rows.append(("tab, j/k, shift+↑/↓", "into the transcript; move the selection to adjust boundaries"))
        self.app.push_screen(HelpDialog(rows))
