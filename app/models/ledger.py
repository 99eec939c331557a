"""The append-only points ledger and the leaderboard period buckets maintained beside it."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type
from app.models.people import Advocate, StaffUser


class LedgerReason(enum.StrEnum):
    MISSION = "mission"
    REFERRAL = "referral"
    REFERENCE = "reference"
    REDEMPTION = "redemption"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"
    BONUS = "bonus"

    @property
    def counts_as_earned(self) -> bool:
        """Spending and refunds move the balance but not lifetime points or leaderboards."""
        return self not in (LedgerReason.REDEMPTION, LedgerReason.REFUND)


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entry"
    __table_args__ = (sa.Index("ix_ledger_entry_advocate_created", "advocate_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"))
    amount: Mapped[int]
    reason: Mapped[LedgerReason] = mapped_column(enum_type(LedgerReason))
    source_type: Mapped[str | None] = mapped_column(sa.String(40))
    source_id: Mapped[int | None]
    idempotency_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)

    advocate: Mapped[Advocate] = relationship()
    actor: Mapped[StaffUser | None] = relationship()


class PeriodTotal(db.Model):
    """Earned points per advocate per calendar week or month (in the program timezone)."""

    __tablename__ = "period_total"
    __table_args__ = (
        sa.Index(
            "ix_period_total_board",
            "period",
            "period_start",
            "points",
            "last_scored_at",
            "advocate_id",
        ),
    )

    period: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"), primary_key=True)
    points: Mapped[int] = mapped_column(default=0)
    last_scored_at: Mapped[datetime] = mapped_column(sa.DateTime)
