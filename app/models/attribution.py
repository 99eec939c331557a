"""Attribution (SPEC §14): the CRM's opportunities and what influenced each.

An `Opportunity` is upserted by the CRM's id (`crm_id`) with its amount in whole units of the
program's currency, a stage (open, won, lost) and a close date. Each `OpportunityLink` says one
thing touched it: a reference request, a content item or a referral, as (kind, target id); a deal
touched by several of them is still one deal, so revenue figures count opportunities, never links.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type


class OpportunityStage(enum.StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class InfluenceKind(enum.StrEnum):
    REFERENCE = "reference"  # a reference request (services/references)
    CONTENT = "content"  # a content item (services/attribution/content.py says which ids exist)
    REFERRAL = "referral"  # a referral (services/referrals); a linked referral makes the deal sourced


class Opportunity(db.Model):
    __tablename__ = "opportunity"
    __table_args__ = (
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.Index("ix_opportunity_stage_close", "stage", "close_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crm_id: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # whole units of `currency`
    currency: Mapped[str] = mapped_column(sa.String(3))
    stage: Mapped[OpportunityStage] = mapped_column(enum_type(OpportunityStage))
    close_date: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)

    links: Mapped[list["OpportunityLink"]] = relationship(
        back_populates="opportunity", order_by="OpportunityLink.id", cascade="all, delete-orphan")


class OpportunityLink(db.Model):
    __tablename__ = "opportunity_link"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "kind", "target_id"),
        sa.Index("ix_opportunity_link_target", "kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunity.id", ondelete="CASCADE"))
    kind: Mapped[InfluenceKind] = mapped_column(enum_type(InfluenceKind))
    target_id: Mapped[int]

    opportunity: Mapped[Opportunity] = relationship(back_populates="links")
