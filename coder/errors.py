"""Error types a researcher can act on.

Each kind of failure has its own class; the command line turns any `CoderError`
into one line on stderr. Errors about a file carry the file and, where known, the
line, so the message says where to look.
"""

from __future__ import annotations

from pathlib import Path


class CoderError(Exception):
    """Base class: a failure with a message meant for the user, not a traceback."""


class FileProblem(CoderError):
    """A problem in a file the user gave us, located by file and line."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class CodebookError(FileProblem):
    """A codebook file that cannot be loaded as it stands."""


class TranscriptError(FileProblem):
    """A transcript file that cannot be imported as it stands."""


class CodebookConflict(CoderError):
    """A codebook change that would orphan codings already made."""


class StudyError(CoderError):
    """The study database cannot be opened or used as asked."""


class RatingsError(FileProblem):
    """A ratings file for `coder agreement --ratings` that cannot be read as it stands."""


class SpansError(FileProblem):
    """A spans file for `coder agreement --spans` that cannot be read as it stands."""


class CodingsFileError(FileProblem):
    """A codings file for `coder code` that cannot be applied as it stands."""


class KeyFileError(FileProblem):
    """A pseudonym key file (`name,pseudonym`) that cannot be used as it stands."""


class StudyBusy(StudyError):
    """A SQLite study another coder or command kept locked past the busy timeout: trying again works."""
