"""Rewards (SPEC §11): a catalog of mostly non-cash items and the advocates' redemptions of them.

A `Reward` costs points, may have limited `stock` (None = unlimited), a minimum status, and may
need staff approval. A `Redemption` moves requested → approved → fulfilled, or to rejected (staff)
or cancelled (the advocate, while requested); rejected and cancelled ones were refunded through a
new ledger entry and their stock put back. CHECK constraints keep stock and costs from going
negative whatever the code does.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Status, enum_type
from app.models.people import Advocate, StaffUser


class RewardKind(enum.StrEnum):
    SWAG = "swag"
    EARLY_ACCESS = "early_access"
    EVENT = "event"
    DONATION = "donation"
    ADVISORY_SEAT = "advisory_seat"
    GIFT_CARD = "gift_card"
    OTHER = "other"


class RedemptionState(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Reward(db.Model):
    __tablename__ = "reward"
    __table_args__ = (
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("points_cost > 0", name="points_cost_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[RewardKind] = mapped_column(enum_type(RewardKind))
    points_cost: Mapped[int]
    stock: Mapped[int | None]
    min_status: Mapped[Status] = mapped_column(enum_type(Status), default=Status.BRONZE)
    requires_approval: Mapped[bool] = mapped_column(default=True)
    unit_cost_cents: Mapped[int | None]  # what one costs the program, for the cost figures
    active: Mapped[bool] = mapped_column(default=True)
    # The product photo (a stored file's token, services.pictures); "" for none.
    picture: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


class Redemption(db.Model):
    __tablename__ = "redemption"
    __table_args__ = (
        sa.Index("ix_redemption_advocate_created", "advocate_id", "created_at"),
        sa.Index("ix_redemption_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"))
    reward_id: Mapped[int] = mapped_column(sa.ForeignKey("reward.id"), index=True)
    points: Mapped[int]  # the cost when redeemed; refunds return exactly this
    # What it cost the program: the reward's unit cost when redeemed (later catalog changes keep it).
    cost_cents: Mapped[int | None]
    state: Mapped[RedemptionState] = mapped_column(enum_type(RedemptionState))
    note: Mapped[str] = mapped_column(sa.Text, default="")  # from the advocate (e.g. a shirt size)
    request_key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # one form post, one redemption
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why it was rejected
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # rejected or cancelled
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)

    advocate: Mapped[Advocate] = relationship()
    reward: Mapped[Reward] = relationship()
    decided_by: Mapped[StaffUser | None] = relationship()
