"""SQLite connection setup: WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE transactions.

pysqlite defers BEGIN until the first write, so a read-then-write transaction can fail with
"database is locked" (or, in older modes, read outside any transaction). Taking the write lock
at BEGIN (the SQLAlchemy SQLite dialect docs' recipe) serialises writers cleanly: a second
approver waits, then sees the first one's result.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 30_000


def configure(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
