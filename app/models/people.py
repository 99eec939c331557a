"""People: advocates (customers), staff users and their invitations."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Status, TimestampMixin, enum_type


class AdvocateState(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    PAUSED = "paused"
    OPTED_OUT = "opted_out"


class AskFrequency(enum.StrEnum):
    STANDARD = "standard"
    HIGH = "high"


class StaffRole(enum.StrEnum):
    ADMIN = "admin"
    MARKETING = "marketing"
    CSM = "csm"


def _session_token(user) -> str:
    """Flask-Login's user id: the sign-in session's token, so that ending the session ends the cookie."""
    if not user.session_token:
        raise RuntimeError("No sign-in session: start one with services.login_sessions.start().")
    return user.session_token


class StaffUser(TimestampMixin, db.Model):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    is_staff = True
    # The token of the sign-in session this object was loaded for (services.login_sessions); not a column.
    session_token = None

    def get_id(self) -> str:
        return _session_token(self)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active and self.password_hash is not None

    @property
    def is_anonymous(self) -> bool:
        return False


class Advocate(TimestampMixin, db.Model):
    __tablename__ = "advocate"
    __table_args__ = (
        sa.Index(
            "ix_advocate_leaderboard", "lifetime_points", "last_scored_at", "id"
        ),
        # The qualified-advocates list: invited records with a tier, best tier and score first.
        sa.Index("ix_advocate_readiness", "state", "readiness_tier", "readiness_score"),
        # The program figures' active advocates by status, index-only.
        sa.Index("ix_advocate_state_status", "state", "status"),
        # ... and eligible records by readiness tier and state (coverage, activation).
        sa.Index("ix_advocate_eligible_tier", "eligible", "readiness_tier", "state"),
        # Region and industry: the values advocates hold read one index seek per value
        # (services.audiences.held_values), and a filtered board's own-rank count is index-only.
        sa.Index("ix_advocate_region_points", "region", "lifetime_points"),
        sa.Index("ix_advocate_industry_points", "industry", "lifetime_points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    company: Mapped[str] = mapped_column(sa.String(120), default="")
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    industry: Mapped[str] = mapped_column(sa.String(80), default="")
    company_size: Mapped[str] = mapped_column(sa.String(40), default="")
    region: Mapped[str] = mapped_column(sa.String(80), default="")
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    customer_since: Mapped[date | None] = mapped_column(sa.Date)
    nps: Mapped[int | None]
    health_score: Mapped[int | None]
    readiness_tier: Mapped[int | None]
    # Written by the weekly score_customers job (services/customers/readiness.py) from the customer signals.
    readiness_score: Mapped[int | None]
    eligible: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    state: Mapped[AdvocateState] = mapped_column(enum_type(AdvocateState), default=AdvocateState.INVITED)
    ask_frequency: Mapped[AskFrequency] = mapped_column(
        enum_type(AskFrequency), default=AskFrequency.STANDARD
    )
    leaderboard_opt_out: Mapped[bool] = mapped_column(default=False)
    status: Mapped[Status] = mapped_column(enum_type(Status), default=Status.BRONZE)
    status_since: Mapped[datetime] = mapped_column(sa.DateTime)
    balance: Mapped[int] = mapped_column(default=0)
    lifetime_points: Mapped[int] = mapped_column(default=0)
    last_scored_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Last sign-in or mission action; re-engagement counts inactivity from here (or created_at).
    last_active_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Email categories the advocate turned off (see services.preferences); in-app always arrives.
    email_opt_outs: Mapped[list] = mapped_column(sa.JSON, default=list)
    # When the advocate's personal data was pseudonymised at their request (services.personal_data).
    erased_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Celebration watermarks (services.points.celebrations): the last ledger entry and status change the
    # portal has already celebrated, so each is shown once.
    celebrated_ledger_id: Mapped[int] = mapped_column(default=0, server_default="0")
    celebrated_status_change_id: Mapped[int] = mapped_column(default=0, server_default="0")
    # The advocate's uploaded picture (a stored file's token, services.people.avatars); "" for initials.
    avatar: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")

    owner: Mapped[StaffUser | None] = relationship()

    is_staff = False
    session_token = None  # as StaffUser.session_token

    def get_id(self) -> str:
        return _session_token(self)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.state in (AdvocateState.ACTIVE, AdvocateState.PAUSED) and bool(self.password_hash)

    @property
    def is_anonymous(self) -> bool:
        return False


class Invite(TimestampMixin, db.Model):
    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    advocate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advocate.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    advocate: Mapped[Advocate | None] = relationship(foreign_keys=[advocate_id])
    staff: Mapped[StaffUser | None] = relationship(foreign_keys=[staff_id])
    invited_by: Mapped[StaffUser | None] = relationship(foreign_keys=[invited_by_id])
