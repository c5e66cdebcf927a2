"""Running `coder` in-process, as a user meets it: through the console-script entry point,
so that errors come out as the one-line messages `main` prints, with their exit status."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from coder.cli.app import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str) -> Result:
    """`coder ARGS`, its output captured."""
    out, err = io.StringIO(), io.StringIO()
    old_argv, sys.argv = sys.argv, ["coder", *args]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    finally:
        sys.argv = old_argv
    return Result(code, out.getvalue(), err.getvalue())
