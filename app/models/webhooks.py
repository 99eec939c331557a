"""Webhooks out: the endpoints other systems register and each event's delivery to each of them."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class WebhookEndpoint(db.Model):
    """A receiver: its URL, its signing secret (`whsec_` + base64) and the event types it wants."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    secret: Mapped[str] = mapped_column(sa.String(100))
    event_types: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    # The first failed attempt of the current unbroken run of failures (None after a success).
    failing_since: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # After a rotation the old secret also signs (a second v1 signature) until previous_secret_until.
    previous_secret: Mapped[str | None] = mapped_column(sa.String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(sa.DateTime)

    @property
    def masked_secret(self) -> str:
        return f"whsec_…{self.secret[-4:]}"


class WebhookDelivery(db.Model):
    """One event for one endpoint, stored with the change and delivered (at least once) later."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (sa.Index("ix_webhook_delivery_due", "delivered_at", "failed_at", "next_attempt_at"),
                      sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_delivery_event"))

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoint.id"), index=True)
    event_id: Mapped[str] = mapped_column(sa.String(40))
    type: Mapped[str] = mapped_column(sa.String(60))
    payload: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_status: Mapped[int | None] = mapped_column()
    last_latency_ms: Mapped[int | None] = mapped_column()
    last_response: Mapped[str | None] = mapped_column(sa.String(500))

    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(db.Model):
    """One POST of a delivery: when, the answer's status (None: no HTTP answer), latency and excerpt."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_delivery.id"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    status: Mapped[int | None] = mapped_column()
    latency_ms: Mapped[int] = mapped_column()
    response: Mapped[str] = mapped_column(sa.String(500), default="")
