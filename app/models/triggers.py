"""Trigger events (SPEC §8): moments of peak satisfaction reported by a CRM or by staff, and the
editable rules that turn them into asks.

A `TriggerRule` maps an event type (with a number range where the type carries one: the NPS
score, the support CSAT) to the activity kind to ask for. A `TriggerEvent` records one event as
received, the rule that matched and what came of it; the ask it made (if any) is the `Ask` row
whose `trigger_event_id` names it.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type
from app.models.catalog import ActivityKind
from app.models.people import Advocate, StaffUser


class TriggerEventType(enum.StrEnum):
    NPS_SUBMITTED = "nps_submitted"
    RENEWAL = "renewal"
    MILESTONE = "milestone"
    SUPPORT_RESOLVED = "support_resolved"
    ONBOARDING_COMPLETED = "onboarding_completed"


class TriggerOutcome(enum.StrEnum):
    """What an event led to. ASKED: an ask row was written (sent, queued or blocked: see the ask)."""

    ASKED = "asked"
    NO_RULE = "no_rule"
    NO_MISSION = "no_mission"
    SUPERSEDED = "superseded"


class TriggerRule(db.Model):
    __tablename__ = "trigger_rule"
    __table_args__ = (sa.Index("ix_trigger_rule_type_enabled", "event_type", "enabled"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[TriggerEventType] = mapped_column(enum_type(TriggerEventType))
    # Inclusive bounds on the event's number (NPS score, CSAT); None = no bound. Only for the types
    # that carry a number.
    min_value: Mapped[int | None]
    max_value: Mapped[int | None]
    activity_kind: Mapped[ActivityKind] = mapped_column(enum_type(ActivityKind))
    priority: Mapped[int] = mapped_column(default=1)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)


class TriggerEvent(db.Model):
    __tablename__ = "trigger_event"
    __table_args__ = (
        # "Is there a newer event of this type for this advocate?" and the advocate's recent events.
        sa.Index("ix_trigger_event_advocate_type_occurred", "advocate_id", "type", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[TriggerEventType] = mapped_column(enum_type(TriggerEventType))
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"))
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    source: Mapped[str] = mapped_column(sa.String(10))  # "api" or "staff"
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trigger_rule.id"))
    outcome: Mapped[TriggerOutcome] = mapped_column(enum_type(TriggerOutcome))
    # One plain sentence for the outcomes without an ask (no rule, no mission, superseded).
    detail: Mapped[str] = mapped_column(sa.String(300), default="")

    advocate: Mapped[Advocate] = relationship()
    actor: Mapped[StaffUser | None] = relationship()
    rule: Mapped[TriggerRule | None] = relationship()
