"""Emitting an event: one delivery row per active endpoint that wants its type, in the caller's
transaction, so the event is stored exactly when the change it describes is committed.

`emit_many` stores a batch of events of one type with one endpoint read and one executemany (the
customer importer writes thousands of advocates per batch); with no subscribed endpoint it costs a
single small SELECT.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import WebhookDelivery, WebhookEndpoint


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _subscribed(session: Session, type: str) -> list[int]:  # noqa: A002
    endpoints = session.execute(sa.select(WebhookEndpoint.id, WebhookEndpoint.event_types)
                                .where(WebhookEndpoint.active.is_(True))).all()
    return [endpoint_id for endpoint_id, types in endpoints if type in (types or ())]


def emit(session: Session, type: str, data: dict, now: datetime) -> int:  # noqa: A002 (the payload's name)
    """Store the event `type` with `data` for each subscribed active endpoint; returns how many."""
    return emit_many(session, type, [data], now)


def emit_many(session: Session, type: str, datas: Iterable[dict], now: datetime) -> int:  # noqa: A002
    """Store one event `type` per item of `datas` for each subscribed active endpoint; returns the rows."""
    wanted = _subscribed(session, type)
    if not wanted:
        return 0
    stamp = now.isoformat(timespec="seconds") + "Z"
    rows = []
    for data in datas:
        event_id, payload = new_event_id(), {"type": type, "timestamp": stamp, "data": data}
        rows.extend(dict(endpoint_id=endpoint_id, event_id=event_id, type=type, payload=payload,
                         created_at=now, attempts=0, next_attempt_at=now) for endpoint_id in wanted)
    if rows:
        session.execute(sa.insert(WebhookDelivery), rows)
    return len(rows)


def advocate_data(advocate, *, source: str, changed: list[str] | None = None) -> dict:
    """The `data` of advocate.created / advocate.updated (an Advocate or a row mapping with its columns)."""
    get = advocate.get if isinstance(advocate, dict) else lambda name: getattr(advocate, name)
    state = get("state")
    data = {"advocate_id": get("id"), "external_id": get("external_id"), "email": get("email"),
            "name": get("name"), "company": get("company"), "state": getattr(state, "value", state),
            "source": source}
    if changed is not None:
        data["changed"] = sorted(changed)
    return data
