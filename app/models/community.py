"""Community: embeds of the leaderboard shown on other sites (a signed, revocable, read-only URL)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type
from app.models.people import StaffUser


class EmbedPeriod(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL_TIME = "all_time"


class EmbedTheme(enum.StrEnum):
    LIGHT = "light"
    DARK = "dark"


class EmbedNames(enum.StrEnum):
    FULL = "full"  # "Jane Doe"
    FIRST_INITIAL = "first_initial"  # "Jane D."
    COMPANY = "company"  # the company only


class Embed(db.Model):
    """One embeddable leaderboard. Its URL carries a token signed over the id; revoking the row
    (revoked_at) or its expiry (expires_at) ends the URL, since every request reads the row."""

    __tablename__ = "embed"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(24), default="leaderboard")
    period: Mapped[EmbedPeriod] = mapped_column(enum_type(EmbedPeriod))
    region: Mapped[str | None] = mapped_column(sa.String(80))
    industry: Mapped[str | None] = mapped_column(sa.String(80))
    rows: Mapped[int] = mapped_column(default=10)
    theme: Mapped[EmbedTheme] = mapped_column(enum_type(EmbedTheme))
    names: Mapped[EmbedNames] = mapped_column(enum_type(EmbedNames))
    allowed_origins: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Optional: from this time (UTC) the URL answers 404, as if revoked.
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    created_by: Mapped[StaffUser | None] = relationship()


class FeedItem(db.Model):
    """One achievement in the community feed, written in the transaction of the change it tells of.

    `kind` + `subject` name the source once (e.g. promotion / status-change:12), so recording twice
    writes one row and the source can retract it. Who it is about is read at display time (name,
    opt-out, state), so an opt-out or an erasure changes past items at once. Staff may hide one."""

    __tablename__ = "feed_item"
    __table_args__ = (
        sa.UniqueConstraint("kind", "subject", name="uq_feed_item_kind_subject"),
        sa.Index("ix_feed_item_occurred", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    subject: Mapped[str] = mapped_column(sa.String(80))
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"), index=True)
    text: Mapped[str] = mapped_column(sa.String(300))
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))

    hidden_by: Mapped[StaffUser | None] = relationship()
