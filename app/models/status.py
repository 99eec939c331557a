"""Status changes: promotions and manual demotions, with their reason."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import Status, enum_type


class StatusChange(db.Model):
    __tablename__ = "status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    advocate_id: Mapped[int] = mapped_column(sa.ForeignKey("advocate.id"), index=True)
    from_status: Mapped[Status] = mapped_column(enum_type(Status))
    to_status: Mapped[Status] = mapped_column(enum_type(Status))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    at: Mapped[datetime] = mapped_column(sa.DateTime)
