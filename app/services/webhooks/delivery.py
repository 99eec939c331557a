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
    time (the signature's timestamp and the latency), `now` by default. What the batch sends is read
    in one query after the claim; each outcome is written with plain UPDATE/INSERT statements.
    """
    held = claim_due(session, now=now, batch=batch)
    commit()
    rows = _claimed_rows(session, held)
    failing = {row.endpoint_id: row.failing_since for row in rows}  # kept current through the batch
    delivered = 0
    for row in rows:
        delivered += _deliver_one(session, poster=poster, row=row, failing=failing,
                                  now=clock() if clock else now)
        commit()
    return delivered


_D, _E, _A = WebhookDelivery.__table__, WebhookEndpoint.__table__, WebhookAttempt.__table__


def _claimed_rows(session: Session, held: list[int]) -> list:
    if not held:
        return []
    return list(session.execute(
        sa.select(_D.c.id, _D.c.event_id, _D.c.payload, _D.c.created_at, _D.c.attempts, _D.c.endpoint_id,
                  _E.c.url, _E.c.secret, _E.c.previous_secret, _E.c.previous_secret_until, _E.c.failing_since)
        .join(_E, _E.c.id == _D.c.endpoint_id).where(_D.c.id.in_(held))
        .order_by(_D.c.next_attempt_at, _D.c.id)))


def _deliver_one(session: Session, *, poster: Poster, row, failing: dict, now: datetime) -> int:
    until = row.previous_secret_until
    previous = row.previous_secret if until is not None and now < until else None
    body, headers = signed_request(row, row.secret, now, previous=previous)
    started = time.monotonic()
    response = poster.post(row.url, body, headers)
    latency, text = round((time.monotonic() - started) * 1000), response.text[:EXCERPT]
    session.execute(sa.insert(_A), {"delivery_id": row.id, "at": now, "status": response.status,
                                    "latency_ms": latency, "response": text})
    values = {"last_latency_ms": latency, "last_status": response.status, "last_response": text,
              "attempts": row.attempts + 1, "claimed_until": None}
    ok = response.status is not None and 200 <= response.status < 300
    if ok:
        values["delivered_at"] = now
        if failing[row.endpoint_id] is not None:
            session.execute(_E.update().where(_E.c.id == row.endpoint_id).values(failing_since=None))
            failing[row.endpoint_id] = None
    elif now - row.created_at >= GIVE_UP:
        values["failed_at"] = now
    else:
        values["next_attempt_at"] = now + min(BASE_DELAY * 2 ** row.attempts, MAX_DELAY)
    session.execute(_D.update().where(_D.c.id == row.id).values(**values))
    if not ok:
        _endpoint_failed(session, row.endpoint_id, failing, now)
    return int(ok)


def _endpoint_failed(session: Session, endpoint_id: int, failing: dict, now: datetime) -> None:
    """Start the endpoint's run of failures, or disable it once the run has lasted GIVE_UP."""
    since = failing[endpoint_id]
    if since is None:
        session.execute(_E.update().where(_E.c.id == endpoint_id).values(failing_since=now))
        failing[endpoint_id] = now
    elif now - since >= GIVE_UP:
        _disable(session, session.get(WebhookEndpoint, endpoint_id, populate_existing=True), now)


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
    session.flush()


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
