"""Webhooks out: endpoints, events stored with their change, signed delivery with retries, replay."""

from app.services.webhooks.delivery import (
    attempts_of,
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
    delete_endpoint,
    get_endpoint,
    list_endpoints,
    rotate_secret,
    set_active,
    update_endpoint,
)
from app.services.webhooks.events import emit, emit_many
from app.services.webhooks.transport import HttpPoster, Response

__all__ = [
    "HttpPoster", "Response", "attempts_of", "claim_due", "deliver_due", "recent_deliveries", "replay",
    "signed_request", "EVENT_TYPES", "check_url", "create_endpoint", "delete_endpoint", "get_endpoint",
    "list_endpoints", "rotate_secret", "set_active", "update_endpoint", "emit", "emit_many",
]
