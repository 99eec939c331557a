"""The API's one guard: a live bearer key, metered per minute, with write scope for writes."""

from dataclasses import dataclass

from flask import current_app, g, request

from app.extensions import db
from app.models import ApiScope, StaffUser
from app.services import api_keys, clock

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
    """Blueprint guard. The request count and last use are committed before any refusal."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    key = api_keys.authenticate(db.session, secret=_bearer())
    caller = Caller(key.id, key.actor_id)
    count = api_keys.meter(db.session, key=key, now=clock.utcnow())
    needed = ApiScope.WRITE if request.method in WRITE_METHODS else ApiScope.READ
    allowed = key.allows(needed)
    db.session.commit()
    api_keys.check_rate(count, limit=current_app.config["API_RATE_LIMIT_PER_MINUTE"])
    if not allowed:
        api_keys.require_scope(key, needed)
    g.api_caller = caller
    return None


def caller() -> Caller:
    return g.api_caller
