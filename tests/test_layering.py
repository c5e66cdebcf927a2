"""The core is a library: it imports neither Textual nor the CLI library (STYLE.md).

spaCy itself pulls in Click (through typer), so for Click the test reads the
core's own imports; for Textual, which nothing in the core needs, it also checks
that importing the whole core leaves `textual` out of `sys.modules`.
"""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import REPO

FACES = ("textual", "click", "coder.cli", "coder.tui")


def core_modules() -> list[str]:
    package = REPO / "coder"
    return sorted(
        "coder." + path.stem
        for path in package.glob("*.py")
        if path.stem not in ("__init__", "cli", "__main__")
    )


def imported_names(module: str) -> set[str]:
    tree = ast.parse((REPO / (module.replace(".", "/") + ".py")).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_sources_import_no_face():
    for module in core_modules():
        bad = {n for n in imported_names(module) if n == FACES or n.startswith(FACES)}
        assert not bad, f"{module} imports {bad}"


def test_importing_the_core_loads_no_textual():
    code = (
        f"import sys; import {', '.join(core_modules())}; "
        "bad = sorted(m for m in sys.modules if m.startswith(('textual', 'coder.tui', 'coder.cli'))); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
