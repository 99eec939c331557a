"""Every API write runs through `write`: parse the JSON body, honour Idempotency-Key, commit once."""

from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, request

from app.api.auth import caller
from app.api.inputs import canonical, json_body
from app.extensions import db
from app.services import clock, idempotency


def _json(status: int, body: str, replayed: bool = False) -> Response:
    response = Response(body, status=status, mimetype="application/json")
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def write(view=None, *, body: Callable[[], object] = json_body):
    """Wrap a view `view(body, **url_values) -> (payload, status)` into one transaction.

    `body` reads the request body (a JSON object unless told otherwise: `@write(body=reader)`).
    With an Idempotency-Key the key is claimed first, in the same transaction as the write; a
    repeat returns the stored first response and changes nothing; the same key for another
    request (method, path or body) is a 409."""
    if view is None:
        return lambda view: write(view, body=body)
    read_body = body

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
        payload, status = view(body, **url_values)
        text = current_app.json.dumps(payload, separators=(",", ":"))
        if claim is not None:
            idempotency.record(db.session, claim=claim, status_code=status, body=text)
        db.session.commit()
        return _json(status, text)

    return wrapped


def idempotency_key() -> str | None:
    return request.headers.get("Idempotency-Key")
