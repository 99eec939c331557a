"""Delivering stored events: claim a batch, POST each signed by the Standard Webhooks rules, record it.

Claims follow the email outbox (messaging/outbox.py): a guarded UPDATE sets `claimed_until` and the
caller commits the claim before anything is sent, then commits each outcome. A process that dies
mid-batch leaves its claims to run out and the rows are sent again (at least once; the receiver
deduplicates on `webhook-id`, which a resend and a replay keep). A failed attempt waits
BASE_DELAY * 2^(attempts-1) (at most MAX_DELAY); after GIVE_UP of failures since the event the
delivery fails for good, its endpoint is disabled and the admins are notified.
"""

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from app.models import StaffRole, StaffUser, WebhookDelivery, WebhookEndpoint
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.messaging import notifications
from app.services.webhooks.endpoints import check_url

CLAIM_LEASE = timedelta(minutes=5)
TIMEOUT_S = 10.0
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=12)
GIVE_UP = timedelta(days=3)
EXCERPT = 500


@dataclass(frozen=True)
class Response:
    status: int | None  # None: no HTTP answer (timeout, refused connection, refused address)
    text: str


class Poster(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is the receiver's answer, recorded as a failure, never followed


@dataclass(frozen=True)
class HttpPoster:
    """POSTs with urllib: TIMEOUT_S, no redirects, the address rule checked again before each send."""

    allow_private: bool
    timeout: float = TIMEOUT_S

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        try:
            check_url(url, allow_private=self.allow_private)
        except ValidationFailed as error:
            return Response(None, str(error))
        opener = urllib.request.build_opener(_NoRedirect)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (check_url allows http(s) only)
        try:
            with opener.open(request, timeout=self.timeout) as answer:
                return Response(answer.status, _excerpt(answer.read(EXCERPT * 4)))
        except urllib.error.HTTPError as error:
            return Response(error.code, _excerpt(error.read(EXCERPT * 4) if error.fp else b""))
        except (OSError, ValueError) as error:  # URLError, timeouts, resets
            return Response(None, f"{type(error).__name__}: {error}"[:EXCERPT])


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:EXCERPT]


def signed_request(delivery: WebhookDelivery, secret: str, now: datetime) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers of one attempt (signed at `now`)."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    signature = Webhook(secret).sign(msg_id=delivery.event_id, timestamp=now, data=body)
    stamp = str(int(now.timestamp() if now.tzinfo else now.replace(tzinfo=UTC).timestamp()))
    return body, {"content-type": "application/json", "user-agent": "Rallypoint-Webhooks/1",
                  "webhook-id": delivery.event_id, "webhook-timestamp": stamp,
                  "webhook-signature": signature}


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
    body, headers = signed_request(delivery, delivery.endpoint.secret, now)
    started = time.monotonic()
    response = poster.post(delivery.endpoint.url, body, headers)
    delivery.last_latency_ms = round((time.monotonic() - started) * 1000)
    delivery.last_status, delivery.last_response = response.status, response.text[:EXCERPT]
    delivery.attempts += 1
    delivery.claimed_until = None
    ok = response.status is not None and 200 <= response.status < 300
    if ok:
        delivery.delivered_at = now
    elif now - delivery.created_at >= GIVE_UP:
        delivery.failed_at = now
        _disable(session, delivery.endpoint, now)
    else:
        delivery.next_attempt_at = now + min(BASE_DELAY * 2 ** (delivery.attempts - 1), MAX_DELAY)
    session.flush()
    return int(ok)


def _disable(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    if not endpoint.active:
        return
    endpoint.active, endpoint.disabled_at = False, now
    admins = session.scalars(sa.select(StaffUser.id).where(StaffUser.role == StaffRole.ADMIN,
                                                           StaffUser.active.is_(True)))
    for staff_id in admins:
        notifications.notify(
            session, kind="webhook", title="A webhook endpoint was disabled",
            body=f"{endpoint.url} failed every delivery for three days; its events wait until it is "
                 "turned back on.", link="/admin/webhooks",
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
