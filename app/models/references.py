"""The reference program (SPEC §10): an advocate's reference profile, sales' requests and the chain
of asks made for each, and the feedback both sides leave after the call.

A `ReferenceProfile` row exists once an advocate has made the choice in the portal: `opted_in`, the
use-case tags they can speak to (stored as ",tag,tag," so SQL can match one with LIKE), when they
last gave a reference and how many they gave in the quarter `quarter_key` (e.g. "2026Q4").
A `ReferenceRequest` moves open → asked → accepted → completed (cancelled from open or asked);
each `ReferenceAsk` is one link of its chain: offered, then accepted, declined or timed_out, and an
accepted one completed. One ask per request and advocate.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type
from app.models.people import Advocate, StaffUser


class ReferenceRequestState(enum.StrEnum):
    OPEN = "open"
    ASKED = "asked"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ReferenceAskState(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TIMED_OUT = "timed_out"
    COMPLETED = "completed"


class ReferenceProfile(db.Model):
    __tablename__ = "reference_profile"
    __table_args__ = (sa.Index("ix_reference_profile_opted_in", "opted_in", "advocate_id"),)

    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"), primary_key=True)
    opted_in: Mapped[bool] = mapped_column(default=False)
    use_cases: Mapped[str] = mapped_column(sa.String(400), default="")
    last_reference_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    quarter_key: Mapped[str] = mapped_column(sa.String(7), default="")
    quarter_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)

    advocate: Mapped[Advocate] = relationship()

    @property
    def use_case_list(self) -> list[str]:
        return [tag for tag in self.use_cases.split(",") if tag]


class ReferenceRequest(db.Model):
    __tablename__ = "reference_request"
    __table_args__ = (sa.Index("ix_reference_request_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_company: Mapped[str] = mapped_column(sa.String(120))
    industry: Mapped[str] = mapped_column(sa.String(80), default="")
    size_band: Mapped[str] = mapped_column(sa.String(40), default="")
    region: Mapped[str] = mapped_column(sa.String(80), default="")
    use_cases: Mapped[list] = mapped_column(sa.JSON, default=list)
    needed_by: Mapped[date | None] = mapped_column(sa.Date)
    crm_opportunity_id: Mapped[str | None] = mapped_column(sa.String(80))
    opportunity_amount: Mapped[int | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    source: Mapped[str] = mapped_column(sa.String(10), default="staff")
    state: Mapped[ReferenceRequestState] = mapped_column(
        enum_type(ReferenceRequestState), default=ReferenceRequestState.OPEN)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    requested_by: Mapped[StaffUser | None] = relationship()
    asks: Mapped[list["ReferenceAsk"]] = relationship(back_populates="request", order_by="ReferenceAsk.id")


class ReferenceAsk(db.Model):
    __tablename__ = "reference_ask"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "advocate_id"),
        sa.Index("ix_reference_ask_state_due", "state", "due_at"),
        sa.Index("ix_reference_ask_advocate", "advocate_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("reference_request.id"))
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"))
    governor_ask_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ask.id"))
    rank: Mapped[int]
    fit_score: Mapped[int]
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    state: Mapped[ReferenceAskState] = mapped_column(enum_type(ReferenceAskState))
    sent_by: Mapped[str] = mapped_column(sa.String(120), default="")
    sent_at: Mapped[datetime] = mapped_column(sa.DateTime)
    due_at: Mapped[datetime] = mapped_column(sa.DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    request: Mapped[ReferenceRequest] = relationship(back_populates="asks")
    advocate: Mapped[Advocate] = relationship()
    feedback: Mapped[list["ReferenceFeedback"]] = relationship(order_by="ReferenceFeedback.id")


class ReferenceFeedback(db.Model):
    __tablename__ = "reference_feedback"
    __table_args__ = (sa.UniqueConstraint("ask_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ask_id: Mapped[int] = mapped_column(sa.ForeignKey("reference_ask.id"))
    side: Mapped[str] = mapped_column(sa.String(10))  # "advocate" or "sales"
    rating: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text, default="")
    author: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
