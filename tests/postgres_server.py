"""The machine's PostgreSQL for tests (127.0.0.1:5432, trust auth, user postgres, database test; another with
OUTAGE_MONITOR_TEST_POSTGRES): each test session works in a throwaway database `om_test_<random>`, dropped
at the end. CI (.ci/run) waits for the server and must run these tests; elsewhere an unreachable server is
a skip that says so."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ADMIN_URL = os.environ.get("OUTAGE_MONITOR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def require_postgres() -> str:
    """The admin URL once the server answers; unreachable, a failure when CI=true, else a skip."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return ADMIN_URL
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at {ADMIN_URL} is unreachable ({exc}); .ci/run waits for it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@contextmanager
def throwaway_database(admin_url: str) -> Iterator[str]:
    """A new empty database; its URL. Dropped afterwards, connections and all."""
    name = f"om_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_conninfo(admin_url, dbname=name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def empty(url: str) -> None:
    """Drop every table of the database at `url` (a fresh store for the next test)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def as_url(conninfo: str) -> str:
    """A `postgresql://` URL for a conninfo string (what a config file's settings.state holds)."""
    params = conninfo_to_dict(conninfo)
    user = params.get("user", "postgres")
    return (
        f"postgresql://{user}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{params['dbname']}"
    )


class PrivateCluster:
    """A PostgreSQL server of the test's own (Debian's initdb + pg_ctl, trust auth, a free port, a temporary
    folder), so a test may stop and start it under a running daemon. Run as the `postgres` user when the
    tests run as root (initdb refuses root)."""

    def __init__(self, bin_dir: Path, root: Path, port: int) -> None:
        self._bin = bin_dir
        self._data = root / "data"
        self._log = root / "server.log"
        self.root = root
        self.port = port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*as_postgres, *args], capture_output=True, text=True, check=False, timeout=60)
        if done.returncode != 0:
            log = self._log.read_text() if self._log.exists() else ""
            raise AssertionError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}{log}")

    def init(self) -> None:
        self._run(
            str(self._bin / "initdb"), "-D", str(self._data), "-U", "postgres", "-A", "trust", "--no-sync"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self._bin / "pg_ctl"),
            "-D",
            str(self._data),
            "-l",
            str(self._log),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self._bin / "pg_ctl"), "-D", str(self._data), "-m", "fast", "-w", "stop")


@contextmanager
def private_cluster(port: int) -> Iterator[PrivateCluster]:
    """A started private cluster, stopped and removed afterwards. Without the binaries: a skip that says so,
    a failure under CI=true."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        reason = "no /usr/lib/postgresql/*/bin/initdb: install the postgresql package to run this test"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="om-pg-"))  # not under pytest's root-only tmp_path
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        cluster = PrivateCluster(Path(found[-1]).parent, root, port)
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            with suppress(AssertionError):
                cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
