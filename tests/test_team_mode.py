"""Team mode on a real PostgreSQL (DESIGN §3): roles per coder, identity from the connection,
and blindness that the server enforces on plain SQL, not only coder."""

from __future__ import annotations

import json

import psycopg
import pytest
from sqlalchemy.engine import make_url

from coder.coding.actions import undo
from coder.coding.blind_pass import blind_queue, finish, toggle_blind_code
from coder.storage.database import open_study
from tests.cli_helpers import run_cli as run
from tests.conftest import SHIPPED_CODEBOOK, TRANSCRIPT, write


def _as(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def lead(pg_admin_url) -> str:
    """The role that owns the team studies: a non-superuser that may create roles."""
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute("CREATE ROLE lead LOGIN CREATEROLE")
    return "lead"


@pytest.fixture(scope="module")
def team(pg_admin_url, lead, tmp_path_factory) -> dict[str, str]:
    """A study owned by `lead`, in team mode, with coders anna and bob.

    anna coded segments 3 and 5 and handed both to bob, who has not started: the URLs per role.
    """
    return team_study(pg_admin_url, tmp_path_factory.mktemp("team"), "team_study")


def team_study(pg_admin_url: str, folder, database: str, coders: tuple[str, str] = ("anna", "bob")) -> dict[str, str]:
    """The `team` fixture's study in a database of its own, for a test that changes it."""
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}" OWNER lead')
    owner = _as(make_url(pg_admin_url).set(database=database).render_as_string(hide_password=False), "lead")
    anna, bob = coders
    codings = write(folder, "anna.csv", "transcript,first,last,code,memo\nProefinterview,3,3,interdependence,"
                                        "anna's geheime memo\nProefinterview,5,5,flexibility,\n")
    for args in (("init", "--codebook", str(SHIPPED_CODEBOOK)), ("import", str(write(folder, "t.txt", TRANSCRIPT))),
                 ("team", "init"), ("team", "add", anna), ("team", "add", bob)):
        result = run("--db", owner, *args)
        assert result.exit_code == 0, result.output
    urls = {"lead": owner, anna: _as(owner, anna), bob: _as(owner, bob)}
    assert run("--db", urls[anna], "code", str(codings)).exit_code == 0
    assert run("--db", urls[anna], "assign", "--from", anna, "--to", bob).exit_code == 0
    return urls


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def _refused(url: str, sql: str) -> str:
    with psycopg.connect(url) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(sql)
    return str(caught.value)


def test_the_blind_coder_sees_none_of_the_first_coders_rows_with_plain_sql(team):
    bob = team["bob"]
    assert _rows(team["anna"], "SELECT count(*) FROM coding")[0][0] == 2
    assert _rows(bob, "SELECT count(*) FROM coding") == [(0,)]
    assert _rows(bob, "SELECT count(*) FROM audit_log WHERE kind = 'coding.add'") == [(0,)]
    assert _rows(bob, "SELECT count(*) FROM audit_log WHERE detail LIKE '%geheime%'") == [(0,)]
    assert _rows(bob, "SELECT count(*) FROM assignment") == [(2,)]  # his own work list
    assert _rows(team["lead"], "SELECT count(*) FROM coding") == [(2,)]  # the owner is not coding blind


