"""Missions (curated offers of one activity), advocates' attempts and their transition history."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, enum_type
from app.models.catalog import ActivityType
from app.models.people import Advocate, StaffUser


class AttemptState(enum.StrEnum):
    AVAILABLE = "available"
    STARTED = "started"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    DECLINED = "declined"
    EXPIRED = "expired"


class Mission(TimestampMixin, db.Model):
    __tablename__ = "mission"
    __table_args__ = (sa.Index("ix_mission_window", "opens_at", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    instructions: Mapped[str] = mapped_column(sa.Text, default="")
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_type.id"))
    audience: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    opens_at: Mapped[datetime] = mapped_column(sa.DateTime)
    closes_at: Mapped[datetime] = mapped_column(sa.DateTime)
    completion_limit: Mapped[int | None]
    completed_count: Mapped[int] = mapped_column(default=0)
    points_override: Mapped[int | None]
    archived: Mapped[bool] = mapped_column(default=False)
    # The banner picture (a stored file's token, services.pictures); "" for none.
    picture: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    version_id: Mapped[int] = mapped_column(default=1)

    activity: Mapped[ActivityType] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    def is_open(self, now: datetime) -> bool:
        return not self.archived and self.opens_at <= now < self.closes_at


class Attempt(TimestampMixin, db.Model):
    __tablename__ = "attempt"
    __table_args__ = (
        sa.UniqueConstraint("mission_id", "advocate_id", name="uq_attempt_mission_advocate"),
        sa.Index("ix_attempt_advocate_state", "advocate_id", "state"),
        sa.Index("ix_attempt_state_submitted", "state", "submitted_at"),
        sa.Index("ix_attempt_state_deadline", "state", "deadline_at"),
        # The program figures and trends: approved actions of a period by activity (an index range count)
        # with a review's rating, and each advocate's first and last approved action (half-life), all
        # read from the index alone.
        sa.Index("ix_attempt_state_decided", "state", "decided_at", "activity_id", "review_rating"),
        sa.Index("ix_attempt_state_advocate_decided", "state", "advocate_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("mission.id"))
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"))
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_type.id"))
    state: Mapped[AttemptState] = mapped_column(enum_type(AttemptState))
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    evidence_link: Mapped[str | None] = mapped_column(sa.String(2000))
    evidence_text: Mapped[str | None] = mapped_column(sa.Text)
    evidence_file: Mapped[str | None] = mapped_column(sa.String(80))
    evidence_filename: Mapped[str | None] = mapped_column(sa.String(255))
    evidence_mimetype: Mapped[str | None] = mapped_column(sa.String(80))
    # A review's star rating (1-5) and where it was posted, given with the evidence.
    review_rating: Mapped[int | None]
    review_platform: Mapped[str | None] = mapped_column(sa.String(80))
    points_awarded: Mapped[int | None]

    mission: Mapped[Mission] = relationship()
    advocate: Mapped[Advocate] = relationship()
    activity: Mapped[ActivityType] = relationship()
    decided_by: Mapped[StaffUser | None] = relationship()
    transitions: Mapped[list["AttemptTransition"]] = relationship(
        order_by="AttemptTransition.id", back_populates="attempt"
    )


class AttemptTransition(db.Model):
    __tablename__ = "attempt_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"), index=True)
    from_state: Mapped[AttemptState] = mapped_column(enum_type(AttemptState))
    to_state: Mapped[AttemptState] = mapped_column(enum_type(AttemptState))
    actor_kind: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(sa.String(120), default="")
    reason: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(sa.DateTime)

    attempt: Mapped[Attempt] = relationship(back_populates="transitions")
