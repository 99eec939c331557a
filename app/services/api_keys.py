"""API keys: made by admins, shown once, kept as a SHA-256 hash; revocable; use metered per minute.

A key's secret is `rp_` + 32 random bytes (urlsafe), so a plain SHA-256 is enough to store it:
there is nothing to brute-force. Each key gets a staff row of its own (role marketing, no
password, inactive, so it can never sign in or receive mail) that the services record as the
actor of the key's writes, under the name "API key: <name>".
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import ApiKey, ApiRequestCount, ApiScope, StaffRole, StaffUser
from app.services.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthorized, ValidationFailed

SECRET_PREFIX = "rp_"  # noqa: S105 (the public marker of a key, not a secret)
VISIBLE = 11  # "rp_" and the first 8 characters of the random part
LAST_USED_EVERY = timedelta(minutes=1)
KEEP_COUNTS = timedelta(hours=1)


@dataclass
class NewKey:
    key: ApiKey
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, *, name: str, scope: ApiScope, created_by: StaffUser | None,
               now: datetime) -> NewKey:
    """Make a key and its actor row; returns the secret, which is never stored or shown again.

    `created_by` is None when made from the command line. Two live keys never share a name, so a
    name (in the list, in the actor's name, on the command line) says which key it is."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed("Name the key (up to 80 characters), e.g. after the system using it.",
                               field="name")
    if not isinstance(scope, ApiScope):
        raise ValidationFailed("Choose read or write.", field="scope")
    if active_keys_named(session, name):
        raise ValidationFailed(f"A live API key is already named “{name}”; choose another name or revoke it "
                               "first.", field="name")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    actor = StaffUser(email=f"api-key-{uuid.uuid4().hex}@keys.rallypoint.invalid", name=f"API key: {name}",
                      role=StaffRole.MARKETING, password_hash=None, active=False, created_at=now)
    session.add(actor)
    session.flush()
    key = ApiKey(name=name, scope=scope, prefix=secret[:VISIBLE], key_hash=hash_secret(secret),
                 actor_id=actor.id, created_by_id=created_by.id if created_by else None, created_at=now)
    session.add(key)
    session.flush()
    return NewKey(key, secret)


def list_keys(session: Session) -> list[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())).all()


def active_keys_named(session: Session, name: str) -> list[ApiKey]:
    """The live (unrevoked) keys with this name, compared as stored after trimming."""
    return session.scalars(select(ApiKey).where(ApiKey.name == (name or "").strip(),
                                                ApiKey.revoked_at.is_(None)).order_by(ApiKey.id)).all()


def revoke_key_named(session: Session, *, name: str, now: datetime) -> ApiKey:
    """Revoke the live key with this name; NotFound when there is none."""
    keys = active_keys_named(session, name)
    if not keys:
        raise NotFound(f"No live API key is named “{(name or '').strip()}”.")
    if len(keys) > 1:  # made before names were unique among live keys
        raise Conflict(f"{len(keys)} live API keys are named “{name.strip()}”; revoke the one you mean "
                       "under Admin → API keys.")
    return revoke_key(session, key_id=keys[0].id, now=now)


def revoke_key(session: Session, *, key_id: int, now: datetime) -> ApiKey:
    """Revoke a key for good; it answers 401 from the next request. Revoking twice changes nothing."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("No such API key.")
    if key.revoked_at is None:
        key.revoked_at = now
        session.flush()
    return key


def authenticate(session: Session, *, secret: str | None) -> ApiKey:
    """The live key for a bearer secret; Unauthorized when missing, unknown or revoked."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        raise Unauthorized("Send a valid API key: Authorization: Bearer <key>.")
    key = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_secret(secret))).first()
    if key is None or key.revoked_at is not None:
        raise Unauthorized("This API key is unknown or has been revoked.")
    return key


def require_scope(key: ApiKey, scope: ApiScope) -> None:
    if not key.allows(scope):
        raise Forbidden("This API key is read-only; writes need a write key.")


def _upsert(session: Session):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ApiRequestCount)
    return stmt.on_conflict_do_update(
        index_elements=["api_key_id", "window_start"],
        set_={"count": ApiRequestCount.count + 1},
    ).returning(ApiRequestCount.count)


def meter(session: Session, *, key: ApiKey, now: datetime) -> int:
    """Count one request in the key's current minute (one upsert, shared by every process) and note
    the key's last use at most once a minute (a guarded UPDATE). Returns the minute's count so far;
    the caller commits it before refusing anything (see check_rate)."""
    window = now.replace(second=0, microsecond=0)
    count = session.execute(
        _upsert(session).values(api_key_id=key.id, window_start=window, count=1)).scalar_one()
    if count == 1:
        session.execute(delete(ApiRequestCount).where(ApiRequestCount.api_key_id == key.id,
                                                      ApiRequestCount.window_start < window - KEEP_COUNTS))
    session.execute(update(ApiKey).where(
        ApiKey.id == key.id,
        (ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at <= now - LAST_USED_EVERY),
    ).values(last_used_at=now).execution_options(synchronize_session=False))
    return count


def check_rate(count: int, *, limit: int) -> None:
    if count > limit:
        raise RateLimited(f"More than {limit} requests this minute with this key; retry in a minute.")

