"""Operational tables: program settings, notifications, login failures."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class ProgramSetting(db.Model):
    __tablename__ = "program_setting"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[dict | list | str | int | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_advocate_read", "advocate_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advocate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advocate.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


class LoginFailure(db.Model):
    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_email_at", "email", "at"),
        sa.Index("ix_login_failure_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(sa.DateTime)
