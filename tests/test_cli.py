"""The command line: every command has help; failures are one line, never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import click
import pytest

from coder.cli.app import cli
from coder.storage.migrations import SCHEMA_VERSION
from tests.cli_helpers import run_cli
from tests.conftest import REPO, SHIPPED_CODEBOOK, TRANSCRIPT, write
from tests.old_studies import STUDY_V1, version_1_study


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Run `coder ARGS` in-process through the console-script entry point."""
    result = run_cli(*args)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "command", [[], ["init"], ["import"], ["codebook"], ["codebook", "load"], ["status"], ["demo"], ["agreement"], ["roles"], ["export"], ["export", "codings"], ["codebook", "export"], ["export", "qdpx"], ["assign"]]
)
def test_every_command_has_help(capsys, command):
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0 and "Usage: coder" in out and "--help" in out


def test_init_import_codebook_status(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CODER_DB", str(tmp_path / "env.db"))
    assert run(capsys, "init", "--codebook", str(SHIPPED_CODEBOOK))[0] == 0
    code, out, _ = run(capsys, "--as", "anna", "import", str(write(tmp_path, "a.txt", TRANSCRIPT)))
    assert code == 0 and "imported  Proefinterview (6 segments)" in out
    code, out, _ = run(capsys, "import", str(tmp_path / "a.txt"))
    assert "skipped" in out and "already imported" in out
    code, out, _ = run(capsys, "status", "--json")
    status = json.loads(out)
    assert (status["transcripts"], status["segments"], status["codes"]) == (1, 6, 16)
    assert (tmp_path / "env.db").exists()


def test_db_option_beats_environment(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CODER_DB", str(tmp_path / "env.db"))
    run(capsys, "--db", str(tmp_path / "flag.db"), "init")
    assert (tmp_path / "flag.db").exists() and not (tmp_path / "env.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "{tmp}/missing.txt"], "missing.txt: no such file"),
        (["import", "{tmp}/bad.txt"], "bad.txt:2: school_type 'havo' is not one of"),
        (["codebook", "load", "{tmp}/bad.yaml"], "bad.yaml:3: unknown key 'kleur'"),
        (["--db", "{tmp}/notes.db", "status"], "cannot open study"),
    ],
)
def test_errors_are_one_line_with_nonzero_exit(capsys, tmp_path, args, message):
    write(tmp_path, "bad.txt", "---\nschool_type: havo\n---\nL: hoi")
    write(tmp_path, "bad.yaml", "codes:\n  - id: a\n    kleur: x\n")
    write(tmp_path, "notes.db", b"not a database" * 200)
    run(capsys, "--db", str(tmp_path / "s.db"), "init")
    args = [arg.format(tmp=tmp_path) for arg in args]
    if "--db" not in args:
        args = ["--db", str(tmp_path / "s.db"), *args]
    code, out, err = run(capsys, *args)
    assert code == 1
    assert err.startswith("coder: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_option_value_is_reported_by_click(capsys, tmp_path):
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "import", "--school-type", "havo", "x.txt")
    assert code == 2 and "'havo' is not one of" in err


def test_demo_builds_a_fresh_study_and_refuses_to_replace_a_real_one(capsys, tmp_path):
    demo_db = str(tmp_path / "demo.db")
    for _ in range(2):  # a second run replaces the first demo
        code, out, _ = run(capsys, "--db", demo_db, "demo", "--no-tui")
        assert code == 0 and "transcripts  8 (" in out and "codes        16" in out
    real = str(tmp_path / "real.db")
    run(capsys, "--db", real, "init")
    code, _, err = run(capsys, "--db", real, "demo", "--no-tui")
    assert code == 1 and "is not a demo study" in err


def test_console_script_prints_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "coder.cli", "--db", str(tmp_path / "s.db"), "import", str(tmp_path / "nope.txt")],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith("nope.txt: no such file")
    assert "Traceback" not in result.stderr


def test_team_study_in_postgresql_by_url(capsys, tmp_path, pg_admin_url):
    """The same commands on a PostgreSQL study named by URL (DESIGN §3)."""
    from tests.pg import create_database

    url = create_database(pg_admin_url, "coder_cli_team")
    assert run(capsys, "--db", url, "init", "--codebook", str(SHIPPED_CODEBOOK))[0] == 0
    code, out, _ = run(capsys, "--db", url, "--as", "anna", "import", str(write(tmp_path, "a.txt", TRANSCRIPT)))
    assert code == 0 and "1 imported" in out
    status = json.loads(run(capsys, "--db", url, "status", "--json")[1])
    assert (status["transcripts"], status["segments"], status["codes"]) == (1, 6, 16)


RATINGS = "unit,coder,code\n" + "".join(
    f"{u},A,{a}\n{u},B,{b}\n" for u, (a, b) in enumerate(
        [("x", "x")] * 20 + [("x", "")] * 5 + [("", "x")] * 10 + [("", "")] * 15)
)


