"""Sign-in records: server-side sign-in sessions, password-reset links and throttle counters."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.people import Advocate, StaffUser


class LoginSession(db.Model):
    """One signed-in browser. The cookie carries the random token; only its SHA-256 is stored.

    A session lives until `expires_at` (absolute: the remember-me duration or the session
    lifetime, fixed at sign-in) unless it is ended first (`ended_at`: sign-out, a password
    change or reset, an admin ending every session of the person)."""

    __tablename__ = "login_session"
    __table_args__ = (
        sa.CheckConstraint("(advocate_id IS NULL) <> (staff_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    advocate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advocate.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")

    advocate: Mapped[Advocate | None] = relationship()
    staff: Mapped[StaffUser | None] = relationship()


class PasswordReset(db.Model):
    """A single-use password-reset link. Only the SHA-256 of its token is stored."""

    __tablename__ = "password_reset"
    __table_args__ = (
        sa.CheckConstraint("(advocate_id IS NULL) <> (staff_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    advocate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advocate.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Set when a newer request for the same person replaces this link.
    superseded_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    advocate: Mapped[Advocate | None] = relationship()
    staff: Mapped[StaffUser | None] = relationship()


class LoginThrottle(db.Model):
    """Attempts counted per key within a fixed window that starts at the window's first attempt.

    Keys are SHA-256 digests of what they count (an email with a client address, an address), so
    no email or address is stored in the clear. Updated only by one atomic upsert."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    count: Mapped[int]
    window_start: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
