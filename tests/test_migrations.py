"""Migrations you can trust (DESIGN §3): frozen steps, a backup before migrating a SQLite
study, and a shared PostgreSQL study migrated only by `coder migrate`."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import stat
from contextlib import closing

import pytest
from sqlalchemy import Engine, inspect, text

from coder.coding.actions import history, redo, set_memo, toggle_code, undo
from coder.errors import StudyError
from coder.storage import migrations
from coder.storage.database import is_url, make_engine, migrate_study, open_study
from coder.storage.migrations import MIGRATIONS, SCHEMA_VERSION, Step, migrate
from coder.storage.models import Coding
from tests.old_studies import STUDY_V1, STUDY_V3, as_version_5, version_1_study
from tests.pg import create_database

_fresh_names = itertools.count()


def schema(engine: Engine) -> dict[str, dict[str, object]]:
    """Every table's columns (name, type, nullability), key, indexes, unique constraints and foreign keys."""
    with engine.connect() as conn:
        found = inspect(conn)
        return {
            table: {
                "columns": [(c["name"], repr(c["type"]), c["nullable"]) for c in found.get_columns(table)],
                "primary_key": found.get_pk_constraint(table)["constrained_columns"],
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)),
                "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
                "foreign_keys": sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                                       for f in found.get_foreign_keys(table)),
            }
            for table in found.get_table_names()
        }


@pytest.fixture
def fresh_target(request, db_target, tmp_path) -> str:
    """A second empty target on the same backend as `db_target`."""
    if not is_url(db_target):
        return str(tmp_path / "fresh.db")
    return create_database(request.getfixturevalue("pg_admin_url"), f"coder_fresh_{next(_fresh_names)}")


def test_the_steps_build_exactly_the_schema_a_new_study_gets(db_target, fresh_target):
    """A version-1 study migrated step by step has today's tables, columns, types, keys and indexes."""
    old = version_1_study(db_target)
    assert migrate(old) == 1
    fresh = open_study(fresh_target)
    try:
        migrated, new = schema(old), schema(fresh.engine)
        assert migrated.keys() == new.keys()
        for table in new:
            assert migrated[table] == new[table], table
    finally:
        old.dispose()
        fresh.close()


def test_step_2_creates_the_assignment_table_as_version_2_had_it(db_target):
    """Frozen DDL: version 2's assignments had no blind-pass state, whatever today's model holds."""
    engine = version_1_study(db_target)
    migrate(engine, MIGRATIONS[:1], target=2)
    with engine.connect() as conn:
        columns = [c["name"] for c in inspect(conn).get_columns("assignment")]
        assert not inspect(conn).has_table("decision")
    engine.dispose()
    assert columns == ["id", "from_coder_id", "to_coder_id", "transcript_id", "first_segment_id",
                       "last_segment_id", "created_at", "created_by"]


def test_step_6_builds_each_coders_undo_and_redo_stacks_from_the_audit_log(sample):
    """A version-5 study with a history: after migrating, both coders undo and redo exactly
    what the replay of their audit rows gave, and a restart keeps it."""
    study, t = sample
    presses = [("anna", toggle_code, "flexibility", 2), ("anna", toggle_code, "reflection", 3), ("anna", undo),
               ("bram", toggle_code, "reflection", 4), ("anna", toggle_code, "interdependence", 4),
               ("anna", "memo"), ("anna", undo), ("anna", undo), ("anna", redo), ("bram", undo)]
    for coder, step, *args in presses:
        with study.session() as session:
            if step == "memo":
                set_memo(session, session.get(Coding, history(session, coder)[0][-1].added).id, "memo", coder)
            elif args:
                step(session, coder, args[0], t, args[1], args[1])
            else:
                step(session, coder)
    with study.reader() as session:
        before = {coder: history(session, coder) for coder in ("anna", "bram")}
    assert [len(s) for s in before["anna"]] == [2, 1] and [len(s) for s in before["bram"]] == [0, 1]
    as_version_5(study.engine)
    assert migrate(study.engine) == 5
    with study.reader() as session:
        assert {coder: history(session, coder) for coder in ("anna", "bram")} == before
    with study.session() as session:
        redo(session, "anna")
    with study.reader() as session:
        undo_stack, redo_stack = history(session, "anna")
    assert redo_stack == before["anna"][1][:-1] and undo_stack[:-1] == before["anna"][0]


