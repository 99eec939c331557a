"""Webhooks out: endpoints, events stored with their change, signed delivery with retries, replay."""

from app.services.webhooks.delivery import (
    HttpPoster,
    Response,
    claim_due,
    deliver_due,
    recent_deliveries,
    replay,
    signed_request,
)
from app.services.webhooks.endpoints import (
    EVENT_TYPES,
    check_url,
    create_endpoint,
    get_endpoint,
    list_endpoints,
    set_active,
)
from app.services.webhooks.events import emit

__all__ = [
    "HttpPoster", "Response", "claim_due", "deliver_due", "recent_deliveries", "replay", "signed_request",
    "EVENT_TYPES", "check_url", "create_endpoint", "get_endpoint", "list_endpoints", "set_active", "emit",
]
