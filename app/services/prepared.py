"""Statements for the award path, run on the DB-API cursor of the session's own connection.

An award runs the same few statements thousands of times a second, and SQLAlchemy's execution
layer (cache lookup, parameter set-up, result objects, events) costs about 0.1 ms per statement:
more than SQLite takes to run it. A `Prepared` statement is compiled by SQLAlchemy once per dialect,
so its parameter markers and its value conversions (enums, dates, JSON) are exactly SQLAlchemy's, and
then runs on the raw cursor of the connection the session already holds: same transaction, same
locks. Driver errors are raised as SQLAlchemy's exceptions (IntegrityError, OperationalError, …).
Engine events such as `before_cursor_execute` do not see these statements.
"""

from collections.abc import Callable
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

    def many(self, connection: Connection, params: list[dict], fixed: dict | None = None) -> None:
        """Run once per parameter set (one executemany) inside the connection's transaction.

        `fixed` holds values that are the same for every set: they are converted once."""
        compiled = self._compiled(connection.dialect)
        build = _row_builder(compiled, fixed or {})
        args = [build(p) for p in params]
        dbapi_error = connection.dialect.loaded_dbapi.Error
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.executemany(compiled.sql, args)
        except dbapi_error as error:
            raise DBAPIError.instance(compiled.sql, args[:1], error, dbapi_error) from error
        finally:
            cursor.close()

    def first(self, connection: Connection, params: dict) -> tuple | None:
        found = self.rows(connection, params)
        return found[0] if found else None


def _row_builder(compiled: _Compiled, fixed: dict) -> Callable[[dict], tuple | dict]:
    """One function from a parameter set to the driver's arguments, as a single expression.

    Per value a loop costs more than the driver's insert on a wide row, so the expression (a tuple
    for positional paramstyles, a dict for named ones) is generated once per call of `many`: each
    argument is p[name], a bind processor applied to it, or a fixed value converted beforehand."""
    names = compiled.names if compiled.names is not None else tuple(compiled.binds)
    scope: dict[str, Any] = {}
    parts = []
    for i, name in enumerate(names):
        process = compiled.binds.get(name)
        if name in fixed:
            scope[f"c{i}"] = process(fixed[name]) if process else fixed[name]
            parts.append(f"c{i}")
        elif process:
            scope[f"f{i}"] = process
            parts.append(f"f{i}(p[{name!r}])")
        else:
            parts.append(f"p[{name!r}]")
    if compiled.names is not None:
        body = "(" + "".join(f"{part}, " for part in parts) + ")"
    else:
        body = "{" + ", ".join(f"{name!r}: {part}" for name, part in zip(names, parts)) + "}"
    return eval(f"lambda p: {body}", scope)  # noqa: S307 (built from bind names and local names only)
