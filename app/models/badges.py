"""Verifiable status badges: one Open Badges 2.0 hosted assertion per promotion."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Status, enum_type
from app.models.people import Advocate


class BadgeAssertion(db.Model):
    __tablename__ = "badge_assertion"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public, unguessable id in the assertion's URL (url-safe random).
    uid: Mapped[str] = mapped_column(sa.String(43), unique=True)
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"), index=True)
    status: Mapped[Status] = mapped_column(enum_type(Status))
    # Salt of the hashed recipient email (the assertion never shows the email itself).
    salt: Mapped[str] = mapped_column(sa.String(32))
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    revocation_reason: Mapped[str] = mapped_column(sa.Text, default="")

    advocate: Mapped[Advocate] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
