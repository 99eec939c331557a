"""What a block of code asks the database: for tests that a page's queries do not grow with its rows and
that a request reads nothing again after its commit."""

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from app.db import transactions


@dataclass
class Seen:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0  # transactions begun
    writes: int = 0  # of which began as writes (app.db.transactions)

    def selects(self) -> int:
        return sum(1 for s in self.statements if s.lstrip().upper().startswith(("SELECT", "WITH")))


@contextmanager
def watched(engine):
    """Record the statements sent through SQLAlchemy (every statement the app runs goes through it) and
    count the transactions begun, while the block runs."""
    seen = Seen()

    def statement(_conn, _cursor, sql, *_args):
        seen.statements.append(sql)

    def begun(conn):  # after app.db.sqlite's own "begin" listener, which records the intent
        seen.transactions += 1
        seen.writes += conn.info.get(transactions.INTENT_KEY) == "write"

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begun)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begun)


def fresh(app, call):
    """Run `call` (a test-client request) in its own app context, with its own session and `g`, as a
    server runs each request: nothing the test or an earlier request loaded is at hand."""
    with app.app_context():
        return call()
