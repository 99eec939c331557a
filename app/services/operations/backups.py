"""Backups and restores of the whole database, without Flask.

SQLite: SQLite's online backup API copies the live database page by page in one step, inside a
read transaction on the source, so in WAL mode the app keeps reading and writing while it runs and
the copy is the database as of one moment. The copy goes to a temp file beside the target and is
renamed into place only when complete, so a failed or interrupted backup never leaves a file that
looks like a backup. PostgreSQL is in app/services/operations/pg_backups.py (pg_dump / pg_restore).

A restore first checks that the file is a Rallypoint database at an Alembic revision this code
knows (a newer one is refused), and refuses a target that already holds data unless forced.
"""

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from app.services.errors import DomainError

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"
# The tables a Rallypoint database must have; their row counts are printed after each backup.
COUNTED = {"ledger_entry": "ledger entries", "advocate": "advocates"}
# Rows the migrations themselves insert: a freshly migrated database is still "empty" with them.
SEEDED_BY_MIGRATIONS = {"alembic_version", "trigger_rule"}


class BackupError(DomainError):
    code = "backup_failed"


@dataclass
class Snapshot:
    """What a backup file (or a database) holds: its revision and row counts per table."""

    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        rows = ", ".join(f"{self.counts.get(t, 0):,} {label}" for t, label in COUNTED.items())
        return f"{rows}, Alembic revision {self.revision}"


@dataclass
class BackupResult:
    path: Path
    size: int
    snapshot: Snapshot


@dataclass
class RevisionCheck:
    revision: str
    head: str

    @property
    def older(self) -> bool:
        return self.revision != self.head


def check_revision(revision: str | None, *, source: str) -> RevisionCheck:
    """The backup's revision must be one this code's migrations know; a newer one is refused."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    if revision is None:
        raise BackupError(f"{source} has no Alembic revision (an empty alembic_version table); "
                          "it is not a complete Rallypoint database.")
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise BackupError(f"{source} is at Alembic revision {revision}, which this code does not know "
                          f"(its newest is {head}): it was made by a newer Rallypoint. Restore it with "
                          "that version, or upgrade this code first.")
    return RevisionCheck(revision, head)


def holdings(engine: Engine) -> dict[str, int]:
    """Tables of the target database that hold rows (beyond those the migrations insert)."""
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        counts = {name: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
                  for name in names if name not in SEEDED_BY_MIGRATIONS}
        conn.rollback()
    return {name: count for name, count in counts.items() if count}


def refuse_unless_empty(engine: Engine, *, force: bool) -> None:
    held = holdings(engine)
    if held and not force:
        largest = sorted(held.items(), key=lambda item: -item[1])[:5]
        listed = ", ".join(f"{name} {count:,} rows" for name, count in largest)
        more = f" and {len(held) - 5} more tables" if len(held) > 5 else ""
        raise BackupError(f"The target database is not empty: it holds {listed}{more}. Restore into an "
                          "empty database, or add --force to replace what it holds.")


def refuse_existing(path: Path, *, force: bool) -> None:
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose another path or add --force to replace it.")
    if path.is_dir():
        raise BackupError(f"{path} is a directory; give a file path.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} does not exist.")


@contextmanager
def temp_beside(path: Path) -> Iterator[Path]:
    """A temp file in PATH's directory, renamed onto PATH only if the block finishes."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


# --- SQLite ------------------------------------------------------------------------------------

def sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError("The configured database is in memory; backup and restore need a database file.")
    return Path(database)


def backup_sqlite(engine: Engine, path: Path, *, force: bool) -> BackupResult:
    """Copy the live database with the online backup API into PATH (via a temp file)."""
    refuse_existing(path, force=force)
    with temp_beside(path) as temp:
        raw = engine.raw_connection()
        try:
            _copy(raw.driver_connection, temp, what=f"The backup to {path}")
        finally:
            raw.close()
        with closing(sqlite3.connect(temp)) as written:
            written.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        snapshot = read_sqlite(temp, source=str(path))
    return BackupResult(path, path.stat().st_size, snapshot)


@contextmanager
def _open_read_only(path: Path, *, source: str) -> Iterator[sqlite3.Connection]:
    if not path.is_file():
        raise BackupError(f"{source} does not exist or is not a file.")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a SQLite database ({error}).") from None
    finally:
        conn.close()


def read_sqlite(path: Path, *, source: str, check: bool = False) -> Snapshot:
    """The revision and row counts of a SQLite file; refuses anything but a Rallypoint database."""
    with _open_read_only(path, source=source) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in ("alembic_version", *COUNTED) if t not in tables]
        if missing:
            raise BackupError(f"{source} is not a Rallypoint database (no {', '.join(missing)} table).")
        if check:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"{source} is damaged: {result}")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}  # noqa: S608
    return Snapshot(row[0] if row else None, counts)


def restore_sqlite(engine: Engine, path: Path, *, force: bool) -> tuple[Snapshot, RevisionCheck]:
    """Check the backup, then copy it over the configured database with the backup API.

    The caller must have closed every pooled connection (engine.dispose()); the copy takes the
    target's write lock for its duration, so stop the web and scheduler processes first."""
    target = sqlite_file(engine)
    snapshot = read_sqlite(path, source=str(path), check=True)
    revision = check_revision(snapshot.revision, source=str(path))
    if target.exists():
        refuse_unless_empty(engine, force=force)
    engine.dispose()
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _copy(source, target, what=f"The restore into {target}")
    finally:
        source.close()
    return snapshot, revision


def _copy(source: sqlite3.Connection, target: Path, *, what: str) -> None:
    """All pages in one step: the source is read in one transaction, so the copy is one moment of it
    (in steps, every write by another connection would restart the copy, and under load it could
    never finish). The destination is written in one transaction too: on an error it is unchanged."""
    try:
        destination = sqlite3.connect(target, timeout=30)
        try:
            source.backup(destination)
        finally:
            destination.close()
    except sqlite3.Error as error:
        raise BackupError(f"{what} failed: {error}") from None
