"""Connection setup: on SQLite WAL, foreign keys, a busy timeout, and transactions begun by intent.

A write transaction (app.db.transactions) begins with BEGIN IMMEDIATE: pysqlite would defer taking the
write lock to the first write, and upgrading a read snapshot that another writer has overtaken
fails at once with "database is locked" whatever the busy timeout. Taking the lock at BEGIN (the
SQLAlchemy SQLite dialect docs' recipe) serialises writers cleanly: a second approver waits, then
sees the first one's result. A read transaction begins deferred with `PRAGMA query_only` on, so it
never takes the write lock (WAL lets it read while a writer writes) and cannot write by mistake.
On PostgreSQL a read transaction begins READ ONLY.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.db import transactions

BUSY_TIMEOUT_MS = 30_000
# Checkpoint (and fsync) the WAL every ~40 MB instead of every 4 MB: a page rewritten by many
# awards is copied back once, and the fsync is paid a tenth as often.
CHECKPOINT_PAGES = 10_000
CACHE_KIB = 32_768  # per connection; the default 2 MiB thrashes once the ledger has millions of rows


def configure(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        _begin_by_intent_on_postgresql(engine)
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
        intent = transactions.intent()
        connection.info[transactions.INTENT_KEY] = intent
        query_only = intent == "read"
        if connection.info.get("query_only", False) != query_only:
            connection.exec_driver_sql(f"PRAGMA query_only = {int(query_only)}")
            connection.info["query_only"] = query_only
        connection.exec_driver_sql("BEGIN" if query_only else "BEGIN IMMEDIATE")


def _begin_by_intent_on_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        intent = transactions.intent()
        connection.info[transactions.INTENT_KEY] = intent
        # psycopg then opens the transaction with BEGIN READ ONLY: one round trip, not two.
        engine.dialect.set_readonly(connection.connection.dbapi_connection, intent == "read")