def test_writes_in_another_name_and_audit_rewrites_are_refused(team):
    bob = team["bob"]
    anna_id = _rows(team["anna"], "SELECT id FROM coder WHERE name = 'anna'")[0][0]
    segment = _rows(bob, "SELECT id, start, \"end\", transcript_id FROM segment ORDER BY position LIMIT 1 OFFSET 2")[0]
    code = _rows(bob, "SELECT id FROM code LIMIT 1")[0][0]
    insert = (f"INSERT INTO coding (coder_id, code_id, transcript_id, first_segment_id, last_segment_id, start, \"end\", "
              f"memo, pass, created_at) VALUES ({anna_id}, {code}, {segment[3]}, {segment[0]}, {segment[0]}, "
              f"{segment[1]}, {segment[2]}, '', 'primary', now())")
    assert "row-level security" in _refused(bob, insert)
    assert "permission denied" in _refused(bob, "UPDATE audit_log SET actor = 'anna'")
    assert "permission denied" in _refused(bob, "DELETE FROM audit_log")
    assert "permission denied" in _refused(team["anna"], "UPDATE coding SET code_id = code_id")
    # Nobody puts a step on another coder's undo stack, nor rewrites one of their own.
    assert "row-level security" in _refused(bob, f"INSERT INTO undo_step (entry_id, coder_id) VALUES (1, {anna_id})")
    assert "permission denied" in _refused(team["anna"], "UPDATE undo_step SET below = NULL")
    assert _rows(bob, "SELECT count(*) FROM undo_step") == [(0,)] and _rows(team["anna"], "SELECT count(*) FROM undo_step")[0][0] > 0
    # The server names the actor of an audit row, whatever the client writes.
    with psycopg.connect(bob) as conn:
        conn.execute("INSERT INTO audit_log (at, actor, kind, detail) VALUES (now(), 'anna', 'coder.add', '{}')")
        assert conn.execute("SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == ("bob",)
        conn.rollback()
    status = run("--db", bob, "--as", "bob", "status")  # --as may repeat who you are
    assert status.exit_code == 0 and "you act as bob" in status.output
    refused = run("--db", bob, "--as", "anna", "status")
    assert refused.exit_code == 1 and "connected as bob" in refused.output and "--as anna is refused" in refused.output


async def test_each_coders_workbench_on_one_server_acts_as_its_connection(team):
    """The blind coder's workbench, connected as bob, queues his fragments and shows none of
    anna's codes; anna's, connected as anna, shows hers."""
    from coder.tui.app import WorkbenchApp
    from coder.tui.pilot import drive
    from coder.tui.screens.blind_coding import QueueRead
    from coder.tui.screens.coding import TranscriptOpened
    from coder.tui.screens.study import StudyRead
    from coder.tui.widgets.transcript_pane import TranscriptPane

    bob = open_study(team["bob"], create=False)
    app = WorkbenchApp(bob, bob.identity)
    async with drive(app, size=(160, 48)) as pilot:
        await pilot.wait_for(StudyRead)
        read = await pilot.press("b", until=QueueRead)
        assert read.loaded is not None and len(read.loaded.queue) == 2
        assert all(not item.codes for item in read.loaded.queue)
    bob.close()
    anna = open_study(team["anna"], create=False)
    app = WorkbenchApp(anna, anna.identity)
    async with drive(app, size=(160, 48)) as pilot:
        await pilot.wait_for(StudyRead)
        await pilot.press("enter", until=TranscriptOpened)
        codes = [(c.code_id, c.first) for c in app.screen.query_one(TranscriptPane).codings]
        assert codes == [("interdependence", 2), ("flexibility", 4)]
    anna.close()


async def test_the_study_screen_follows_the_teams_progress_live(team, monkeypatch):
    """With a shared study the study screen reads it again by itself: a coding anna makes in
    another process shows in lead's workbench without a key."""
    from coder.coding.actions import add_coding
    from coder.tui.app import WorkbenchApp
    from coder.tui.pilot import drive
    from coder.tui.screens.study import StudyRead, StudyScreen

    monkeypatch.setattr(StudyScreen, "LIVE_SECONDS", 0.3)
    lead = open_study(team["lead"], create=False)
    app = WorkbenchApp(lead, lead.identity)
    async with drive(app, size=(160, 48)) as pilot:
        await pilot.wait_for(StudyRead)
        before = app.screen.shown
        anna = open_study(team["anna"], create=False)
        with anna.session() as session:
            add_coding(session, "anna", "reflection", 1, 5, 5)
        anna.close()
        for _ in range(30):
            await pilot.wait_for(StudyRead)
            if app.screen.shown != before:
                break
        assert app.screen.shown != before
        [row] = app.screen.shown.rows
        assert row.progress is not None and "anna" in str(row.cells())
    lead.close()


def test_finishing_lifts_the_servers_blindness_and_team_commands(team):
    bob = team["bob"]
    study = open_study(bob, create=False)
    assert study.identity == "bob"
    with study.session(viewer="bob") as session:
        queue = blind_queue(session, "bob")
    with study.session(viewer="bob") as session:
        toggle_blind_code(session, "bob", queue[0].assignment_id, "reflection")
    with study.session(viewer="bob") as session:
        finish(session, "bob", queue[0].assignment_id)
    study.close()
    # anna's coding on the finished fragment, and the one she made later on no fragment of his
    # (the live-view test), but not the one on his pending fragment
    assert _rows(bob, "SELECT count(*) FROM coding c JOIN coder w ON w.id = c.coder_id WHERE w.name = 'anna'") == [(2,)]
    stamped = _rows(team["lead"], "SELECT done_at IS NOT NULL FROM assignment WHERE done_at IS NOT NULL")
    assert stamped == [(True,)]
    log = run("--db", bob, "log", "--json")
    entries = [(e["actor"], e["kind"]) for e in map(json.loads, log.stdout.splitlines())]
    assert ("anna", "coding.add") in entries and ("bob", "blind.finish") in entries

    listing = run("--db", team["lead"], "team", "list")
    assert "anna" in listing.output and "bob" in listing.output
    assert "only the study's owner" in run("--db", bob, "team", "add", "eve").output
    assert run("--db", team["lead"], "team", "remove", "bob").exit_code == 0
    assert "removed" in run("--db", team["lead"], "team", "list").output
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(bob).close()


def test_migrating_a_team_study_covers_the_tables_the_new_version_adds(pg_admin_url, lead, tmp_path):
    """A study team-inited at version 5 gains `undo_step` in version 6; a coder must still be able to code."""
    from coder.storage.migrations import SCHEMA_VERSION
    from tests.old_studies import as_version_5

    urls = team_study(pg_admin_url, tmp_path, "team_migrated", coders=("carla", "dirk"))
    study = open_study(urls["lead"], create=False)
    as_version_5(study.engine)
    study.close()
    migrated = run("--db", urls["lead"], "migrate")
    assert migrated.exit_code == 0 and f"to {SCHEMA_VERSION}" in migrated.output, migrated.output
    codings = write(tmp_path, "more.csv", "transcript,first,last,code\nProefinterview,6,6,reflection\n")
    result = run("--db", urls["carla"], "code", str(codings))
    assert result.exit_code == 0, result.output
    carla = open_study(urls["carla"], create=False)
    with carla.session() as session:
        assert undo(session, "carla") is not None
    carla.close()
    assert _rows(urls["carla"], "SELECT count(*) FROM undo_step") == [(4,)]  # two codings, a third, its undo
    assert "permission denied" in _refused(urls["carla"], "DELETE FROM undo_step")
