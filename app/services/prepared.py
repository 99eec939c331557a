"""Statements for the award path, run on the DB-API cursor of the session's own connection.

An award runs the same few statements thousands of times a second, and SQLAlchemy's execution
layer (cache lookup, parameter set-up, result objects, events) costs about 0.1 ms per statement:
more than SQLite takes to run it. A `Prepared` statement is compiled by SQLAlchemy once per dialect,
so its parameter markers and its value conversions (enums, dates, JSON) are exactly SQLAlchemy's, and
then runs on the raw cursor of the connection the session already holds: same transaction, same
locks. Driver errors are raised as SQLAlchemy's exceptions (IntegrityError, OperationalError, …).
Engine events such as `before_cursor_execute` do not see these statements.

The customer import uses them too (customer_batches), and splits `many` in two: `builder` makes the
driver's arguments of a row from the dialect alone, so a reading process can build them
(customer_pipeline), and `many_built` runs arguments built so; `completer` adds a value known only
later (a new row's id) and `reader` turns arguments back into values.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import JSON, Date
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.sql.elements import TextClause

MEMO_LIMIT = 50_000  # conversions a memoizing builder keeps per parameter


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # parameter order for positional paramstyles, None for named ones
    binds: dict[str, Any]  # parameter name -> bind processor
    results: tuple  # one result processor (or None) per returned column
    types: dict[str, Any]  # parameter name -> its type for the dialect (dialect_impl)
    converts: bool  # whether any parameter has a bind processor


class Prepared:
    """A textual statement with typed bind parameters (and `.columns()` for what it returns)."""

    def __init__(self, statement: TextClause):
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            types = {name: param.type.dialect_impl(dialect) for name, param in compiled.binds.items()}
            binds = {name: kind.bind_processor(dialect) for name, kind in types.items()}
            columns = getattr(self.statement, "selected_columns", ())
            results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                            for column in columns)
            positional = tuple(compiled.positiontup) if compiled.positional else None
            found = _Compiled(compiled.string, positional, binds, results, types, any(binds.values()))
            self._by_dialect[dialect.name] = found
        return found

    def rows(self, connection: Connection, params: dict) -> list[tuple]:
        """Run with `params` (by name) inside the connection's transaction; the returned rows."""
        compiled = self._compiled(connection.dialect)
        if compiled.converts:
            params = {name: (process(params[name]) if (process := compiled.binds.get(name)) else params[name])
                      for name in compiled.binds}
        if compiled.names is not None:
            args = [params[name] for name in compiled.names]
        else:
            args = {name: params[name] for name in compiled.binds}
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
        build = self.builder(connection.dialect, fixed)
        self.many_built(connection, [build(p) for p in params])

    def builder(self, dialect: Dialect, fixed: dict | None = None, without: str | None = None, *,
                memo: bool = False) -> Callable[[dict], tuple | dict]:
        """The driver's arguments for one parameter set, as `many` builds them, for `many_built`.

        It needs only the dialect, so another process can build arguments for this one's connection
        (customer_pipeline). `without` leaves out one parameter for `completer` to add later (a value
        the builder cannot know yet, such as a new row's id). `memo` remembers the conversions of
        dates and of lists of strings (JSON), which repeat from row to row in a big import."""
        return _row_builder(self._compiled(dialect), fixed or {}, without, memo)

    def reader(self, dialect: Dialect, without: str | None = None) -> Callable[[tuple | dict, tuple], dict]:
        """(arguments `builder` made, names) -> {name: the Python value}: the way back, through each
        parameter type's result processor (a date from its text, a list from its JSON). Meant for
        a dialect whose arguments are plain values (SQLite's); ValueError if a type's processor
        cannot be made without a result's column type (PostgreSQL's Float). A caller checks that
        reading its own arguments back gives the values (customer_pipeline.sendable_dialect)."""
        compiled = self._compiled(dialect)
        names = [name for name in (compiled.names or compiled.binds) if name != without]
        at = ({name: i for i, name in enumerate(names)} if compiled.names is not None
              else {name: name for name in names})
        try:
            back = {name: compiled.types[name].result_processor(dialect, None) or _same for name in names}
        except (TypeError, InvalidRequestError) as error:
            raise ValueError(f"no way back for this dialect's arguments: {error}") from error

        def read(args: tuple | dict, wanted: tuple) -> dict:
            return {name: back[name](args[at[name]]) for name in wanted}
        return read

    def completer(self, dialect: Dialect, name: str) -> Callable[[tuple | dict, Any], tuple | dict]:
        """(arguments built `without` name, its value) -> the complete arguments."""
        compiled = self._compiled(dialect)
        process = compiled.binds.get(name) or _same
        if compiled.names is None:
            return lambda args, value: {**args, name: process(value)}
        at = compiled.names.index(name)
        return lambda args, value: (*args[:at], process(value), *args[at:])

    def many_built(self, connection: Connection, args: list) -> None:
        """executemany of arguments made by `builder` for this connection's dialect."""
        compiled = self._compiled(connection.dialect)
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


def _same(value):
    return value


def _memoized(process: Callable, limit: int = MEMO_LIMIT) -> Callable:
    """process, remembering its result for dates and lists of strings (up to `limit` of them)."""
    cache: dict = {}

    def convert(value):
        kind = value.__class__
        if kind is date:
            key = value
        elif kind is list and all(item.__class__ is str for item in value):
            key = tuple(value)
        else:
            return process(value)
        found = cache.get(key)
        if found is None:
            found = process(value)
            if len(cache) < limit:
                cache[key] = found
        return found
    return convert


def _row_builder(compiled: _Compiled, fixed: dict, without: str | None = None,
                 memo: bool = False) -> Callable[[dict], tuple | dict]:
    """One function from a parameter set to the driver's arguments, as a single expression.

    Per value a loop costs more than the driver's insert on a wide row, so the expression (a tuple
    for positional paramstyles, a dict for named ones) is generated once per call of `many`: each
    argument is p[name], a bind processor applied to it, or a fixed value converted beforehand."""
    names = tuple(name for name in (compiled.names if compiled.names is not None else compiled.binds)
                  if name != without)
    scope: dict[str, Any] = {}
    parts = []
    for i, name in enumerate(names):
        process = compiled.binds.get(name)
        if name in fixed:
            scope[f"c{i}"] = process(fixed[name]) if process else fixed[name]
            parts.append(f"c{i}")
        elif process:
            memoable = memo and isinstance(compiled.types[name], Date | JSON)  # Date: not DateTime
            scope[f"f{i}"] = _memoized(process) if memoable else process
            parts.append(f"f{i}(p[{name!r}])")
        else:
            parts.append(f"p[{name!r}]")
    if compiled.names is not None:
        body = "(" + "".join(f"{part}, " for part in parts) + ")"
    else:
        body = "{" + ", ".join(f"{name!r}: {part}" for name, part in zip(names, parts)) + "}"
    return eval(f"lambda p: {body}", scope)  # noqa: S307 (built from bind names and local names only)
