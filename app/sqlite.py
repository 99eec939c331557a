"""SQLite connection setup: WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE transactions.

pysqlite defers BEGIN until the first write, so a read-then-write transaction can fail with
"database is locked" (or, in older modes, read outside any transaction). Taking the write lock
at BEGIN (the SQLAlchemy SQLite dialect docs' recipe) serialises writers cleanly: a second
approver waits, then sees the first one's result.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 30_000
# Checkpoint (and fsync) the WAL every ~40 MB instead of every 4 MB: a page rewritten by many
# awards is copied back once, and the fsync is paid a tenth as often.
CHECKPOINT_PAGES = 10_000
CACHE_KIB = 32_768  # per connection; the default 2 MiB thrashes once the ledger has millions of rows


def configure(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
