"""Reading API input: the JSON body (an object), its fields and query parameters, checked for shape.

Shape errors are 400 (`BadRequest`: not JSON, not an object) or 422 (`ValidationFailed` naming
the field); rules stay in the services. Numbers are bounded so nothing reaches the database that
it would refuse with an error of its own.
"""

import enum
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from flask import request

from app.services.errors import DomainError, ValidationFailed

MAX_ID = 2**31 - 1
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


def integer(data: dict, name: str, *, required: bool = True, minimum: int = 1, maximum: int = MAX_ID,
            label: str | None = None) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationFailed(f"{label or name} is required.", field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationFailed(f"{label or name} must be a whole number from {minimum:,} to {maximum:,}.",
                               field=name)
    return value


def string(data: dict, name: str, *, required: bool = True, max_length: int = 1000) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip() and required):
        if required:
            raise ValidationFailed(f"{name} is required.", field=name)
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise ValidationFailed(f"{name} must be text of up to {max_length:,} characters.", field=name)
    return value


def strings(data: dict, name: str, *, max_items: int = 500, max_length: int = 254) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_items or not all(
            isinstance(v, str) and len(v) <= max_length for v in value):
        raise ValidationFailed(f"{name} must be a list of up to {max_items} texts.", field=name)
    return value


def obj(data: dict, name: str) -> dict:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"{name} must be an object.", field=name)
    return value


def moment(data: dict, name: str) -> datetime:
    """An ISO 8601 date-time; with an offset it is converted, without one it is taken as UTC."""
    value = string(data, name, max_length=40)
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved past the calendar's end
        raise ValidationFailed(f"{name} must be an ISO 8601 date-time, e.g. 2026-07-01T09:00:00Z.",
                               field=name) from None
    return parsed


def choice(value, name: str, enum_cls: type[enum.Enum]):
    if value is None:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise ValidationFailed(f"{name} must be one of {allowed}.", field=name) from None


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
    return choice(request.args.get(name), name, enum_cls)


@contextmanager
def fields_named(mapping: dict[str, str]) -> Iterator[None]:
    """Report a service's field under the API's name for it (e.g. note → reason)."""
    try:
        yield
    except DomainError as error:
        if error.field in mapping:
            error.field = mapping[error.field]
        raise
