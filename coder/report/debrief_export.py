"""The peer-debriefing export: the summary built from a study, in Markdown or HTML.

One entry point for the command line and the workbench, so both write the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from coder.errors import StudyError
from coder.files import write_file
from coder.report.debrief_data import Debrief, build_debrief
from coder.report.debrief_html import render_html
from coder.report.debrief_markdown import render_markdown
from coder.report.debrief_text import LANGUAGES

RENDERERS: dict[str, Callable[[Debrief, str], str]] = {"md": render_markdown, "html": render_html}
FORMATS = tuple(RENDERERS)


def debrief_document(session: Session, fmt: str = "md", level: str = "theme", lang: str = "en",
                     coders: tuple[str, str] | None = None) -> str:
    """The summary of the study as it is now, as one document in `fmt`."""
    if fmt not in RENDERERS:
        raise StudyError(f"the summary is written as {' or '.join(FORMATS)}, not '{fmt}'")
    if lang not in LANGUAGES:
        raise StudyError(f"the summary's language is {' or '.join(LANGUAGES)}, not '{lang}'")
    return RENDERERS[fmt](build_debrief(session, level, coders), lang)


def format_for(path: str | Path) -> str:
    """The format a file name asks for: .html/.htm is HTML, anything else Markdown."""
    return "html" if Path(path).suffix.lower() in (".html", ".htm") else "md"


def write_debrief(path: str | Path, document: str) -> None:
    """Write the document whole or not at all (UTF-8, LF line ends)."""
    write_file(path, lambda stream: stream.write(document))
