"""Each API route declared once with its OpenAPI operation: `@route(rule, get=Read(...), patch=Write(...))`.

`route` registers the rule on the blueprint and keeps the operations in OPERATIONS (by OpenAPI path,
then method), from which app/api/openapi.py builds the document. A write's body is read, checked by
its model after the Idempotency-Key claim and handed to the view as that model (app/api/writes.py).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import request
from pydantic import BaseModel

from app.api import bp
from app.api.inputs import Query
from app.api.pagination import envelope
from app.api.shapes import MAX_ID, dumped
from app.api.writes import write

ID_PARAM = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
CONVERTER = re.compile(r"<(?:[^:<>]+:)?([a-z_]+)>")
READ_CODES = ("401", "404", "422", "429")
LIST_CODES = ("400", "401", "422", "429")
WRITE_CODES = ("400", "401", "403", "404", "409", "422", "429")


@dataclass(frozen=True)
class Read:
    """A GET answering one `result` (a Representation)."""

    summary: str
    result: type[BaseModel]
    params: tuple[Query, ...] = ()
    codes: tuple[str, ...] = READ_CODES
    description: str = ""


@dataclass(frozen=True)
class Listing:
    """A GET answering a page of `item`s ({"data": [...], "next_cursor": ...}); `params` are its filters."""

    summary: str
    item: type[BaseModel]
    params: tuple[Query, ...] = ()
    codes: tuple[str, ...] = LIST_CODES
    description: str = ""


@dataclass(frozen=True)
class Write:
    """A write: its `body` model checks the request and is its documented JSON schema. `reader` reads
    a body that is not one JSON object (`other_content`: its other media types); `checks_body` False:
    the body goes whole to a service that checks it (the customer importer). `created`: the write also
    answers 201 Created (an upsert)."""

    summary: str
    body: type[BaseModel]
    result: type[BaseModel]
    status: str = "200"
    params: tuple[Query, ...] = ()
    codes: tuple[str, ...] = WRITE_CODES
    description: str = ""
    created: bool = False
    other_content: dict | None = None
    reader: Callable | None = None
    checks_body: bool = True


Operation = Read | Listing | Write
OPERATIONS: dict[str, dict[str, Operation]] = {}
PATH_PARAMS: dict[str, dict[str, dict]] = {}


def openapi_path(rule: str) -> str:
    return CONVERTER.sub(r"{\1}", rule)


def route(rule: str, *, path: dict[str, dict] | None = None, options: dict | None = None,
          **operations: Operation):
    """Register `rule` for the methods named in `operations` (get=, post=, put=, patch=) and document them.
    `path`: schemas of path parameters that are not ids."""
    def register(view):
        handlers = {method: _handler(view, operation) for method, operation in operations.items()}

        def dispatch(**values):
            method = request.method.lower()
            return handlers[method if method in handlers else "get"](**values)

        dispatch.__name__ = view.__name__
        dispatch.handlers = handlers  # what serves each method (tests read a write's `check` here)
        methods = [method.upper() for method in operations]
        bp.add_url_rule(rule, view.__name__, dispatch, methods=methods, **(options or {}))
        where = openapi_path(rule)
        OPERATIONS.setdefault(where, {}).update(operations)
        PATH_PARAMS[where] = {name: (path or {}).get(name, ID_PARAM) for name in CONVERTER.findall(rule)}
        return view

    return register


def _handler(view, operation: Operation):
    """The view as served: a Read's model or a Listing's page dumped by the documented model, a
    Write run through `write` with its body model."""
    if isinstance(operation, Read):
        return lambda **values: dumped(view(**values), operation.result)
    if isinstance(operation, Listing):
        return lambda **values: envelope(view(**values), operation.item)
    check = operation.body.read if operation.checks_body else None
    return write(view, result=operation.result, body=operation.reader, check=check)
