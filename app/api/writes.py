"""Every API write runs through `write`: read the body, honour Idempotency-Key, check it, commit once."""

from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, request

from app.api.auth import caller
from app.api.inputs import canonical, json_body
from app.api.shapes import Representation, dumped
from app.extensions import db
from app.services import clock
from app.services.api import idempotency


def _json(status: int, body: str, replayed: bool = False) -> Response:
    response = Response(body, status=status, mimetype="application/json")
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def write(view, *, result: type[Representation], body: Callable[[], object] | None = None,
          check: Callable[[dict], object] | None = None):
    """Wrap a view `view(body, **url_values) -> (a `result`, status)` into one transaction.

    `body` reads the request body (a JSON object unless told otherwise). With an Idempotency-Key the
    key is claimed first, in the same transaction as the write; a repeat returns the stored first
    response and changes nothing; the same key for another request (method, path or body) is a 409.
    Then `check` (a body model's `read`) turns the body into what the view gets."""
    read_body = body or json_body

    @wraps(view)
    def wrapped(**url_values):
        body = read_body()
        key = request.headers.get("Idempotency-Key")
        claim = None
        if key is not None:
            claim = idempotency.claim(
                db.session, api_key_id=caller().key_id, key=key, now=clock.utcnow(),
                fingerprint=idempotency.request_hash(request.method, request.path, canonical(body)))
            if claim.replay is not None:
                db.session.rollback()
                return _json(*claim.replay, replayed=True)
        payload, status = view(check(body) if check else body, **url_values)
        text = current_app.json.dumps(dumped(payload, result), separators=(",", ":"))
        if claim is not None:
            idempotency.record(db.session, claim=claim, status_code=status, body=text)
        db.session.commit()
        return _json(status, text)

    wrapped.check = check
    return wrapped


def idempotency_key() -> str | None:
    return request.headers.get("Idempotency-Key")
