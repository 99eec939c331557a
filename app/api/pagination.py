"""Opaque cursors and the list envelope {"data": [...], "next_cursor": "..." | null}.

A cursor is the last id of a page, signed (itsdangerous, salted per list endpoint), so it cannot
be forged or carried to another list; a bad one is a 400.
"""

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from app.api.inputs import MAX_ID, BadRequest, Query
from app.api.shapes import Representation
from app.services.api.listings import Page

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
LIMIT = Query.whole("limit", 1, MAX_LIMIT, default=DEFAULT_LIMIT)
CURSOR = Query.text("cursor", "next_cursor of the previous page (opaque)")
PAGE = (LIMIT, CURSOR)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"api-cursor:{request.endpoint}")


def page_args() -> tuple[int | None, int]:
    """(the id the page continues from, limit) from ?cursor= and ?limit=."""
    limit = LIMIT.value() or DEFAULT_LIMIT
    raw = CURSOR.value()
    if not raw:
        return None, limit
    try:
        last_id = _serializer().loads(raw)
    except BadSignature:
        raise BadRequest("This cursor is not one this list gave out.", field="cursor") from None
    if isinstance(last_id, bool) or not isinstance(last_id, int) or not 0 < last_id <= MAX_ID:
        raise BadRequest("This cursor is not one this list gave out.", field="cursor")
    return last_id, limit


def envelope(page: Page, item: type[Representation]) -> dict:
    """The page's rows, each as `item` (a Representation with `of`), and the cursor to the next page."""
    cursor = _serializer().dumps(page.last_id) if page.has_more else None
    return {"data": [item.of(row).dump() for row in page.rows], "next_cursor": cursor}
