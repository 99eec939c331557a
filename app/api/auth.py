"""The API's one guard: a live bearer key, rate-limited (60-second sliding window), write scope for writes."""

from dataclasses import dataclass

from flask import current_app, g, request

from app.db.transactions import writing
from app.extensions import db
from app.models import ApiScope, StaffUser
from app.services import clock
from app.services.api import keys as api_keys
from app.services.api import rate as api_rate

PUBLIC_ENDPOINTS = {"api.openapi"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Caller:
    key_id: int
    actor_id: int

    @property
    def actor(self) -> StaffUser:
        """The key's staff row, which services record as the actor of its writes."""
        return db.session.get(StaffUser, self.actor_id)


def _bearer() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def require_key():
    """Blueprint guard. The request's count (when the window has room: a refused request is not
    counted) and the key's last use are committed before any refusal and before the view's work, in
    a write transaction even when the request reads (app.db.transactions): on SQLite the count is
    atomic because that transaction holds the write lock from its BEGIN IMMEDIATE."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    key = api_keys.authenticate(db.session, secret=_bearer())
    caller = Caller(key.id, key.actor_id)
    needed = ApiScope.WRITE if request.method in WRITE_METHODS else ApiScope.READ
    allowed = key.allows(needed)
    now, limit = clock.utcnow(), current_app.config["API_RATE_LIMIT_PER_MINUTE"]
    with writing(db.session):
        wait = api_rate.take(db.session, key_id=caller.key_id, now=now, limit=limit)
        api_keys.note_use(db.session, key_id=caller.key_id, now=now)
    if wait:
        raise api_rate.refusal(limit, wait)
    if not allowed:
        api_keys.require_scope(key, needed)
    g.api_caller = caller
    return None


def caller() -> Caller:
    return g.api_caller
