"""Read and write transactions: what a transaction is for is decided before it begins.

Every transaction begins with an intent, "read" or "write", taken from a context variable whose
default is "write" (jobs, the CLI and tests behave as they always did). A web request's intent
comes from its method: GET, HEAD and OPTIONS read, every other method writes.

On SQLite (app.db.sqlite) a write transaction begins with BEGIN IMMEDIATE, so a writer waits for the
write lock (busy_timeout) instead of failing later, when pysqlite would upgrade a read snapshot that
another writer has overtaken. A read transaction begins with a deferred BEGIN and `PRAGMA
query_only`, so it never takes the write lock and a stray write in it fails loudly. On PostgreSQL
a read transaction is `READ ONLY`, so the same stray write fails there too.

A reading request that must write (the API's rate count, a page that records a visit) does that
write in its own short write transaction: `with writing(db.session): ...` commits on leaving (rolls
back on an error) and the request goes on reading.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

from flask import Flask, g, request
from sqlalchemy.orm import Session, scoped_session

Intent = Literal["read", "write"]
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
INTENT_KEY = "rallypoint_intent"  # in a connection's info: the intent its open transaction began with

_intent: ContextVar[Intent] = ContextVar("transaction_intent", default="write")


def intent() -> Intent:
    """The intent the next transaction begins with."""
    return _intent.get()


@contextmanager
def intent_of(value: Intent) -> Iterator[None]:
    """Transactions begun inside the block begin with `value` (one already open is unchanged)."""
    token = _intent.set(value)
    try:
        yield
    finally:
        _intent.reset(token)


def open_intent(session: Session | scoped_session) -> Intent | Literal["failed"] | None:
    """The intent of the session's open transaction: None when none is open, "failed" when an
    error has left it to be rolled back."""
    transaction = _plain(session).get_transaction()
    if transaction is None:
        return None
    if not transaction.is_active:  # failed: only a rollback may follow, whatever it was for
        return "failed"
    return session.connection().info.get(INTENT_KEY, "write")


def _plain(session: Session | scoped_session) -> Session:
    return session() if isinstance(session, scoped_session) else session


@contextmanager
def writing(session: Session | scoped_session) -> Iterator[None]:
    """Run the block in a write transaction and commit it on leaving (roll back if the block raises).

    From a reading request the open read transaction is ended first (it holds no writes, so it is
    committed: anything pending fails loudly) and the request reads again afterwards. In a writing
    context the block joins the open write transaction, which the commit on leaving ends.
    """
    if open_intent(session) == "read":
        session.commit()
    with intent_of("write"):
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise


def init_app(app: Flask, session_of) -> None:
    """Give each request its intent by method; a read transaction ends with its request.

    `session_of()` returns the request's SQLAlchemy session. Register before any hook that may
    touch the database, so every transaction of the request begins with the right intent."""

    def _begin_request():
        g.transaction_intent_token = _intent.set("read" if request.method in READ_METHODS else "write")

    def _end_request(_error):
        session = session_of()
        if open_intent(session) in ("read", "failed"):
            session.rollback()
        token = g.pop("transaction_intent_token", None)
        if token is not None:
            _intent.reset(token)

    app.before_request_funcs.setdefault(None, []).insert(0, _begin_request)
    app.teardown_request(_end_request)
