"""The activity catalog and its reward-tier bands."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Status, TimestampMixin, enum_type


class ActivityKind(enum.StrEnum):
    REVIEW = "review"
    REFERRAL = "referral"
    REFERENCE_CALL = "reference_call"
    WEBINAR = "webinar"
    CASE_STUDY = "case_study"
    TESTIMONIAL = "testimonial"
    SOCIAL_POST = "social_post"
    SPEAKING = "speaking"
    BETA = "beta"
    ADVISORY_BOARD = "advisory_board"
    SURVEY = "survey"
    CONTENT = "content"


class Effort(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Value(enum.StrEnum):
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class Evidence(enum.StrEnum):
    NONE = "none"
    LINK = "link"
    TEXT = "text"
    FILE = "file"


class RewardTierBand(db.Model):
    __tablename__ = "reward_tier_band"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    points: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)


class ActivityType(TimestampMixin, db.Model):
    __tablename__ = "activity_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[ActivityKind] = mapped_column(enum_type(ActivityKind))
    effort: Mapped[Effort] = mapped_column(enum_type(Effort))
    value: Mapped[Value] = mapped_column(enum_type(Value))
    reward_tier_id: Mapped[int] = mapped_column(sa.ForeignKey("reward_tier_band.id"))
    cooldown_days: Mapped[int] = mapped_column(default=0)
    min_status: Mapped[Status] = mapped_column(enum_type(Status), default=Status.BRONZE)
    expires_after_days: Mapped[int] = mapped_column(default=14)
    evidence: Mapped[Evidence] = mapped_column(enum_type(Evidence), default=Evidence.NONE)
    requires_approval: Mapped[bool] = mapped_column(default=True)
    counts_as_ask: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    version_id: Mapped[int] = mapped_column(default=1)

    reward_tier: Mapped[RewardTierBand] = relationship()

    __mapper_args__ = {"version_id_col": version_id}
