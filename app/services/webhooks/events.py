"""Emitting an event: one delivery row per active endpoint that wants its type, in the caller's
transaction, so the event is stored exactly when the change it describes is committed."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import WebhookDelivery, WebhookEndpoint


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def emit(session: Session, type: str, data: dict, now: datetime) -> int:  # noqa: A002 (the payload's name)
    """Store the event `type` with `data` for each subscribed active endpoint; returns how many."""
    endpoints = session.execute(sa.select(WebhookEndpoint.id, WebhookEndpoint.event_types)
                                .where(WebhookEndpoint.active.is_(True))).all()
    wanted = [endpoint_id for endpoint_id, types in endpoints if type in (types or ())]
    if not wanted:
        return 0
    event_id = new_event_id()
    payload = {"type": type, "timestamp": now.isoformat(timespec="seconds") + "Z", "data": data}
    session.execute(sa.insert(WebhookDelivery), [
        dict(endpoint_id=endpoint_id, event_id=event_id, type=type, payload=payload, created_at=now,
             attempts=0, next_attempt_at=now) for endpoint_id in wanted])
    return len(wanted)
