"""The demo study: the shipped codebook, sample interviews and recorded coding in a fresh study file.

`coder demo` rebuilds it every time, so a newcomer always starts from the same
place. The file is marked as a demo in its `meta` table, and only a file so
marked is ever replaced: a real study that happens to have the demo's name is
refused, never overwritten.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from coder.codebook.codebook_file import read_codebook
from coder.codebook.study_codebook import apply_codebook
from coder.demo.recorded_coding import load_demo_coding
from coder.errors import StudyError
from coder.ingest.importer import Progress, import_transcripts
from coder.storage.database import Study, is_url, make_engine, open_study
from coder.storage.migrations import stored_version

DEMO_DB = "demo.db"
DEMO_ACTOR = "coder-demo"
#: Who codes in the demo workbench when no --as name is given.
DEMO_CODER = "demo"
DEMO_CODEBOOK = "interprofessional-collaboration.yaml"
#: Two researchers' recorded work on part of the interviews (see demo/coding.yaml).
DEMO_CODING = "coding.yaml"


def data_dir(name: str) -> Path:
    """The shipped `codebooks/`, `transcripts/` or `demo/`: beside the package in a checkout,
    inside it (`coder/_demo/`) in an installed wheel."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package.parent / name, package / "_demo" / name):
        if candidate.is_dir():
            return candidate
    raise StudyError(f"the shipped {name}/ folder is missing from this installation")


def _is_demo(path: Path) -> bool:
    engine = make_engine(str(path))
    try:
        with engine.connect() as conn:
            if stored_version(conn) is None:
                return False
            return conn.execute(text("SELECT value FROM meta WHERE key = 'demo'")).scalar() == "1"
    finally:
        engine.dispose()


def _remove_old_demo(path: Path) -> None:
    if not path.exists():
        return
    if path.stat().st_size and not _is_demo(path):
        raise StudyError(f"{path} exists and is not a demo study; give the demo another --db")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_demo(target: str = DEMO_DB, progress: Progress | None = None, coded: bool = True) -> Study:
    """Build a fresh demo study at `target` (a SQLite path) and return it open.

    `coded=False` leaves out the recorded coding: the interviews and codebook only,
    for trying the method from the start.
    """
    if is_url(target):
        raise StudyError("the demo study is a local file; give --db a file path")
    _remove_old_demo(Path(target))
    study = open_study(target)
    try:
        with study.session() as session:
            session.execute(text("INSERT INTO meta (key, value) VALUES ('demo', '1')"))
            codebook = read_codebook(data_dir("codebooks") / DEMO_CODEBOOK)
            apply_codebook(session, codebook, DEMO_ACTOR)
        import_transcripts(study, [data_dir("transcripts")], DEMO_ACTOR, progress=progress)
        if coded:
            load_demo_coding(study, data_dir("demo") / DEMO_CODING)
    except BaseException:
        study.close()
        raise
    return study