def test_step_7_gives_a_version_6_study_the_indexes_its_hot_lookups_search(db_target):
    """A study made by version 6 (today's, less the two indexes) gains them, its rows untouched."""
    study = open_study(db_target)
    with study.engine.begin() as conn:
        for statement in ("DROP INDEX ix_coding_fragment", "DROP INDEX ix_transcript_deleted_at",
                          "UPDATE meta SET value = '6' WHERE key = 'schema_version'"):
            conn.exec_driver_sql(statement)
    assert migrate(study.engine) == 6
    indexes = schema(study.engine)
    study.close()
    assert ("ix_coding_fragment", ("first_segment_id", "last_segment_id"), False) in indexes["coding"]["indexes"]
    assert ("ix_transcript_deleted_at", ("deleted_at",), False) in indexes["transcript"]["indexes"]


def rows(path, table: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def grow_schema(monkeypatch) -> int:
    """Plan one step past today's schema (coders get an e-mail address), as the next version of coder will."""
    def add_email(conn):
        conn.exec_driver_sql("ALTER TABLE coder ADD COLUMN email VARCHAR(255)")

    grown = SCHEMA_VERSION + 1
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, Step(grown, add_email, "coders get an e-mail address")))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", grown)
    return grown


@pytest.mark.parametrize("table", ["coding", "assignment", "decision", "audit_log"])
def test_the_version_3_study_opens_with_all_its_work(tmp_path, table):
    """study-v3.db was made by coder before issue #11; today's code keeps every row of it."""
    copy = tmp_path / "study.db"
    shutil.copy(STUDY_V3, copy)
    before = rows(copy, table)
    study = open_study(str(copy))
    study.close()
    assert len(before) > 0
    assert [row[:len(before[0])] for row in rows(copy, table)] == before  # later columns are added at the end


def test_the_version_3_study_gains_its_samples_and_no_code_notes_from_its_audit_log(tmp_path):
    """Version 4 carries over what only the audit log knew: each assign run, and 'no code' notes."""
    copy = tmp_path / "study.db"
    shutil.copy(STUDY_V3, copy)
    with closing(sqlite3.connect(copy)) as conn:
        draws = conn.execute("SELECT detail FROM audit_log WHERE kind = 'assignment.add' ORDER BY id").fetchall()
        notes = conn.execute("SELECT detail FROM audit_log WHERE kind = 'blind.no_code'").fetchall()
    assert draws
    open_study(str(copy)).close()
    samples = rows(copy, "blind_sample")
    assert [(s[3], s[4]) for s in samples] == [(None, None)] * len(draws)  # all fragments given: no seed drawn with
    sample_ids = {s[0] for s in samples}
    assignments = rows(copy, "assignment")
    assert assignments and all(a[-1] in sample_ids for a in assignments)  # every one points at its draw
    expected_notes = {json.loads(d)["assignment"]: json.loads(d)["note"] for (d,) in notes}
    assert {a[0]: a[-2] for a in assignments if a[0] in expected_notes} == expected_notes


def test_migrating_the_version_3_study_leaves_its_backup_beside_it(tmp_path, monkeypatch):
    grown = grow_schema(monkeypatch)
    copy = tmp_path / "study.db"
    shutil.copy(STUDY_V3, copy)
    codings = rows(copy, "coding")
    study = open_study(str(copy))
    with study.engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar() == str(grown)
    study.close()
    backup = tmp_path / "study.db.bak-v3"
    assert backup.read_bytes() == STUDY_V3.read_bytes()
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert rows(copy, "coding") == codings and len(codings) == 9


