"""Customer signals: what the CRM, support desk and product analytics say about a customer record.

One row per advocate (1:1, keyed by the advocate's id). They live apart from `advocate` because
they are written by imports and read by the weekly scoring job only, while the advocate row is
read and updated on every award and leaderboard request; NPS, health score and customer-since
stay on the advocate, where the governor and the staff pages already read them.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class CustomerSignal(db.Model):
    __tablename__ = "customer_signal"
    __table_args__ = (
        sa.CheckConstraint("purchase_count >= 0", name="purchase_count_not_negative"),
        sa.CheckConstraint("csat IS NULL OR (csat >= 1 AND csat <= 5)", name="csat_in_range"),
        sa.CheckConstraint("usage_depth IS NULL OR (usage_depth >= 0 AND usage_depth <= 100)",
                           name="usage_depth_in_range"),
        sa.CheckConstraint("referrals_made >= 0", name="referrals_made_not_negative"),
        sa.CheckConstraint("social_mentions >= 0", name="social_mentions_not_negative"),
    )

    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id", ondelete="CASCADE"),
                                             primary_key=True)
    # Purchases and renewals so far, and the date of the latest one.
    purchase_count: Mapped[int] = mapped_column(default=0)
    last_purchase_on: Mapped[date | None] = mapped_column(sa.Date)
    # Average CSAT (1-5) of the customer's resolved support tickets; None when they had none.
    csat: Mapped[float | None] = mapped_column(sa.Float)
    # A ticket that went badly and was turned around: scores a bonus.
    recovered: Mapped[bool] = mapped_column(default=False)
    # Product usage depth, 0-100 (share of the product's core features in regular use).
    usage_depth: Mapped[int | None]
    referrals_made: Mapped[int] = mapped_column(default=0)
    social_mentions: Mapped[int] = mapped_column(default=0)
    # Last day the customer used the product; "active usage" means within the program's window.
    last_active_on: Mapped[date | None] = mapped_column(sa.Date)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)
