"""The account audit trail: every change to an advocate's or a staff user's account (state, owner,
ask frequency, role, deactivation, erasure), with who made it, from where, from and to what, and why."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type
from app.models.people import StaffUser


class EventSource(enum.StrEnum):
    STAFF = "staff"
    API = "api"
    IMPORT = "import"
    ADVOCATE = "advocate"


class EventKind(enum.StrEnum):
    STATE = "state"  # an advocate's state: invited, active, paused, opted_out
    OWNER = "owner"  # an advocate's owner CSM (by staff email)
    ASK_FREQUENCY = "ask_frequency"
    ERASED = "erased"  # the advocate's personal data was pseudonymised
    ROLE = "role"  # a staff user's role
    ACTIVE = "active"  # a staff user deactivated or reactivated
    INVITED = "invited"  # a staff user's invitation sent again


class AccountEvent(db.Model):
    __tablename__ = "account_event"
    __table_args__ = (
        sa.Index("ix_account_event_advocate_at", "advocate_id", "at"),
        sa.Index("ix_account_event_staff_at", "staff_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose account changed: an advocate or a staff user (one of the two).
    advocate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advocate.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    # Who changed it: a staff user (the API: its key's actor row); None: the advocate, or an import file.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    source: Mapped[EventSource] = mapped_column(enum_type(EventSource))
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind))
    from_value: Mapped[str | None] = mapped_column(sa.String(254))
    to_value: Mapped[str | None] = mapped_column(sa.String(254))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(sa.DateTime)

    actor: Mapped[StaffUser | None] = relationship(foreign_keys=[actor_id])
