"""PostgreSQL backups and restores: PostgreSQL's documented pair, `pg_dump --format=custom` and
`pg_restore`, run with the connection from the configured URL.

Every connection detail goes to the programs through libpq's environment variables (PGHOST,
PGUSER, PGPASSWORD, …), so the password never appears on a command line (visible to every user of
the machine in `ps`). The dump is taken from a snapshot exported by a repeatable-read transaction,
so the row counts printed are exactly the dump's.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app.services.operations.backups import (
    COUNTED,
    BackupError,
    BackupResult,
    RevisionCheck,
    Snapshot,
    check_revision,
    refuse_existing,
    refuse_unless_empty,
    temp_beside,
)

# SQLAlchemy URL query options that libpq also reads from the environment.
QUERY_ENV = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
             "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
             "application_name": "PGAPPNAME", "options": "PGOPTIONS"}
TIMEOUT_S = 6 * 3600


def libpq_env(engine: Engine) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: this process's, plus the URL's connection details."""
    url = engine.url
    env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    given = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password,
             "PGDATABASE": url.database}
    for option, variable in QUERY_ENV.items():
        value = url.query.get(option)
        if value is not None:
            given[variable] = value if isinstance(value, str) else value[0]
    env.update({name: str(value) for name, value in given.items() if value not in (None, "")})
    return env


def find_program(name: str, bin_dir: str | None) -> str:
    if bin_dir:
        candidate = Path(bin_dir) / name
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            raise BackupError(f"{candidate} is not an executable {name}; check --pg-bin.")
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH. Install the PostgreSQL client programs (Debian: "
                          f"`apt install postgresql-client`) or give their directory with --pg-bin.")
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(f"{what} failed (exit {result.returncode}): {detail}")
    return result.stdout


def backup_pg(engine: Engine, path: Path, *, force: bool, bin_dir: str | None) -> BackupResult:
    refuse_existing(path, force=force)
    pg_dump = find_program("pg_dump", bin_dir)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot_id = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
        snapshot = _snapshot(conn)
        with temp_beside(path) as temp:
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot_id}", f"--file={temp}"],
                 libpq_env(engine), "pg_dump")
        conn.rollback()
    return BackupResult(path, path.stat().st_size, snapshot)


def _snapshot(conn) -> Snapshot:
    revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    counts = {t: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(t))) for t in COUNTED}
    return Snapshot(revision, counts)


def read_dump(path: Path, *, bin_dir: str | None) -> Snapshot:
    """The revision of a custom-format dump (read from the archive, no server needed)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    pg_restore = find_program("pg_restore", bin_dir)
    env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    listing = _run([pg_restore, "--list", str(path)], env,
                   f"Reading {path} (is it a pg_dump --format=custom file?)")
    tables = set(re.findall(r" TABLE DATA \S+ (\S+) ", listing))
    missing = [t for t in ("alembic_version", *COUNTED) if t not in tables]
    if missing:
        raise BackupError(f"{path} is not a Rallypoint database dump (no {', '.join(missing)} table).")
    data = _run([pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(path)], env,
                f"Reading {path}")
    match = re.search(r"^COPY \S*alembic_version .*? FROM stdin;\n([^\n\\]+)\n", data, re.MULTILINE)
    return Snapshot(match.group(1).strip() if match else None)


def restore_pg(engine: Engine, path: Path, *, force: bool,
               bin_dir: str | None) -> tuple[Snapshot, RevisionCheck]:
    """Check the dump, then load it into the configured database in one transaction.

    `--clean --if-exists` drops the dump's objects first, so a migrated but empty database (or,
    forced, one with data) takes the dump as it is; nothing is left half-restored on an error."""
    snapshot = read_dump(path, bin_dir=bin_dir)
    revision = check_revision(snapshot.revision, source=str(path))
    refuse_unless_empty(engine, force=force)
    pg_restore = find_program("pg_restore", bin_dir)
    engine.dispose()
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
          f"--dbname={engine.url.database}", str(path)], libpq_env(engine), "pg_restore")
    return snapshot, revision
