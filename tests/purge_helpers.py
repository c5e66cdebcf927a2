"""A small coded study for the purge tests: two transcripts, each coded by anna, coded blind by
bram, reviewed by carla, with memos and notes that carry words of their own transcript."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from coder.codebook.codebook_file import read_codebook
from coder.codebook.study_codebook import apply_codebook
from coder.coding.actions import add_coding, set_memo
from coder.coding.assignments import assign
from coder.coding.blind_pass import blind_queue, finish, no_code_applies, toggle_blind_code
from coder.coding.review import decide
from coder.ingest.importer import import_transcripts
from coder.storage.database import Study
from coder.storage.models import Transcript
from tests.conftest import SHIPPED_CODEBOOK, write


def interview(word: str) -> str:
    """A transcript whose every turn carries `word`, so no byte of it can hide."""
    return f"""\
---
title: {word.capitalize()} interview
school_type: po
participants:
  - {{label: I, role: interviewer}}
  - {{label: L, role: teacher}}
  - {{label: J, role: youth-care-worker}}
---
I: Hoe werkt u samen in het {word}project?
L: In het {word}project overleggen wij elke week. De {word}coach helpt daarbij.
J: Ik vertrouw de {word}coach. Wij delen zorgen over het {word}kind.
"""


def coded_study(study: Study, folder: Path, words: tuple[str, ...]) -> dict[str, int]:
    """Import one interview per word and code each through every pass; the ids by word."""
    with study.session() as session:
        apply_codebook(session, read_codebook(SHIPPED_CODEBOOK), "lead")
    import_transcripts(study, [write(folder, f"{word}.txt", interview(word)) for word in words], "lead")
    with study.session() as session:
        ids = {t.title.split()[0].lower(): t.id for t in session.exec(select(Transcript)).all()}
        for word in words:
            coding = add_coding(session, "anna", "mutual-trust", ids[word], 1, 2)
            set_memo(session, coding.id, f"memo over de {word}coach", "anna")
            add_coding(session, "anna", "reflection", ids[word], 3, 4)
        assign(session, "anna", "bram", "lead")
    with study.session(viewer="bram") as session:
        queue = blind_queue(session, "bram")
        for index, item in enumerate(queue):
            word = next(w for w in words if ids[w] == item.transcript_id)
            if index % 2:
                no_code_applies(session, "bram", item.assignment_id, f"geen code voor de {word}coach")
            else:
                toggle_blind_code(session, "bram", item.assignment_id, "mutual-trust")
                finish(session, "bram", item.assignment_id)
    with study.session(viewer="carla") as session:
        for item in queue:
            word = next(w for w in words if ids[w] == item.transcript_id)
            decide(session, "carla", item.assignment_id, "keep_a", f"besluit over het {word}kind")
    return ids
