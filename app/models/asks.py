"""Asks: every request made of an advocate, as decided by the ask governor (SPEC §6).

An `AskPush` is one "push this mission to these advocates" action by staff; it holds the segment
it was sent to. Each `Ask` is one advocate's outcome: sent, queued (until `queued_until`, with the
`reason` it had to wait), blocked (with the `reason`) or dropped (its mission closed, or staff
dropped it, while it was queued). Only one live ask (sent or queued) per advocate and
mission can exist: a partial unique index enforces it on both SQLite and PostgreSQL.

An ask made by a trigger event (source "trigger") names the event; once it went out, it gets one
follow-up if the advocate does not respond (`followed_up_at`, with what the follow-up job did).
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type
from app.models.catalog import ActivityType
from app.models.missions import Mission
from app.models.people import Advocate, StaffUser


class AskState(enum.StrEnum):
    SENT = "sent"
    QUEUED = "queued"
    BLOCKED = "blocked"
    DROPPED = "dropped"


class AskReason(enum.StrEnum):
    """Why an ask did not go out (queued or blocked) or was dropped."""

    FREQUENCY_CAP = "frequency_cap"
    YEARLY_CAP = "yearly_cap"
    COOLDOWN = "cooldown"
    PAUSED = "paused"
    OPTED_OUT = "opted_out"
    LOW_NPS = "low_nps"
    NOT_ELIGIBLE = "not_eligible"
    ALREADY_ASKED = "already_asked"
    COMPETING_ASK = "competing_ask"
    MISSION_CLOSED = "mission_closed"


class FollowUp(enum.StrEnum):
    """What the follow-up job did with a sent trigger ask (each ask is settled once)."""

    SENT = "sent"
    RESPONDED = "responded"
    PAUSED = "paused"
    OPTED_OUT = "opted_out"
    MISSION_CLOSED = "mission_closed"


class AskPush(db.Model):
    __tablename__ = "ask_push"

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("mission.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    segment: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    priority: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    mission: Mapped[Mission] = relationship()
    created_by: Mapped[StaffUser | None] = relationship()


class Ask(db.Model):
    __tablename__ = "ask"
    __table_args__ = (
        sa.Index("ix_ask_advocate_sent", "advocate_id", "sent_at"),
        sa.Index("ix_ask_state_queued_until", "state", "queued_until"),
        sa.Index("ix_ask_push_state", "push_id", "state"),
        sa.Index("uq_ask_live_mission_advocate", "mission_id", "advocate_id", unique=True,
                 sqlite_where=sa.text("state IN ('sent', 'queued')"),
                 postgresql_where=sa.text("state IN ('sent', 'queued')")),
        sa.Index("ix_ask_trigger_event", "trigger_event_id"),
        # The program figures' asks per advocate in a year: the asks that count, read from the index alone.
        sa.Index("ix_ask_advocate_counted", "advocate_id", "state", "counts_as_ask", "sent_at"),
        # Sent trigger asks still waiting for their follow-up, by when they went out.
        sa.Index("ix_ask_followup_due", "sent_at",
                 sqlite_where=sa.text("trigger_event_id IS NOT NULL AND followed_up_at IS NULL"),
                 postgresql_where=sa.text("trigger_event_id IS NOT NULL AND followed_up_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ask_push.id"))
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"))
    mission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mission.id"))
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_type.id"))
    source: Mapped[str] = mapped_column(sa.String(20), default="push")
    priority: Mapped[int] = mapped_column(default=0)
    counts_as_ask: Mapped[bool] = mapped_column(default=True)
    state: Mapped[AskState] = mapped_column(enum_type(AskState))
    reason: Mapped[AskReason | None] = mapped_column(enum_type(AskReason))
    queued_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    trigger_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trigger_event.id"))
    followed_up_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    followup: Mapped[FollowUp | None] = mapped_column(enum_type(FollowUp))

    push: Mapped[AskPush | None] = relationship()
    advocate: Mapped[Advocate] = relationship()
    mission: Mapped[Mission | None] = relationship()
    activity: Mapped[ActivityType] = relationship()
