"""A real PostgreSQL for the tests marked `postgres`.

The session starts a throwaway cluster with Debian's server binaries (initdb, pg_ctl), owned by
the `postgres` OS user, listening only on a unix socket in a temp directory. TEST_PG_URL points
the tests at an existing server instead (any database there that may CREATE DATABASE). Without
server binaries the tests skip, unless CI is set: then they fail, because CI must prove them.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import migrate_database

PG_GLOB = "/usr/lib/postgresql/*/bin"


@dataclass
class PgServer:
    """Connection details for a server on which the tests may create and drop databases."""

    admin_url: str  # SQLAlchemy URL of a database to connect to for CREATE/DROP DATABASE

    def url(self, dbname: str) -> str:
        return make_url(self.admin_url).set(database=dbname).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        conninfo = make_url(self.admin_url).set(drivername="postgresql")
        with psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, template: str | None = None) -> str:
        name = f"rp_{uuid.uuid4().hex[:12]}"
        self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop_database(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def find_pg_bin() -> Path | None:
    """The newest Debian PostgreSQL server bin directory that has initdb and pg_ctl."""
    candidates = sorted(glob.glob(PG_GLOB), key=lambda p: int(Path(p).parent.name), reverse=True)
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*command: str) -> list[str]:
    """Run a server command as the postgres OS user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI but unavailable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (install Debian's `postgresql` or set TEST_PG_URL)")


class Cluster:
    """A throwaway cluster in a temp directory (also started by `make bench-load`, without pytest)."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="rallypoint-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()

    def start(self) -> PgServer:
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres", group="postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.root}' -p {self.port} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
                  "-w", "-t", "60", "start")
        return PgServer(f"postgresql+psycopg://postgres@/postgres?host={self.root}&port={self.port}")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = _as_postgres(str(self.bin_dir / program), *args)
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr}\n{tail}")


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the session: TEST_PG_URL, or a temp cluster started here."""
    if os.environ.get("TEST_PG_URL"):
        yield PgServer(os.environ["TEST_PG_URL"])
        return
    bin_dir = find_pg_bin()
    if bin_dir is None:
        _unavailable(f"no server binaries matching {PG_GLOB}/initdb")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        _unavailable("running as root without `runuser` to drop to the postgres user")
    cluster = Cluster(bin_dir)
    try:
        server = cluster.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        cluster.stop()
        _unavailable(f"could not start a temp cluster: {error}")
    yield server
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server, tmp_path_factory):
    """A database migrated to head, copied (CREATE DATABASE … TEMPLATE) for each test."""
    name = pg_server.create_database()
    migrate_database(pg_server.url(name), str(tmp_path_factory.mktemp("pg-uploads")))
    yield name
    pg_server.drop_database(name)


@pytest.fixture
def pg_url(pg_server, pg_template):
    """URL of a fresh PostgreSQL database holding the migrated schema; dropped after the test."""
    name = pg_server.create_database(template=pg_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture
def pg_empty_url(pg_server):
    """URL of a fresh, empty PostgreSQL database; dropped after the test."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)
