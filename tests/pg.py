"""A real PostgreSQL server for the tests, started by the tests themselves.

Order of preference (issue 2): `CODER_TEST_PG_URL` if set; else the machine's
PostgreSQL binaries (`/usr/lib/postgresql/*/bin`), run as the `postgres` user when
we are root (PostgreSQL refuses to run as root); else the `pgserver` package from
PyPI, which ships its own binaries. Never a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _machine_bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


@contextmanager
def _machine_server(bin_dir: Path) -> Iterator[str]:
    """initdb + pg_ctl in a temp dir on a free loopback port."""
    root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="coder-pg-"))
    data = base / "data"
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")

    def run(*args: str) -> None:
        cmd = list(args)
        if root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, env=env, capture_output=True)

    if root:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
    run(
        str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "-o",
        f"-p {port} -h 127.0.0.1 -k {base} -c fsync=off -c full_page_writes=off",
        "start",
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def _pgserver() -> Iterator[str]:
    import pgserver

    base = Path(tempfile.mkdtemp(prefix="coder-pgserver-"))
    server = pgserver.get_server(base, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield an admin URL of a running PostgreSQL server."""
    if url := os.environ.get("CODER_TEST_PG_URL"):
        yield url
        return
    bin_dir = _machine_bin_dir()
    can_switch_user = os.geteuid() != 0 or _has_postgres_user()
    if bin_dir is not None and can_switch_user:
        with _machine_server(bin_dir) as url:
            yield url
        return
    with _pgserver() as url:
        yield url


def _has_postgres_user() -> bool:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return shutil.which("runuser") is not None


def create_database(admin_url: str, name: str) -> str:
    """Create an empty database on the server and return its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)
