"""Team mode (DESIGN §3): a PostgreSQL study whose server, not only coder, enforces the method.

In team mode every coder connects as their own database role, a member of the study's group
role, and identity is the connection (`session_user`), not what the client says. Row-level
security gives the visibility rule of `visibility` to the server itself, so a coder who
queries `coding`, `audit_log`, `decision` or `assignment` with `psql` sees no row of another
coder on a fragment they still code blind; nobody writes a coding, decision or audit row in
another coder's name; the audit log is insert-only for coders, its actor and time set by the
server; a finish or a reveal is stamped by the server's clock.

Helper functions are `SECURITY DEFINER`, owned by the study's owner, so that the policies'
own look-ups (assignments, segments) are not themselves filtered. The owner owns the tables
and so is not bound by the policies; the owner still acts only as themself.

`install` is idempotent: `coder team init` may run again after `coder migrate` to cover new
tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from coder.errors import StudyError

TEAM_KEY = "team_group"
#: Role names coder creates: what a connection URL can carry without escaping.
ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: Tables under row-level security: those whose rows carry a fragment's codes, memos or notes,
#: filtered per coder, and the coders' undo stacks, each coder's own.
GUARDED = ("coding", "audit_log", "decision", "assignment", "undo_step")

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION coder_me() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id FROM coder WHERE name = session_user
$$;

CREATE OR REPLACE FUNCTION coder_pending(tid integer, s integer, e integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM assignment a
        JOIN segment f ON f.id = a.first_segment_id
        JOIN segment l ON l.id = a.last_segment_id
        WHERE a.to_coder_id = coder_me() AND a.done_at IS NULL AND a.revealed_at IS NULL
          AND a.transcript_id = tid AND s < l."end" AND e > f.start)
$$;

CREATE OR REPLACE FUNCTION coder_pending_between(tid integer, first_id integer, last_id integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coder_pending(tid, (SELECT start FROM segment WHERE id = first_id),
                              (SELECT "end" FROM segment WHERE id = last_id))
$$;

CREATE OR REPLACE FUNCTION coder_pending_in(tid integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM assignment a WHERE a.to_coder_id = coder_me() AND a.transcript_id = tid
                   AND a.done_at IS NULL AND a.revealed_at IS NULL)
$$;

CREATE OR REPLACE FUNCTION coder_coding_visible(cid integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT c.coder_id = coder_me() OR NOT coder_pending(c.transcript_id, c.start, c."end")
                     FROM coding c WHERE c.id = cid), true)
$$;

CREATE OR REPLACE FUNCTION coder_stamp_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.actor := session_user;
    NEW.at := now() AT TIME ZONE 'UTC';
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION coder_stamp_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.done_at IS NOT NULL AND OLD.done_at IS NULL THEN NEW.done_at := now() AT TIME ZONE 'UTC'; END IF;
    IF NEW.revealed_at IS NOT NULL AND OLD.revealed_at IS NULL THEN
        NEW.revealed_at := now() AT TIME ZONE 'UTC';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS coder_stamp ON audit_log;
CREATE TRIGGER coder_stamp BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION coder_stamp_audit();
DROP TRIGGER IF EXISTS coder_stamp ON assignment;
CREATE TRIGGER coder_stamp BEFORE UPDATE ON assignment FOR EACH ROW EXECUTE FUNCTION coder_stamp_assignment();
"""

#: (table, policy, command, USING, WITH CHECK): the method as the server enforces it.
_POLICIES = (
    ("coding", "read", "SELECT", "coder_id = coder_me() OR NOT coder_pending(transcript_id, start, \"end\")", None),
    ("coding", "write", "INSERT", None, "coder_id = coder_me()"),
    # Removing (soft-deleting) one's own coding, or replacing a consensus coding in a review.
    ("coding", "remove", "UPDATE", "coder_id = coder_me() OR pass = 'consensus'",
     "coder_id = coder_me() OR pass = 'consensus'"),
    ("audit_log", "read", "SELECT",
     "actor = session_user OR ((coding_id IS NULL OR coder_coding_visible(coding_id)) AND "
     "(NOT (starts_with(kind, 'blind.') OR starts_with(kind, 'review.')) OR transcript_id IS NULL "
     "OR NOT coder_pending_in(transcript_id)))", None),
    ("audit_log", "write", "INSERT", None, "actor = session_user"),
    ("decision", "read", "SELECT",
     "decided_by = session_user OR NOT coder_pending_between(transcript_id, first_segment_id, last_segment_id)", None),
    ("decision", "write", "INSERT", None, "decided_by = session_user"),
    ("decision", "change", "UPDATE", "decided_by = session_user", "decided_by = session_user"),
    ("assignment", "read", "SELECT",
     "to_coder_id = coder_me() OR from_coder_id = coder_me() "
     "OR NOT coder_pending_between(transcript_id, first_segment_id, last_segment_id)", None),
    ("assignment", "write", "INSERT", None, "true"),
    ("assignment", "finish", "UPDATE", "to_coder_id = coder_me()", "to_coder_id = coder_me()"),
    ("undo_step", "read", "SELECT", "coder_id = coder_me()", None),
    ("undo_step", "write", "INSERT", None, "coder_id = coder_me()"),
)