def test_opening_a_version_1_study_backs_it_up_first(tmp_path):
    copy = tmp_path / "study.db"
    shutil.copy(STUDY_V1, copy)
    study = open_study(str(copy))
    study.close()
    assert (tmp_path / "study.db.bak-v1").read_bytes() == STUDY_V1.read_bytes()


def test_the_backup_holds_what_was_still_in_the_write_ahead_log(tmp_path):
    """A coder added in another connection, not yet folded into the file, is in the backup too."""
    copy = tmp_path / "study.db"
    shutil.copy(STUDY_V1, copy)
    other = sqlite3.connect(copy, isolation_level=None)
    try:
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("INSERT INTO coder (name, created_at) VALUES ('late', '2026-01-01 00:00:00')")
        assert (tmp_path / "study.db-wal").stat().st_size > 0
        open_study(str(copy)).close()
    finally:
        other.close()
    with closing(sqlite3.connect(tmp_path / "study.db.bak-v1")) as backup:
        assert [name for (name,) in backup.execute("SELECT name FROM coder")] == ["anna", "late"]


def test_an_earlier_backup_is_never_overwritten(tmp_path):
    copy = tmp_path / "study.db"
    shutil.copy(STUDY_V1, copy)
    (tmp_path / "study.db.bak-v1").write_bytes(b"an earlier backup")
    open_study(str(copy)).close()
    assert (tmp_path / "study.db.bak-v1").read_bytes() == b"an earlier backup"
    assert (tmp_path / "study.db.bak-v1.1").read_bytes() == STUDY_V1.read_bytes()


def test_a_study_at_todays_version_makes_no_backup(tmp_path):
    open_study(str(tmp_path / "study.db")).close()
    open_study(str(tmp_path / "study.db")).close()
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == []


def test_a_shared_study_is_migrated_only_by_coder_migrate(pg_admin_url):
    url = create_database(pg_admin_url, "coder_shared_v1")
    version_1_study(url).dispose()
    with pytest.raises(StudyError, match=rf"schema version 1; run `coder migrate` \(ask the study's owner\) to bring it to "
                                         rf"{SCHEMA_VERSION}"):
        open_study(url)
    engine = make_engine(url)
    with engine.connect() as conn:  # refused, and left as it was
        assert not inspect(conn).has_table("assignment")
    engine.dispose()
    upgrade = migrate_study(url)
    assert (upgrade.before, upgrade.after, upgrade.backup) == (1, SCHEMA_VERSION, None)
    open_study(url).close()
    assert migrate_study(url).before == SCHEMA_VERSION  # a second run finds nothing to do


def test_migrate_study_backs_up_a_sqlite_study(tmp_path):
    copy = tmp_path / "study.db"
    shutil.copy(STUDY_V1, copy)
    upgrade = migrate_study(str(copy))
    assert (upgrade.before, upgrade.after, upgrade.backup) == (1, SCHEMA_VERSION, tmp_path / "study.db.bak-v1")


def test_a_study_that_must_exist_is_not_created(tmp_path):
    target = tmp_path / "typo" / "dmeo.db"
    with pytest.raises(StudyError, match=r"no study at .*dmeo\.db \(create one with `coder init`"):
        open_study(str(target), create=False)
    assert not (tmp_path / "typo").exists()
    with pytest.raises(StudyError, match="no study at"):
        migrate_study(str(target))
    assert not (tmp_path / "typo").exists()


def test_an_empty_database_that_must_hold_a_study_is_refused(db_target):
    if not is_url(db_target):
        open(db_target, "wb").close()  # an empty file, as an interrupted tool may leave
    with pytest.raises(StudyError, match=r"no study in .*: it is empty \(create one with `coder init`\)"):
        open_study(db_target, create=False)
    engine = make_engine(db_target)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()
    open_study(db_target, create=True).close()
    open_study(db_target, create=False).close()  # once created, it opens
