"""A throwaway PostgreSQL cluster with PostGIS for the tests, started once per session.

The cluster lives under ``/tmp`` (the ``postgres`` user must reach it: a private ``TMPDIR``
would not do), with trust authentication, ``fsync=off``, listening on 127.0.0.1 on a free port
and with its socket in its own folder. A template database holds the ``postgis`` extension;
every test gets a fresh database copied from it (``CREATE DATABASE ... TEMPLATE``), which takes
a few milliseconds. As root, ``initdb`` and ``pg_ctl`` run as ``postgres`` (``initdb`` refuses
root); as anyone else they run directly.

Where the binaries or the extension are missing the tests that need them skip, naming what is
missing, unless ``OUTREACH_REQUIRE_POSTGIS=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REQUIRE_ENV: Final = "OUTREACH_REQUIRE_POSTGIS"
TEMPLATE: Final = "atlas_template"


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster: where to reach it, and how to make fresh databases."""

    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh database with PostGIS (copied from the template); its URL."""
        import psycopg

        name = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)


def missing() -> str | None:
    """What this machine lacks to run the cluster (None: nothing)."""
    if not _binaries():
        return "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)"
    if not glob.glob("/usr/share/postgresql/*/extension/postgis.control"):
        return "the PostGIS extension (/usr/share/postgresql/*/extension/postgis.control)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg package"
    return None


def _binaries() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster]:
    """Start a cluster under /tmp with a PostGIS template database; stop and remove it after."""
    import psycopg

    bin_dir = _binaries()
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="atlas-pg-", dir="/tmp"))
    data, sock = root / "data", root / "sock"
    data.mkdir()
    sock.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster is the postgres user's
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    log = root / "server.log"

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, timeout=60)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-N")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off"
        )
        if as_postgres:
            shutil.chown(root, "postgres")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        cluster = Cluster(port)
        try:
            with psycopg.connect(cluster.url(), autocommit=True) as db:
                db.execute(f"CREATE DATABASE {TEMPLATE}")
            with psycopg.connect(cluster.url(TEMPLATE), autocommit=True) as db:
                db.execute("CREATE EXTENSION postgis")
            yield cluster
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
