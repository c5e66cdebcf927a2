"""The core is a library that starts at once (STYLE.md, DESIGN §2).

It imports neither Textual nor the CLI library, and no heavy library (spaCy,
lxml) at import time: those load inside the functions that use them, so
`coder --help` answers at once. spaCy itself pulls in Click (through typer), so for
Click the test reads the core's own imports; for the rest it imports each core
module in a fresh interpreter and looks at `sys.modules`.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

FACES = ("textual", "click", "coder.cli", "coder.tui")
#: What importing a core module must not load: a face, or a library that takes seconds.
NOT_AT_IMPORT = ("textual", "coder.tui", "coder.cli", "spacy", "lxml")
#: What `coder --help` and `coder --version` must not load.
NOT_AT_START = ("spacy", "lxml")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_sources() -> dict[str, Path]:
    """Every module of the core, in every subpackage: all of `coder/` but the two faces."""
    package = REPO / "coder"
    faces = (package / "cli", package / "tui")
    return {
        module_name(path): path
        for path in sorted(package.rglob("*.py"))
        if not path.is_relative_to(faces[0]) and not path.is_relative_to(faces[1])
    }


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def loaded_after(code: str, forbidden: tuple[str, ...]) -> list[str]:
    """Run `code` in a fresh interpreter; which of the `forbidden` modules it left loaded."""
    probe = (
        f"import json, sys\n{code}\n"
        f"print(json.dumps(sorted({{f for f in {forbidden!r} for m in sys.modules if m == f or m.startswith(f + '.')}})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_walk_reaches_every_subpackage():
    names = core_sources()
    assert {"coder.storage.database", "coder.ingest.segmentation", "coder.exchange.project_import",
            "coder.report.debrief_export", "coder.stats.agreement"} <= names.keys()
    assert not any(name.startswith(("coder.cli", "coder.tui")) for name in names)


def test_core_sources_import_no_face():
    for module, path in core_sources().items():
        bad = {n for n in imported_names(path) if n in FACES or n.startswith(tuple(f + "." for f in FACES))}
        assert not bad, f"{module} imports {bad}"


#: Imports each module in its own forked child of one fresh interpreter, which has loaded only
#: what nearly every core module needs: SQLAlchemy, SQLModel, the models, numpy, rapidfuzz and
#: YAML. None of them loads a forbidden module (if one did, every child would see it and say so).
#: One interpreter start, and these loaded once instead of ninety times, keep the test quick.
PER_MODULE_PROBE = """
import json, os, sys
import numpy, rapidfuzz, sqlalchemy, sqlmodel, yaml
import coder.storage.models
forbidden, modules = json.loads(sys.argv[1])
found = {}
for module in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            __import__(module)
            loaded = sorted({f for f in forbidden for m in sys.modules if m == f or m.startswith(f + '.')})
            os.write(write, json.dumps(loaded).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        loaded = json.loads(pipe.read() or '["(the import failed)"]')
    os.waitpid(pid, 0)
    if loaded:
        found[module] = loaded
print(json.dumps(found))
"""


def loaded_per_module(modules: list[str], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """For each module, imported on its own, which of the `forbidden` modules it loads (only those that load any)."""
    argument = json.dumps([forbidden, modules])
    result = subprocess.run([sys.executable, "-c", PER_MODULE_PROBE, argument], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_any_core_module_loads_no_face_and_no_heavy_library():
    assert loaded_per_module(sorted(core_sources()), NOT_AT_IMPORT) == {}


def test_the_per_module_probe_sees_what_a_module_loads():
    """The check above can fail: a module that imports spaCy is reported, and only that one."""
    assert loaded_per_module(["coder.errors", "spacy.tokens"], NOT_AT_IMPORT) == {"spacy.tokens": ["spacy"]}


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_the_command_line_starts_without_spacy_or_lxml(option):
    code = f"sys.argv = ['coder', {option!r}]\nfrom coder.cli.app import main\ntry:\n    main()\nexcept SystemExit:\n    pass"
    assert loaded_after(code, NOT_AT_START) == []


def test_the_probe_sees_a_heavy_library_when_one_loads():
    """The check above can fail: importing what segments a text does load spaCy."""
    assert loaded_after("from coder.ingest.segmentation import segment_text; segment_text('Ja.')", NOT_AT_START) == ["spacy"]
