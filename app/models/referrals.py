"""Referrals: each advocate's code, the clicks on it, the friends it brought and their history."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, enum_type
from app.models.people import Advocate


class ReferralState(enum.StrEnum):
    SUBMITTED = "submitted"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    LOST = "lost"
    REJECTED = "rejected"


class RejectionReason(enum.StrEnum):
    SELF_REFERRAL = "self_referral"
    SAME_COMPANY = "same_company"
    KNOWN_PROSPECT = "known_prospect"
    BURST = "burst"


class ReferralCode(TimestampMixin, db.Model):
    """One unguessable code per advocate; the link is /r/<code>."""

    __tablename__ = "referral_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"), unique=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)

    advocate: Mapped[Advocate] = relationship()


class ReferralClick(db.Model):
    """One visit of a referral link; the client is kept only as a keyed hash."""

    __tablename__ = "referral_click"
    __table_args__ = (sa.Index("ix_referral_click_code_at", "code_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(sa.ForeignKey("referral_code.id"))
    client_hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(sa.DateTime)


class Referral(TimestampMixin, db.Model):
    """A friend an advocate referred. Accepted referrals hold their email uniquely (first touch wins);
    rejected ones are kept with the reason, so staff can see them."""

    __tablename__ = "referral"
    __table_args__ = (
        sa.Index("uq_referral_prospect", "friend_email", unique=True,
                 sqlite_where=sa.text("rejection_reason IS NULL"),
                 postgresql_where=sa.text("rejection_reason IS NULL")),
        sa.Index("ix_referral_code_created", "code_id", "created_at"),
        sa.Index("ix_referral_client_created", "client_hash", "created_at"),
        sa.Index("ix_referral_referrer_state", "referrer_id", "state"),
        sa.Index("ix_referral_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(sa.ForeignKey("referral_code.id"))
    referrer_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"))
    friend_name: Mapped[str] = mapped_column(sa.String(120))
    friend_email: Mapped[str] = mapped_column(sa.String(254))
    friend_company: Mapped[str] = mapped_column(sa.String(120), default="")
    state: Mapped[ReferralState] = mapped_column(enum_type(ReferralState))
    rejection_reason: Mapped[RejectionReason | None] = mapped_column(enum_type(RejectionReason))
    rejection_message: Mapped[str | None] = mapped_column(sa.Text)
    discount_code: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    client_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    deal_amount: Mapped[int | None]  # whole currency units
    qualified_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    converted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    referrer: Mapped[Advocate] = relationship()
    code: Mapped[ReferralCode] = relationship()
    transitions: Mapped[list["ReferralTransition"]] = relationship(
        order_by="ReferralTransition.id", back_populates="referral")


class ReferralTransition(db.Model):
    __tablename__ = "referral_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referral.id"), index=True)
    from_state: Mapped[ReferralState | None] = mapped_column(enum_type(ReferralState))
    to_state: Mapped[ReferralState] = mapped_column(enum_type(ReferralState))
    actor_kind: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(sa.String(120), default="")
    note: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(sa.DateTime)

    referral: Mapped[Referral] = relationship(back_populates="transitions")
