"""Modal dialogs: the memo editor, the code picker, the help and the assignment form."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, OptionList, Select, TextArea
from textual.widgets.option_list import Option

from coder.coding.search import search_codes
from coder.storage.models import Code
from coder.tui.widgets.plain import Plain, literal


class MemoDialog(ModalScreen[str | None]):
    """Edit a memo; ctrl+s saves, escape cancels."""

    BINDINGS = [Binding("ctrl+s", "save", "Save memo"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, memo: str) -> None:
        super().__init__()
        self.title_text = title
        self.memo = memo

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain(self.title_text, classes="dialog-title")
            yield TextArea(self.memo, id="memo-text")
            yield Plain("ctrl+s save · escape cancel", classes="dialog-hint")

    def action_save(self) -> None:
        self.dismiss(self.query_one("#memo-text", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodePicker(ModalScreen[str | None]):
    """Find any code by name, definition or core element (rapidfuzz); enter applies it, or
    removes it when it is on the selection already (`applied`), and the list says which."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("down", "next", show=False),
                Binding("up", "previous", show=False)]

    def __init__(self, codes: list[Code], applied: set[str] | frozenset[str] = frozenset(),
                 keys: dict[str, str] | None = None, title: str = "Apply or remove a code on the selection") -> None:
        super().__init__()
        self.codes = codes
        self.applied = applied
        self.keys = keys or {}
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain(self.title_text, classes="dialog-title")
            yield Input(placeholder="name, definition or core element…", id="picker-query")
            yield OptionList(id="picker-results")

    def on_mount(self) -> None:
        self.show_results("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_results(event.value)

    def show_results(self, query: str) -> None:
        results = self.query_one("#picker-results", OptionList)
        results.clear_options()
        results.add_options(Option(literal(self.label(code)), id=code.code_id) for code in search_codes(self.codes, query))
        if results.option_count:
            results.highlighted = 0

    def label(self, code: Code) -> str:
        """`remove` before a code that is applied already, and the keys that reach it after."""
        key = self.keys.get(code.code_id)
        keys = f"  [{'e ' if '.' in key else ''}{key.replace('.', ' ')}]" if key else ""
        return f"{'remove ' if code.code_id in self.applied else ''}{code.name}{keys}"

    def action_next(self) -> None:
        self.query_one("#picker-results", OptionList).action_cursor_down()

    def action_previous(self) -> None:
        self.query_one("#picker-results", OptionList).action_cursor_up()

    def on_input_submitted(self) -> None:
        results = self.query_one("#picker-results", OptionList)
        if results.highlighted is not None:
            self.choose(results.get_option_at_index(results.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def choose(self, code_id: str) -> None:
        """The coder chose `code_id`."""
        self.dismiss(code_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodesPicker(CodePicker):
    """The code picker for one or more codes at once: tab marks the highlighted code, enter
    takes the marked codes (or the highlighted one, when none is marked)."""

    BINDINGS = [Binding("tab", "mark", "Mark code", priority=True)]

    def __init__(self, codes: list[Code], title: str) -> None:
        super().__init__(codes, title=title)
        self.marked: list[str] = []

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(".dialog").mount(Plain("tab marks a code · enter takes the marked ones · escape cancels",
                                              classes="dialog-hint"))

    def label(self, code: Code) -> str:
        return f"{'✓ ' if code.code_id in self.marked else '  '}{super().label(code)}"

    def action_mark(self) -> None:
        results = self.query_one("#picker-results", OptionList)
        if results.highlighted is None:
            return
        code = results.get_option_at_index(results.highlighted).id
        self.marked = [c for c in self.marked if c != code] if code in self.marked else [*self.marked, code]
        highlighted = results.highlighted
        self.show_results(self.query_one("#picker-query", Input).value)
        results.highlighted = min(highlighted, results.option_count - 1)

    def choose(self, code_id: str) -> None:
        self.dismiss(tuple(self.marked) or (code_id,))


def help_row(binding: Binding) -> tuple[str, str]:
    """A binding as the help lists it: its keys as they are typed (`>`, not `greater_than_sign`)."""
    keys = binding.key_display or ", ".join(format_key(key.strip()) for key in binding.key.split(","))
    return keys, binding.description


class HelpDialog(ModalScreen[None]):
    """Every binding of the screen it was opened from."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.rows), default=4) + 2
        lines = "\n".join(f"{key:<{width}}{description}" for key, description in self.rows)
        with Vertical(classes="dialog"):
            yield Plain("Keys", classes="dialog-title")
            yield Plain(lines, id="help-keys")
            yield Plain("escape closes", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class AssignRequest:
    """What the assignment form asks for; `coder assign` takes the same."""

    from_coder: str
    to_coder: str
    fraction: float | None
    seed: int
    stratify: bool


class AssignDialog(ModalScreen[AssignRequest | None]):
    """Hand coder A's fragments, or a sample of them, to coder B for blind coding."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "submit", "Assign")]

    def __init__(self, coders: list[str]) -> None:
        super().__init__()
        self.coders = coders

    def compose(self) -> ComposeResult:
        first = self.coders[0] if self.coders else ""
        with Vertical(classes="dialog"):
            yield Plain("Assign fragments for blind second coding", classes="dialog-title")
            yield Plain("First coder (A), whose fragments are handed on", classes="field-label")
            yield Input(first, placeholder="coder A", id="assign-from", compact=True)
            yield Plain("Second coder (B), who codes them blind", classes="field-label")
            yield Input(placeholder="coder B", id="assign-to", compact=True)
            yield Plain("Sample, % of A's fragments", classes="field-label")
            yield Input("100", placeholder="100", id="assign-sample", compact=True, type="number")
            yield Plain("Seed of the random sample", classes="field-label")
            yield Input("0", placeholder="0", id="assign-seed", compact=True, type="integer")
            yield Checkbox("stratify by school type", id="assign-stratify")
            yield Plain("enter or ctrl+s assigns · escape cancels · extending never reshuffles", classes="dialog-hint")

    def on_input_submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        value = {name: self.query_one(f"#assign-{name}", Input).value.strip() for name in ("from", "to", "sample", "seed")}
        if not value["from"] or not value["to"]:
            self.notify("Name both coders.", severity="error")
            return
        share = float(value["sample"] or 100) / 100
        self.dismiss(AssignRequest(value["from"], value["to"], None if share >= 1 else share,
                                   int(value["seed"] or 0), self.query_one("#assign-stratify", Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class DebriefRequest:
    """Where to write the peer-debriefing summary, and how (`coder export debrief`)."""

    path: str
    lang: str
    level: str


class DebriefDialog(ModalScreen[DebriefRequest | None]):
    """Export the peer-debriefing summary: .html or .md, English or Dutch, per theme or code."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "submit", "Export")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain("Export the peer-debriefing summary", classes="dialog-title")
            yield Input("debrief.html", placeholder="file: .html or .md", id="debrief-path")
            yield Select([("English", "en"), ("Nederlands", "nl")], value="en", allow_blank=False, id="debrief-lang")
            yield Select([("agreement per theme", "theme"), ("agreement per code", "code")], value="theme",
                         allow_blank=False, id="debrief-level")
            yield Plain("enter or ctrl+s exports · escape cancels", classes="dialog-hint")

    def on_input_submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        path = self.query_one("#debrief-path", Input).value.strip()
        if not path:
            self.notify("Name the file to write.", severity="error")
            return
        self.dismiss(DebriefRequest(path, self.query_one("#debrief-lang", Select).value,
                                    self.query_one("#debrief-level", Select).value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question for an action that cannot be taken back."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain(self.question, classes="dialog-title")
            yield Plain("y yes · n or escape no", classes="dialog-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