def _grants(group: str, database: str) -> list[str]:
    """What the group may do: read and add everywhere; change only what the method changes;
    never update or delete an audit row or an undo step, nor rewrite a coding (only mark it removed)."""
    return [
        f'REVOKE CONNECT ON DATABASE "{database}" FROM PUBLIC',
        f'GRANT CONNECT ON DATABASE "{database}" TO "{group}"',
        f'GRANT USAGE ON SCHEMA public TO "{group}"',
        f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{group}"',
        f'REVOKE UPDATE ON coding, audit_log, undo_step FROM "{group}"',
        f'GRANT UPDATE (deleted_at, deleted_by, superseded_by) ON coding TO "{group}"',
        f'GRANT DELETE ON participant TO "{group}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{group}"',
    ]


def _policy_sql(table: str, name: str, command: str, using: str | None, check: str | None) -> list[str]:
    clauses = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
    return [f'DROP POLICY IF EXISTS coder_{name} ON {table}',
            f'CREATE POLICY coder_{name} ON {table} FOR {command}{clauses}']


def group_role(conn: Connection) -> str | None:
    """The study's group role when it is in team mode, else None."""
    return conn.execute(text("SELECT value FROM meta WHERE key = :key"), {"key": TEAM_KEY}).scalar()


def is_team_study(engine: Engine) -> bool:
    """Whether `coder team init` made this study a team study (a SQLite file never is one)."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return group_role(conn) is not None


def _check_owner(conn: Connection) -> tuple[str, str]:
    """(the connection's role, the database): refuse anyone but the owner of the study's tables."""
    me, database, owner = conn.execute(text(
        "SELECT session_user, current_database(), (SELECT tableowner FROM pg_tables "
        "WHERE schemaname = 'public' AND tablename = 'coding')")).one()
    if owner is None:
        raise StudyError("this database holds no study yet: create it first with `coder init`")
    if me != owner:
        raise StudyError(f"only the study's owner ({owner}) can manage the team; you are connected as {me}")
    return me, database


def install(engine: Engine) -> str:
    """Turn the study into a team study (`coder team init`); returns the group role's name."""
    _require_postgres(engine)
    with engine.begin() as conn:
        _, database = _check_owner(conn)
        group = group_role(conn) or f"{database}_coders"[:63]
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :g"), {"g": group}).scalar()
        if not exists:
            conn.exec_driver_sql(f'CREATE ROLE "{group}" NOLOGIN')
        conn.exec_driver_sql(_FUNCTIONS)
        statements = _grants(group, database)
        for table in GUARDED:
            statements.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for policy in _POLICIES:
            statements.extend(_policy_sql(*policy))
        for statement in statements:
            conn.exec_driver_sql(statement)
        conn.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v"),
                     {"k": TEAM_KEY, "v": group})
    return group


@dataclass(frozen=True)
class Member:
    name: str
    can_log_in: bool


def _require_postgres(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise StudyError("team mode is for a study shared in PostgreSQL; a SQLite study is one person's file")


def _team_group(conn: Connection) -> str:
    group = group_role(conn)
    if group is None:
        raise StudyError("this study is not in team mode yet: its owner runs `coder team init` first")
    return group


def _quoted_password(password: str) -> str:
    """A password as an SQL literal (DDL takes no bound parameters)."""
    if "\x00" in password:
        raise StudyError("a password cannot hold a NUL character")
    return "'" + password.replace("'", "''") + "'"


def add_member(engine: Engine, name: str, password: str | None = None) -> None:
    """Create (or re-admit) a coder's login role in the study's group (`coder team add`)."""
    _require_postgres(engine)
    if not ROLE_NAME.match(name):
        raise StudyError(f"'{name}' cannot be a coder's login: use lower-case letters, digits and _, "
                         "starting with a letter (e.g. marieke or bob_2)")
    with engine.begin() as conn:
        _check_owner(conn)
        group = _team_group(conn)
        secret = f" PASSWORD {_quoted_password(password)}" if password else ""
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar()
        verb = "ALTER" if exists else "CREATE"
        conn.exec_driver_sql(f'{verb} ROLE "{name}" LOGIN{secret}')
        conn.exec_driver_sql(f'GRANT "{group}" TO "{name}"')


def remove_member(engine: Engine, name: str) -> None:
    """Take a coder's login away (`coder team remove`); their coder row and work stay, and so
    does their membership, so that `team list` still shows them and `team add` lets them back."""
    _require_postgres(engine)
    with engine.begin() as conn:
        _check_owner(conn)
        group = _team_group(conn)
        if name not in {m.name for m in _members(conn, group)}:
            raise StudyError(f"'{name}' is not in the team (`coder team list` shows who is)")
        conn.exec_driver_sql(f'ALTER ROLE "{name}" NOLOGIN')


def _members(conn: Connection, group: str) -> list[Member]:
    rows = conn.execute(text(
        "SELECT r.rolname, r.rolcanlogin FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid "
        "JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname = :g ORDER BY r.rolname"), {"g": group})
    return [Member(name, login) for name, login in rows]


def members(engine: Engine) -> list[Member]:
    """The coders in the study's team (`coder team list`)."""
    _require_postgres(engine)
    with engine.connect() as conn:
        return _members(conn, _team_group(conn))


def connection_identity(engine: Engine) -> str | None:
    """Who a team study's connection acts as (its role), or None outside team mode."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        if group_role(conn) is None:
            return None
        return conn.execute(text("SELECT session_user")).scalar()
