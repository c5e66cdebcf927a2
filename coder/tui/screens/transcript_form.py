"""The form that corrects a transcript after import, from the study screen (`E`): its
metadata and its speakers, as `coder transcript set` and `coder speakers` do."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Select

from coder.coding.queries import TranscriptRow
from coder.coding.speakers import SpeakerRow
from coder.coding.transcripts import SpeakerEdit
from coder.storage.vocabulary import SCHOOL_TYPES
from coder.tui.widgets.plain import Plain

#: The metadata fields of the form, with their labels, in the order the form shows them.
FIELDS = {"title": "Title", "school": "School", "date": "Date"}


@dataclass(frozen=True)
class TranscriptEdit:
    """What the form changed: metadata (column → new value) and the speakers, each as left."""

    transcript_id: int
    metadata: dict[str, str | None]
    speakers: list[SpeakerEdit]


class TranscriptForm(ModalScreen[TranscriptEdit | None]):
    """Title, school, school type and date, and each speaker's name and role.

    Only what differs from the stored values is returned, so saving an untouched form writes
    nothing; the study screen applies the rest in one transaction (`correct_transcript`).
    """

    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, transcript: TranscriptRow, speakers: list[SpeakerRow]) -> None:
        super().__init__()
        self.transcript = transcript
        self.speakers = speakers

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain(f"Correct transcript {self.transcript.id}", classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                for column, label in FIELDS.items():
                    yield Plain(label, classes="field-label")
                    yield Input(getattr(self.transcript, column) or "", id=f"form-{column}", compact=True)
                yield Plain("School type", classes="field-label")
                yield Select([(kind, kind) for kind in SCHOOL_TYPES], value=self.transcript.school_type or Select.NULL,
                             prompt="(none)", id="form-school_type", compact=True)
                yield Plain("Speakers: name · role (give one the name of another to merge the two)",
                            classes="field-label")
                for number, speaker in enumerate(self.speakers):
                    with Horizontal(classes="speaker-row"):
                        yield Input(speaker.label, id=f"speaker-label-{number}", compact=True)
                        yield Input(speaker.role or "", placeholder="role", id=f"speaker-role-{number}", compact=True)
                        yield Plain(f"{speaker.turns} turns", classes="speaker-turns")
            yield Plain("ctrl+s saves · escape cancels", classes="dialog-hint")

    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def changed_metadata(self) -> dict[str, str | None]:
        school_type = self.query_one("#form-school_type", Select).value
        wanted = {column: self.value(f"form-{column}") or None for column in FIELDS}
        wanted["school_type"] = None if school_type is Select.NULL else str(school_type)
        return {column: value for column, value in wanted.items() if value != getattr(self.transcript, column)}

    def changed_speakers(self) -> list[SpeakerEdit]:
        edits = [SpeakerEdit(speaker.label, self.value(f"speaker-label-{number}"), self.value(f"speaker-role-{number}"))
                 for number, speaker in enumerate(self.speakers)]
        return [edit for edit, speaker in zip(edits, self.speakers, strict=True)
                if edit.new_label != speaker.label or edit.role.lower() != (speaker.role or "")]

    def action_save(self) -> None:
        metadata, speakers = self.changed_metadata(), self.changed_speakers()
        if not metadata and not speakers:
            self.notify("Nothing changed.")
            self.dismiss(None)
            return
        self.dismiss(TranscriptEdit(self.transcript.id, metadata, speakers))

    def action_cancel(self) -> None:
        self.dismiss(None)
