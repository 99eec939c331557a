"""Customer signals: what the CRM, support desk and product analytics say about a customer record.

One row per advocate (1:1, keyed by the advocate's id). They live apart from `advocate` because
they are written by imports and read by the weekly scoring job only, while the advocate row is
read and updated on every award and leaderboard request; NPS, health score and customer-since
stay on the advocate, where the governor and the staff pages already read them.
"""

from dataclasses import dataclass
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


# The signal fields, declared once: what readiness scores a record from. Each Signal names its import
# column (CSV header, JSON key), the attribute it is stored as, the table that holds it (the advocate
# record, or its customer_signal row), its kind and range, the value a record without a signal row
# has, and the label pages show. The importer, readiness, its explanation, the API, the data export
# and erasure read them from here.
ADVOCATE, SIGNAL_ROW = "advocate", "customer_signal"
MAX_COUNT = 1_000_000  # purchases, referrals, mentions: far above any real count, well inside a column


@dataclass(frozen=True)
class Signal:
    column: str  # the import's column name
    attr: str  # the stored attribute (Advocate or CustomerSignal)
    table: str  # ADVOCATE or SIGNAL_ROW
    kind: str  # "whole" (low..high), "date" (not in the future), "average" (1 to 5), "flag"
    label: str
    low: int = 0
    high: int = MAX_COUNT
    default: object = None  # the value of a record that has no customer_signal row

    @property
    def type(self) -> type:
        return {"whole": int, "date": date, "average": float, "flag": bool}[self.kind]


SIGNALS = (
    Signal("customer_since", "customer_since", ADVOCATE, "date", "Customer since"),
    Signal("nps", "nps", ADVOCATE, "whole", "NPS", high=10),
    Signal("health_score", "health_score", ADVOCATE, "whole", "Health score", high=100),
    Signal("purchases", "purchase_count", SIGNAL_ROW, "whole", "Purchases", default=0),
    Signal("last_purchase_on", "last_purchase_on", SIGNAL_ROW, "date", "Last purchase"),
    Signal("csat", "csat", SIGNAL_ROW, "average", "Support CSAT", low=1, high=5),
    Signal("recovered", "recovered", SIGNAL_ROW, "flag", "Recovered customer", default=False),
    Signal("usage_depth", "usage_depth", SIGNAL_ROW, "whole", "Usage depth", high=100),
    Signal("referrals_made", "referrals_made", SIGNAL_ROW, "whole", "Referrals made", default=0),
    Signal("social_mentions", "social_mentions", SIGNAL_ROW, "whole", "Social mentions", default=0),
    Signal("last_active_on", "last_active_on", SIGNAL_ROW, "date", "Last active"),
)
ON_ADVOCATE = tuple(s.attr for s in SIGNALS if s.table == ADVOCATE)
ON_SIGNAL_ROW = tuple(s.attr for s in SIGNALS if s.table == SIGNAL_ROW)
NO_SIGNAL_ROW = {s.attr: s.default for s in SIGNALS if s.table == SIGNAL_ROW}
