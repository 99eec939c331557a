"""SQL that SQLite and PostgreSQL spell differently: INSERT … ON CONFLICT, and time arithmetic."""

from sqlalchemy import Float
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement


def dialect_insert(session: Session):
    """INSERT with ON CONFLICT support for the session's database (SQLite or PostgreSQL)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class days_between(FunctionElement):
    """(later - earlier) in days, as a float, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(days_between, "postgresql")
def _days_postgresql(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"