def test_agreement_json_from_a_ratings_file(capsys, tmp_path):
    """The Wikipedia worked example (kappa 0.4) through the command line."""
    code, out, _ = run(capsys, "agreement", "--ratings", str(write(tmp_path, "r.csv", RATINGS)), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["coders"] == ["A", "B"] and report["units"] == 50 and report["level"] == "code"
    assert report["overall"]["method"] == "cohen"
    x = report["codes"]["x"]
    assert (x["n"], x["a_yes"], x["b_yes"], x["both"]) == (50, 25, 30, 20)
    assert abs(x["kappa"] - 0.4) < 1e-12 and x["band"] == "fair" and x["reason"] is None


def test_agreement_table_and_errors(capsys, tmp_path):
    code, out, _ = run(capsys, "agreement", "--ratings", str(write(tmp_path, "r.csv", RATINGS)))
    assert code == 0 and "A vs B: 50 units" in out and "overall (Cohen)" in out and "fair" in out
    code, _, err = run(capsys, "agreement", "--ratings",
                       str(write(tmp_path, "bad.csv", "unit,coder,code\n1,A,x\n1,B,x\n1,C,x\n")))
    assert code == 1 and "bad.csv:4: a third coder 'C'" in err


def test_agreement_on_a_study(capsys, tmp_path):
    from coder.coding.actions import add_coding
    from coder.storage.database import open_study

    db = str(tmp_path / "s.db")
    run(capsys, "--db", db, "init", "--codebook", str(SHIPPED_CODEBOOK))
    run(capsys, "--db", db, "import", str(write(tmp_path, "a.txt", TRANSCRIPT)))
    study = open_study(db)
    with study.session() as session:
        for coder, pass_, theme in (("anna", "primary", "flexibility"), ("bram", "blind", "flexibility")):
            add_coding(session, coder, theme, 1, 2, 3, pass_=pass_)
            add_coding(session, coder, "reflection", 1, 4, 4, pass_=pass_)
    study.close()
    code, out, _ = run(capsys, "--db", db, "agreement", "--json")
    report = json.loads(out)
    assert code == 0 and report["units"] == 2 and report["level"] == "theme"
    assert report["codes"]["flexibility"]["both"] == 1
    assert report["codes"]["interdependence"]["reason"] is not None
    code, _, err = run(capsys, "--db", db, "agreement", "--coders", "anna")
    assert code == 2 and "give two coder names" in err


def test_roles_setting(capsys, tmp_path):
    db = str(tmp_path / "s.db")
    run(capsys, "--db", db, "init")
    assert run(capsys, "--db", db, "roles")[1].strip() == "turns not coded: interviewer"
    assert run(capsys, "--db", db, "roles", "--uncodable", "interviewer,Observer")[1].strip() == (
        "turns not coded: interviewer, observer")
    assert "none" in run(capsys, "--db", db, "roles", "--uncodable", "")[1]


def test_status_as_a_table(capsys, tmp_path):
    db = str(tmp_path / "s.db")
    run(capsys, "--db", db, "init", "--codebook", str(SHIPPED_CODEBOOK))
    run(capsys, "--db", db, "import", str(write(tmp_path, "a.txt", TRANSCRIPT)))
    code, out, _ = run(capsys, "--db", db, "status")
    assert code == 0
    assert f"study        {db}" in out and "transcripts  1 (po 1)" in out and "codings      none yet" in out


def command_paths(group: click.Group | None = None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group under the root, as the words that name it."""
    group = group or cli
    paths = []
    for name, command in group.commands.items():
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
    return paths


def test_the_walk_finds_nested_commands():
    assert {("codebook", "load"), ("export", "codings"), ("migrate",), ("status",)} <= set(command_paths())


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_offers_db_and_as(capsys, path):
    code, out, _ = run(capsys, *path, "--help")
    assert code == 0 and "--db PATH_OR_URL" in out and "--as NAME" in out


@pytest.fixture
def coded_study(capsys, tmp_path):
    """A study with the codebook and one transcript, imported as anna."""
    db = str(tmp_path / "s.db")
    run(capsys, "init", "--codebook", str(SHIPPED_CODEBOOK), "--db", db)
    run(capsys, "import", str(write(tmp_path, "a.txt", TRANSCRIPT)), "--db", db, "--as", "anna")
    return db


@pytest.mark.parametrize(
    "command",
    [["status", "--json"], ["codebook", "export", "--format", "yaml"], ["export", "codings", "--format", "json"],
     ["log", "--json"], ["roles"]],
    ids=" ".join,
)
def test_db_before_or_after_the_subcommand_is_the_same(capsys, tmp_path, monkeypatch, coded_study, command):
    monkeypatch.setenv("CODER_DB", str(tmp_path / "elsewhere.db"))
    before = run(capsys, "--db", coded_study, *command)
    after = run(capsys, *command, "--db", coded_study)
    assert before[0] == 0 and before == after
    assert not (tmp_path / "elsewhere.db").exists()


def test_import_with_db_after_the_paths_creates_that_study(capsys, tmp_path):
    """What a user types first: `coder import interviews/ --db study.db`."""
    folder = tmp_path / "interviews"
    folder.mkdir()
    write(folder, "a.txt", TRANSCRIPT)
    code, out, _ = run(capsys, "import", str(folder), "--db", str(tmp_path / "study.db"))
    assert code == 0 and "1 imported" in out and (tmp_path / "study.db").exists()


def actors(capsys, db: str) -> list[str]:
    return [json.loads(line)["actor"] for line in run(capsys, "log", "--json", "--db", db)[1].splitlines()]


def test_as_before_or_after_the_subcommand_and_the_later_one_wins(capsys, monkeypatch, coded_study):
    monkeypatch.setenv("CODER_USER", "from-env")
    run(capsys, "--as", "bram", "roles", "--uncodable", "interviewer", "--db", coded_study)
    run(capsys, "roles", "--uncodable", "interviewer", "--as", "carla", "--db", coded_study)
    run(capsys, "--as", "dirk", "codebook", "load", str(SHIPPED_CODEBOOK), "--as", "eva", "--db", coded_study)
    run(capsys, "roles", "--uncodable", "interviewer", "--db", coded_study)
    assert actors(capsys, coded_study)[-4:] == ["bram", "carla", "eva", "from-env"]


@pytest.mark.parametrize(
    "command",
    [[], ["status"], ["roles"], ["log"], ["agreement"], ["export", "codings"], ["export", "debrief"],
     ["export", "qdpx", "-o", "{tmp}/out.qdpx"], ["codebook", "export"], ["codebook", "load", str(SHIPPED_CODEBOOK)],
     ["assign", "--from", "anna", "--to", "bram"], ["migrate"]],
    ids=lambda c: " ".join(c[:2]) or "workbench",
)
def test_a_command_on_a_study_that_does_not_exist_creates_nothing(capsys, tmp_path, command):
    """`coder --db dmeo.db status` says there is no study there, and leaves no file or folder behind."""
    target = tmp_path / "typo" / "dmeo.db"
    code, out, err = run(capsys, "--db", str(target), *[arg.format(tmp=tmp_path) for arg in command])
    assert code == 1 and out == ""
    assert err == f"coder: error: no study at {target} (create one with `coder init`, or name another with --db)\n"
    assert not (tmp_path / "typo").exists()


def test_migrate_command_backs_up_and_migrates(capsys, tmp_path):
    db = tmp_path / "old.db"
    shutil.copy(STUDY_V1, db)
    code, out, _ = run(capsys, "migrate", "--db", str(db))
    assert code == 0 and out == (f"Study {db} migrated from schema version 1 to {SCHEMA_VERSION}; "
                                 f"the file as it was is kept as {db}.bak-v1.\n")
    assert (tmp_path / "old.db.bak-v1").read_bytes() == STUDY_V1.read_bytes()
    assert run(capsys, "migrate", "--db", str(db))[1] == f"Study {db} is at schema version {SCHEMA_VERSION}; nothing to migrate.\n"


def test_a_shared_study_says_to_run_coder_migrate(capsys, pg_admin_url):
    from tests.pg import create_database

    url = create_database(pg_admin_url, "coder_cli_v1")
    version_1_study(url).dispose()
    code, _, err = run(capsys, "status", "--db", url)
    assert code == 1 and "schema version 1; run `coder migrate` (ask the study's owner)" in err
    assert run(capsys, "migrate", "--db", url)[0] == 0
    code, out, _ = run(capsys, "status", "--json", "--db", url)
    assert code == 0 and json.loads(out)["transcripts"] == 0


def test_an_output_file_in_a_missing_folder_is_one_line_naming_it(capsys, tmp_path):
    db = str(tmp_path / "s.db")
    assert run(capsys, "--db", db, "init", "--codebook", str(SHIPPED_CODEBOOK))[0] == 0
    target = tmp_path / "no-such-folder" / "codings.csv"
    code, out, err = run(capsys, "--db", db, "export", "codings", "-o", str(target))
    assert code == 1 and out == ""
    assert err.startswith("coder: error: ") and "no-such-folder" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


TEAMS_VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Eva de Vries>Goedemorgen allemaal.</v>

00:00:05.000 --> 00:00:09.000
<v Anne-Marie van den Berg>Dank je. Ik begin maar.</v>
"""


def test_a_dry_run_shows_format_speakers_and_first_turns_and_stores_nothing(capsys, tmp_path):
    db = tmp_path / "never.db"
    vtt = write(tmp_path, "teams.vtt", TEAMS_VTT)
    code, out, _ = run(capsys, "--db", str(db), "import", "--dry-run", str(vtt))
    assert code == 0 and not db.exists()
    assert "teams.vtt: WebVTT (Teams)" in out
    assert "speaker Anne-Marie van den Berg: 1 turns, 5 words" in out
    assert "[00:00:05] Anne-Marie van den Berg: Dank je. Ik begin maar." in out


def test_an_import_names_each_files_format_and_speakers(capsys, tmp_path):
    vtt = write(tmp_path, "teams.vtt", TEAMS_VTT)
    code, out, _ = run(capsys, "--db", str(tmp_path / "s.db"), "--as", "anna", "import", str(vtt))
    assert code == 0
    assert "WebVTT (Teams); Eva de Vries (1 turns), Anne-Marie van den Berg (1 turns)" in out
