"""Delivering stored events: claim a batch, POST each signed by the Standard Webhooks rules, record it.

Claims follow the email outbox (messaging/outbox.py): a guarded UPDATE sets `claimed_until` and the
caller commits the claim before anything is sent, then commits each outcome. A process that dies
mid-batch leaves its claims to run out and the rows are sent again (at least once; the receiver
deduplicates on `webhook-id`, which a resend and a replay keep). Every attempt is kept
(WebhookAttempt: time, status, latency, response excerpt). A failed attempt waits
BASE_DELAY * 2^(attempts-1) (at most MAX_DELAY); GIVE_UP after its event the delivery fails for
good. An endpoint whose attempts have all failed for GIVE_UP since the first of them
(`failing_since`, cleared by any success) is disabled and the admins are notified, once.
"""

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from app.models import StaffRole, StaffUser, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.services.errors import Conflict, NotFound
from app.services.messaging import notifications
from app.services.webhooks.transport import EXCERPT, Response

CLAIM_LEASE = timedelta(minutes=5)
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=12)
GIVE_UP = timedelta(days=3)


class Poster(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response: ...


def signed_request(delivery: WebhookDelivery, secret: str, now: datetime,
                   previous: str | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers of one attempt (signed at `now`); with `previous`
    (a rotation's grace period) a second signature by the old secret, space-separated."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    signatures = [Webhook(key).sign(msg_id=delivery.event_id, timestamp=now, data=body)
                  for key in (secret, previous) if key]
    stamp = str(int(now.timestamp() if now.tzinfo else now.replace(tzinfo=UTC).timestamp()))
    return body, {"content-type": "application/json", "user-agent": "Rallypoint-Webhooks/1",
                  "webhook-id": delivery.event_id, "webhook-timestamp": stamp,
                  "webhook-signature": " ".join(signatures)}


def _signing_keys(endpoint: WebhookEndpoint, now: datetime) -> tuple[str, str | None]:
    until = endpoint.previous_secret_until
    return endpoint.secret, endpoint.previous_secret if until is not None and now < until else None


def _due(now: datetime):
    return sa.and_(WebhookDelivery.delivered_at.is_(None), WebhookDelivery.failed_at.is_(None),
                   sa.or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))


def claim_due(session: Session, *, now: datetime, batch: int = 100) -> list[int]:
    """Claim up to `batch` due deliveries of active endpoints, oldest first; the caller commits."""
    ids = list(session.scalars(
        sa.select(WebhookDelivery.id).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(_due(now), WebhookDelivery.next_attempt_at <= now, WebhookEndpoint.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(batch)))
    table = WebhookDelivery.__table__
    held = []
    for delivery_id in ids:
        result = session.execute(table.update().where(table.c.id == delivery_id, _due(now))
                                 .values(claimed_until=now + CLAIM_LEASE))
        if result.rowcount == 1:
            held.append(delivery_id)
    return held


def deliver_due(session: Session, *, poster: Poster, now: datetime, commit: Callable[[], None],
                clock: Callable[[], datetime] | None = None, batch: int = 100) -> int:
    """Send the due deliveries once each; returns how many the receivers accepted (2xx).

    `commit` is called after the claim and after each outcome; `clock` gives each attempt's own
    time (the signature's timestamp and the latency), `now` by default.
    """
    held = claim_due(session, now=now, batch=batch)
    commit()
    delivered = 0
    for delivery_id in held:
        delivered += _deliver_one(session, poster=poster, delivery_id=delivery_id,
                                  now=clock() if clock else now)
        commit()
    return delivered


def _deliver_one(session: Session, *, poster: Poster, delivery_id: int, now: datetime) -> int:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its endpoint was deleted after the claim
        return 0
    endpoint = delivery.endpoint
    secret, previous = _signing_keys(endpoint, now)
    body, headers = signed_request(delivery, secret, now, previous=previous)
    started = time.monotonic()
    response = poster.post(endpoint.url, body, headers)
    latency, text = round((time.monotonic() - started) * 1000), response.text[:EXCERPT]
    session.add(WebhookAttempt(delivery_id=delivery.id, at=now, status=response.status, latency_ms=latency,
                               response=text))
    delivery.last_latency_ms, delivery.last_status, delivery.last_response = latency, response.status, text
    delivery.attempts += 1
    delivery.claimed_until = None
    ok = response.status is not None and 200 <= response.status < 300
    if ok:
        delivery.delivered_at, endpoint.failing_since = now, None
    else:
        _failed(session, delivery, endpoint, now)
    session.flush()
    return int(ok)


def _failed(session: Session, delivery: WebhookDelivery, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Wait longer before the next attempt, or give the delivery up after GIVE_UP since its event; an
    endpoint whose every attempt failed for GIVE_UP (since the first of them) is disabled."""
    if now - delivery.created_at >= GIVE_UP:
        delivery.failed_at = now
    else:
        delivery.next_attempt_at = now + min(BASE_DELAY * 2 ** (delivery.attempts - 1), MAX_DELAY)
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    elif now - endpoint.failing_since >= GIVE_UP:
        _disable(session, endpoint, now)


def _disable(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    if not endpoint.active:
        return
    endpoint.active, endpoint.disabled_at = False, now
    since = endpoint.failing_since.strftime("%Y-%m-%d %H:%M UTC")
    admins = session.scalars(sa.select(StaffUser.id).where(StaffUser.role == StaffRole.ADMIN,
                                                           StaffUser.active.is_(True)))
    for staff_id in admins:
        notifications.notify(
            session, kind="webhook", title="A webhook endpoint was disabled",
            body=f"{endpoint.url} has failed every delivery since {since}; its events wait until it "
                 "is turned back on.", link=f"/admin/webhooks/{endpoint.id}",
            dedupe_key=f"webhook-disabled:{endpoint.id}:{now.isoformat()}:{staff_id}", now=now,
            staff_id=staff_id)


def replay(session: Session, *, delivery_id: int, now: datetime) -> WebhookDelivery:
    """Queue a delivery again (same event, same `webhook-id`) for the next sweep."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound("No such delivery.")
    table = WebhookDelivery.__table__
    result = session.execute(table.update().where(
        table.c.id == delivery_id, sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < now))
        .values(delivered_at=None, failed_at=None, next_attempt_at=now, claimed_until=None))
    if result.rowcount != 1:
        raise Conflict("This delivery is being sent right now; try again in a moment.")
    session.refresh(delivery)
    return delivery


PER_PAGE = 50


def recent_deliveries(session: Session, *, endpoint_id: int | None = None,
                      page: int = 1) -> tuple[list[WebhookDelivery], bool]:
    """Deliveries newest first, PER_PAGE at a time, and whether there are more."""
    stmt = sa.select(WebhookDelivery).order_by(WebhookDelivery.id.desc())
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    rows = session.scalars(stmt.limit(PER_PAGE + 1).offset((max(page, 1) - 1) * PER_PAGE)).all()
    return list(rows[:PER_PAGE]), len(rows) > PER_PAGE


def attempts_of(session: Session, *, delivery_id: int) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    """A delivery and every attempt of it, newest first."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound("No such delivery.")
    attempts = session.scalars(sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
                               .order_by(WebhookAttempt.id.desc()))
    return delivery, list(attempts)
