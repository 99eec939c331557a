"""Reading API input: the raw JSON body and query parameters (a body's fields are checked by its
model, app/api/shapes.py).

Shape errors are 400 (`BadRequest`: not JSON, not an object) or 422 (`ValidationFailed` naming
the field); rules stay in the services. No text anywhere may hold a NUL or a lone surrogate, and
numbers are bounded, so nothing reaches the database that it would refuse with an error of its own.
"""

import enum
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial

from flask import request

from app.api.shapes import MAX_ID
from app.services.errors import DomainError, ValidationFailed

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ID = f"int(min=1, max={MAX_ID})"  # URL converter for ids: out-of-range ids are 404, not an error


class BadRequest(DomainError):
    code = "malformed"
    http_status = 400


class TooLarge(DomainError):
    code = "too_large"
    http_status = 413


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def limited_body(max_bytes: int) -> bytes:
    """The raw body, refused with a 413 when over `max_bytes`: by its Content-Length before reading,
    or (chunked, no length) when more than `max_bytes` arrive. Werkzeug stops reading a stream at
    max_content_length without saying so, hence the one byte more."""
    too_large = TooLarge(f"The body is larger than {max_bytes // (1024 * 1024)} MB; send it in parts.")
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large
    request.max_content_length = min(max_bytes + 1, request.max_content_length or max_bytes + 1)
    raw = request.get_data(cache=True)
    if len(raw) > max_bytes:
        raise too_large
    return raw


def json_value(raw: bytes):
    """Any JSON value; NaN, Infinity and nesting too deep for Python are not JSON here. Text holding
    a lone surrogate is refused (422 naming the field), see refuse_surrogates."""
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise BadRequest("The body is not valid JSON.") from None
    refuse_surrogates(data)
    return data


def _walk(data, where: str = ""):
    """Every (dotted path, text) in a JSON value, keys included (path None for a key); iterative, so
    any depth json.loads accepted is walked without recursion. List items share their list's path."""
    stack = [(where, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield None, key
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((path, item) for item in value)


def refuse_surrogates(data) -> None:
    """A 422 naming the field whose text (or key) holds a lone surrogate (an escape such as \\ud800
    without its pair; json.loads keeps it). No database stores it as UTF-8 text, so it would be a 500
    on the write. The check itself is one C-speed encode; only a failing body is walked."""
    try:
        json.dumps(data, ensure_ascii=False).encode()
        return
    except (UnicodeEncodeError, RecursionError):  # RecursionError: walk it instead
        pass
    for path, text in _walk(data):
        try:
            text.encode()
        except UnicodeEncodeError:
            what = path or ("A field name" if path is None else "The body")
            raise ValidationFailed(f"{what} holds an unpaired UTF-16 surrogate (e.g. \\ud800); send valid "
                                   "Unicode text.", field=path or None) from None


NUL = "\x00"


def _nul_message(what: str) -> str:
    return f"{what} may not contain NUL characters (\\u0000)."


def refuse_nul(data, where: str = "") -> None:
    """A 422 naming a field (dotted, e.g. `audience.regions`) whose text or key holds a NUL.

    PostgreSQL cannot store NUL in text and refuses it even as a query parameter, so without this
    such a value would be a 500 there (and a stored NUL on SQLite). Iterative: any depth json.loads
    accepted is walked without recursion."""
    for path, text in _walk(data, where):
        if NUL in text:
            what = "A field name" if path is None else path or "The body"
            raise ValidationFailed(_nul_message(what), field=path or None)


def refuse_nul_in_query() -> None:
    """Blueprint guard (after the key check): no query parameter, name or value, may hold a NUL."""
    if request.endpoint == "api.openapi":
        return
    for name, value in request.args.items(multi=True):
        if NUL in name or NUL in value:
            raise ValidationFailed(_nul_message(name if NUL not in name else "A parameter name"),
                                   field=name if NUL not in name else None)


def json_body() -> dict:
    """The request body as a JSON object ({} when empty); no text in it may hold a NUL."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    data = json_value(raw)
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    refuse_nul(data)
    return data


def canonical(data) -> bytes:
    """The body as compared for Idempotency-Key: JSON with sorted keys, or raw bytes (never valid JSON
    with the NUL in front, so the two cannot collide)."""
    if isinstance(data, bytes):
        return b"\0" + data
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Query:
    """An optional query parameter, declared once: its entry in the document and how it is read."""

    name: str
    schema: dict
    reader: Callable[[str], object]
    description: str = ""

    def value(self):
        """The parameter's value (None when absent), or ValidationFailed naming it."""
        return self.reader(self.name)

    def documented(self) -> dict:
        return {"name": self.name, "in": "query", "required": False, "schema": self.schema,
                "description": self.description}

    @classmethod
    def whole(cls, name: str, minimum: int = 1, maximum: int = MAX_ID, description: str = "",
              **schema) -> "Query":
        return cls(name, {"type": "integer", "minimum": minimum, "maximum": maximum, **schema},
                   partial(query_int, minimum=minimum, maximum=maximum), description)

    @classmethod
    def choice(cls, name: str, enum_cls: type[enum.Enum]) -> "Query":
        return cls(name, {"type": "string", "enum": [m.value for m in enum_cls]},
                   partial(query_choice, enum_cls=enum_cls))

    @classmethod
    def text(cls, name: str, description: str = "") -> "Query":
        return cls(name, {"type": "string"}, query_text, description)

    @classmethod
    def day(cls, name: str, description: str) -> "Query":
        return cls(name, {"type": "string", "format": "date"}, query_date, description)


def query_text(name: str) -> str | None:
    return request.args.get(name)


def query_int(name: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12 or not minimum <= int(raw) <= maximum:
        raise ValidationFailed(f"{name} must be a whole number from {minimum:,} to {maximum:,}.", field=name)
    return int(raw)


def query_date(name: str) -> date | None:
    """A calendar date ?name=YYYY-MM-DD, or None when absent or empty."""
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be a date YYYY-MM-DD, e.g. 2026-06-01.", field=name) from None


def query_choice(name: str, enum_cls: type[enum.Enum]):
    """?name= as a member of `enum_cls`, or None when absent."""
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise ValidationFailed(f"{name} must be one of {allowed}.", field=name) from None


@contextmanager
def fields_named(mapping: dict[str, str]) -> Iterator[None]:
    """Report a service's field under the API's name for it (e.g. note → reason)."""
    try:
        yield
    except DomainError as error:
        if error.field in mapping:
            error.field = mapping[error.field]
        raise
