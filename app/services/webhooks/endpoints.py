"""Webhook endpoints: the event types, creating an endpoint (its secret shown once) and the URL rule.

A URL must be http(s) with a host; a host that is or resolves to a private, loopback, link-local or
reserved address is refused unless the operator allows private targets (WEBHOOKS_ALLOW_PRIVATE=1),
both when the endpoint is saved and again before each delivery.
"""

import base64
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import WebhookEndpoint
from app.services.errors import NotFound, ValidationFailed

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
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("Enter an http:// or https:// URL.", field="url")
    if not allow_private and _is_private(parts.hostname):
        raise ValidationFailed("This address is private or local; webhooks go to public addresses only.",
                               field="url")
    return url


def _is_private(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return True  # an address we cannot resolve is not known to be public
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            return True
    return False


def create_endpoint(session: Session, *, url: str, event_types: list[str], now: datetime,
                    allow_private: bool) -> Created:
    url = check_url(url, allow_private=allow_private)
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown or not event_types:
        raise ValidationFailed("Choose at least one of the listed event types.", field="event_types")
    secret = new_secret()
    endpoint = WebhookEndpoint(url=url, secret=secret, event_types=sorted(set(event_types)),
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
    endpoint.active = active
    endpoint.disabled_at = None if active else now
    session.flush()
    return endpoint
