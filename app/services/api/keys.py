"""API keys: made by admins, shown once, kept as a SHA-256 hash; revocable; use rate-limited (api_rate).

A key's secret is `rp_` + 32 random bytes (urlsafe), so a plain SHA-256 is enough to store it:
there is nothing to brute-force. Each key gets a staff row of its own (role marketing, no
password, inactive, so it can never sign in or receive mail) that the services record as the
actor of the key's writes, under the name "API key: <name>".
"""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import ApiKey, ApiScope, StaffRole, StaffUser
from app.services.api import rate as api_rate
from app.services.errors import Forbidden, NotFound, Unauthorized, ValidationFailed

SECRET_PREFIX = "rp_"  # noqa: S105 (the public marker of a key, not a secret)
VISIBLE = 11  # "rp_" and the first 8 characters of the random part
LAST_USED_EVERY = timedelta(minutes=1)


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
    taken = ValidationFailed(f"A live API key is already named “{name}”; choose another name or revoke it "
                             "first.", field="name")
    if active_keys_named(session, name):
        raise taken
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    try:
        # A SAVEPOINT, so that losing a race to the unique index (uq_api_key_live_name: two requests
        # both passed the check above) is the same friendly error, not a failed transaction.
        with session.begin_nested():
            actor = StaffUser(email=f"api-key-{uuid.uuid4().hex}@keys.rallypoint.invalid",
                              name=f"API key: {name}", role=StaffRole.MARKETING, password_hash=None,
                              active=False, created_at=now)
            session.add(actor)
            session.flush()
            key = ApiKey(name=name, scope=scope, prefix=secret[:VISIBLE], key_hash=hash_secret(secret),
                         actor_id=actor.id, created_by_id=created_by.id if created_by else None,
                         created_at=now)
            session.add(key)
            session.flush()
    except IntegrityError:
        if active_keys_named(session, name):
            raise taken from None
        raise
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
    return revoke_key(session, key_id=keys[0].id, now=now)  # one at most: uq_api_key_live_name


def revoke_key(session: Session, *, key_id: int, now: datetime) -> ApiKey:
    """Revoke a key for good; it answers 401 from the next request. Revoking twice changes nothing."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("No such API key.")
    if key.revoked_at is None:
        key.revoked_at = now
        session.flush()
    return key


# Compared against when no stored key has the secret's prefix, so an unknown key does the same work.
_NO_KEY_HASH = hash_secret(SECRET_PREFIX + "no key has this prefix")


def authenticate(session: Session, *, secret: str | None) -> ApiKey:
    """The live key for a bearer secret; Unauthorized when missing, unknown or revoked.

    The database is asked only for the secret's public prefix (the part shown in the key list, not
    secret: an index lookup on it leaks nothing). The secret itself is only compared as its SHA-256,
    in constant time (`hmac.compare_digest`), against each key with that prefix — or against a dummy
    hash when there is none — and revocation is checked after the comparison, so an unknown, a wrong
    and a revoked key all take the same path to the same 401."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        raise Unauthorized("Send a valid API key: Authorization: Bearer <key>.")
    digest = hash_secret(secret)
    candidates = session.scalars(select(ApiKey).where(ApiKey.prefix == secret[:VISIBLE])
                                 .order_by(ApiKey.id)).all()
    found = None
    for key in candidates or [None]:
        stored = key.key_hash if key is not None else _NO_KEY_HASH
        if hmac.compare_digest(stored.encode(), digest.encode()) and key is not None:
            found = key
    if found is None or found.revoked_at is not None:
        raise Unauthorized("This API key is unknown or has been revoked.")
    return found


def require_scope(key: ApiKey, scope: ApiScope) -> None:
    if not key.allows(scope):
        raise Forbidden("This API key is read-only; writes need a write key.")


def note_use(session: Session, *, key_id: int, now: datetime) -> None:
    """Record the key's last use, at most once a minute (a guarded UPDATE, so not a write per request)."""
    session.execute(update(ApiKey).where(
        ApiKey.id == key_id,
        (ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at <= now - LAST_USED_EVERY),
    ).values(last_used_at=now).execution_options(synchronize_session=False))


def purge_request_counts(session: Session, *, now: datetime) -> int:
    """Delete request counts that have left the rate-limit window (see app/services/api/rate.py)."""
    return api_rate.purge(session, now=now)
