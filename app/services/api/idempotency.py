"""Idempotency-Key for API writes (Stripe semantics): the first response is kept and replayed.

The claim is an `INSERT … ON CONFLICT DO NOTHING` into idempotency_record (unique per API key and
key) made in the write's own transaction, before the write runs. A concurrent duplicate waits on
that row (PostgreSQL's unique index; SQLite's single writer) and, once the first commits, finds
the stored response instead of running again. If the first write fails, its transaction (claim
included) rolls back, so a retry runs afresh: only successful responses are kept.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import IdempotencyRecord
from app.services.errors import Conflict, ValidationFailed

MAX_KEY = 200
PURGE_BATCH = 1000


@dataclass(frozen=True)
class Claim:
    record_id: int | None  # None: the key was used before and `replay` holds its response
    replay: tuple[int, str] | None = None


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable():
        raise ValidationFailed(f"An Idempotency-Key is 1 to {MAX_KEY} printable characters.",
                               field="Idempotency-Key")
    return key


def claim(session: Session, *, api_key_id: int, key: str, fingerprint: str, now: datetime) -> Claim:
    """Claim `key` for this request, or return the response of the request that claimed it first.

    Raises Conflict when the key was first used for a different request (method, path or body)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.execute(
        dialect.insert(IdempotencyRecord)
        .values(api_key_id=api_key_id, key=check_key(key), request_hash=fingerprint, created_at=now)
        .on_conflict_do_nothing(index_elements=["api_key_id", "key"])
        .returning(IdempotencyRecord.id)
    ).scalar_one_or_none()
    if inserted is not None:
        return Claim(inserted)
    first = session.execute(select(IdempotencyRecord.request_hash, IdempotencyRecord.status_code,
                                   IdempotencyRecord.body).where(
        IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key)).one()
    if first.request_hash != fingerprint:
        raise Conflict("This Idempotency-Key was already used for a different request.",
                       field="Idempotency-Key")
    return Claim(None, (first.status_code, first.body))


def record(session: Session, *, claim: Claim, status_code: int, body: str) -> None:
    """Keep the response of a claimed request, in its transaction."""
    session.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == claim.record_id)
                    .values(status_code=status_code, body=body).execution_options(synchronize_session=False))


def purge_expired(session: Session, *, now: datetime, retention: timedelta, batch: int = PURGE_BATCH,
                  commit: Callable[[], None] | None = None) -> int:
    """Delete the records claimed more than `retention` ago, `batch` at a time (oldest first, through
    ix_idempotency_record_created_at), committing after each batch when given `commit`, so no
    transaction holds many rows or the SQLite write lock for long. Returns how many were deleted; a
    second run finds nothing. A key used again after its record is gone runs as a new request."""
    cutoff = now - retention
    deleted = 0
    while True:
        ids = session.scalars(select(IdempotencyRecord.id).where(IdempotencyRecord.created_at < cutoff)
                              .order_by(IdempotencyRecord.created_at).limit(batch)).all()
        if not ids:
            return deleted
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(ids))
                        .execution_options(synchronize_session=False))
        deleted += len(ids)
        if commit is not None:
            commit()
        if len(ids) < batch:
            return deleted
