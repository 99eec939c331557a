"""Webhook endpoints: the event types, creating an endpoint (its secret shown once) and the URL rule.

A URL must be http(s) with a host; a host that is or resolves to a private, loopback, link-local or
reserved address is refused unless the operator allows private targets (WEBHOOKS_ALLOW_PRIVATE=1),
both when the endpoint is saved and at each delivery, on the very address connected to (transport.py).
"""

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.webhooks import transport

ROTATION_GRACE = timedelta(hours=24)

# The events, with what a receiver gets in `data` (app/api/webhook_docs.py describes each).
EVENT_TYPES = {
    "advocate.created": "An advocate record was created (an invitation or a customer import)",
    "advocate.updated": "An advocate's profile or account changed (staff, the advocate, API, import)",
    "attempt.submitted": "An advocate submitted a mission attempt",
    "attempt.approved": "Staff approved an attempt",
    "attempt.rejected": "Staff rejected an attempt",
    "ledger_entry.created": "Points were posted to an advocate's ledger",
    "status.changed": "An advocate's status changed (promotion or an admin's change)",
    "referral.created": "A prospect accepted a referral (submitted through an advocate's link)",
    "referral.qualified": "Staff marked a referral qualified",
    "referral.converted": "A referral became a customer (with its deal amount)",
    "redemption.requested": "An advocate redeemed points for a reward",
    "redemption.fulfilled": "Staff marked a redemption fulfilled (sent)",
    "redemption.refunded": "A redemption's points went back (rejected by staff or cancelled by the advocate)",
    "ask.sent": "An ask (a mission invitation) was sent to an advocate",
}


@dataclass(frozen=True)
class Created:
    endpoint: WebhookEndpoint
    secret: str  # shown once, on the response page


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, stripped, if it may receive webhooks; ValidationFailed (field "url") otherwise."""
    url = url.strip()
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or len(url) > 2000:
        raise ValidationFailed("Enter an http:// or https:// URL.", field="url")
    if not allow_private:
        try:
            transport.resolve(parts.hostname, port or 443, allow_private=False)
        except transport.Refused:
            raise ValidationFailed("This address is private or local; webhooks go to public addresses only.",
                                   field="url") from None
    return url


def _check_types(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown or not event_types:
        raise ValidationFailed("Choose at least one of the listed event types.", field="event_types")
    return sorted(set(event_types))


def create_endpoint(session: Session, *, url: str, event_types: list[str], now: datetime,
                    allow_private: bool) -> Created:
    url = check_url(url, allow_private=allow_private)
    event_types = _check_types(event_types)
    secret = new_secret()
    endpoint = WebhookEndpoint(url=url, secret=secret, event_types=event_types,
                               active=True, created_at=now)
    session.add(endpoint)
    session.flush()
    return Created(endpoint, secret)


def list_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def get_endpoint(session: Session, *, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def set_active(session: Session, *, endpoint_id: int, active: bool, now: datetime) -> WebhookEndpoint:
    """Turn an endpoint on (its waiting deliveries resume) or off (they wait)."""
    endpoint = get_endpoint(session, endpoint_id=endpoint_id)
    _set_active(endpoint, active, now)
    session.flush()
    return endpoint


def _set_active(endpoint: WebhookEndpoint, active: bool, now: datetime) -> None:
    if active and not endpoint.active:
        endpoint.failing_since = None  # turned back on: the three days count from its next failure
    endpoint.active = active
    endpoint.disabled_at = None if active else (endpoint.disabled_at or now)


def update_endpoint(session: Session, *, endpoint_id: int, url: str, event_types: list[str], active: bool,
                    now: datetime, allow_private: bool) -> WebhookEndpoint:
    """Change the URL, the event types and whether it is on; its secret stays (rotate_secret)."""
    endpoint = get_endpoint(session, endpoint_id=endpoint_id)
    url = check_url(url, allow_private=allow_private)
    endpoint.event_types = _check_types(event_types)
    if url != endpoint.url:
        endpoint.url, endpoint.failing_since = url, None  # another receiver: its own three days
    _set_active(endpoint, active, now)
    session.flush()
    return endpoint


def rotate_secret(session: Session, *, endpoint_id: int, now: datetime) -> str:
    """A new secret (returned, shown once). For ROTATION_GRACE the old one signs too: each attempt
    carries two `v1,` signatures, so a receiver still on the old secret keeps verifying until it
    switches. A second rotation within the grace period ends the first one's old secret at once."""
    endpoint = get_endpoint(session, endpoint_id=endpoint_id)
    secret = new_secret()
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, now + ROTATION_GRACE
    endpoint.secret = secret
    session.flush()
    return secret


def delete_endpoint(session: Session, *, endpoint_id: int, now: datetime) -> str:
    """Delete the endpoint with its deliveries (sent or waiting: none goes out any more) and their
    attempts; returns its URL. Conflict while one of its deliveries is being sent."""
    endpoint = get_endpoint(session, endpoint_id=endpoint_id)
    deliveries = sa.select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    if session.scalar(deliveries.where(WebhookDelivery.claimed_until > now).limit(1)) is not None:
        raise Conflict("One of its deliveries is being sent right now; try again in a minute.")
    session.execute(sa.delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    url = endpoint.url
    session.delete(endpoint)
    session.flush()
    return url
