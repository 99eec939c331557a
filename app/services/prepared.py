"""Statements for the award path, run on the DB-API cursor of the session's own connection.

An award runs the same few statements thousands of times a second, and SQLAlchemy's execution
layer (cache lookup, parameter set-up, result objects, events) costs about 0.1 ms per statement:
more than SQLite takes to run it. A `Prepared` statement is compiled by SQLAlchemy once per dialect,
so its parameter markers and its value conversions (enums, dates, JSON) are exactly SQLAlchemy's, and
then runs on the raw cursor of the connection the session already holds: same transaction, same
locks. Driver errors are raised as SQLAlchemy's exceptions (IntegrityError, OperationalError, …).
Engine events such as `before_cursor_execute` do not see these statements.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import TextClause


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # parameter order for positional paramstyles, None for named ones
    binds: dict[str, Any]  # parameter name -> bind processor
    results: tuple  # one result processor (or None) per returned column


class Prepared:
    """A textual statement with typed bind parameters (and `.columns()` for what it returns)."""

    def __init__(self, statement: TextClause):
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            binds = {name: param.type.dialect_impl(dialect).bind_processor(dialect)
                     for name, param in compiled.binds.items()}
            columns = getattr(self.statement, "selected_columns", ())
            results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                            for column in columns)
            positional = tuple(compiled.positiontup) if compiled.positional else None
            found = _Compiled(compiled.string, positional, binds, results)
            self._by_dialect[dialect.name] = found
        return found

    def rows(self, connection: Connection, params: dict) -> list[tuple]:
        """Run with `params` (by name) inside the connection's transaction; the returned rows."""
        compiled = self._compiled(connection.dialect)
        values = {name: (process(params[name]) if (process := compiled.binds.get(name)) else params[name])
                  for name in compiled.binds}
        args = [values[name] for name in compiled.names] if compiled.names is not None else values
        dbapi_error = connection.dialect.loaded_dbapi.Error
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, args)
            rows = cursor.fetchall() if cursor.description else []
        except dbapi_error as error:
            raise DBAPIError.instance(compiled.sql, args, error, dbapi_error) from error
        finally:
            cursor.close()
        if not any(compiled.results):
            return [tuple(row) for row in rows]
        return [tuple(process(value) if process else value for process, value in zip(compiled.results, row))
                for row in rows]

    def first(self, connection: Connection, params: dict) -> tuple | None:
        found = self.rows(connection, params)
        return found[0] if found else None
