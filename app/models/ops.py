"""Operational tables: settings, notifications, job locks and runs, the email outbox."""

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
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)


class JobLock(db.Model):
    """A lease on a scheduled job: one holder at a time; a crashed holder's lease runs out."""

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    holder: Mapped[str | None] = mapped_column(sa.String(120))
    leased_until: Mapped[datetime | None] = mapped_column(sa.DateTime)


# A run given up because its holder stopped: it no longer holds its due time, so a new run may claim it.
LIVE_RUN = sa.text("NOT abandoned")


class JobRun(db.Model):
    """One run of a scheduled job, for the admin jobs page (last run, duration, items, error).

    A scheduled run serves one due time (`due_at`, a time on the job's grid) and claims it: the
    unique index lets one run that is not abandoned hold each (name, due_at), so two scheduler
    processes never both run a job for the same due time. A manual run ("Run now") has no due_at.
    """

    __tablename__ = "job_run"
    __table_args__ = (
        sa.Index("ix_job_run_name_started", "name", "started_at"),
        sa.Index("uq_job_run_slot", "name", "due_at", unique=True, sqlite_where=LIVE_RUN,
                 postgresql_where=LIVE_RUN),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    holder: Mapped[str] = mapped_column(sa.String(120))
    started_at: Mapped[datetime] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    duration_ms: Mapped[int | None]
    items: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    due_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Its holder stopped (killed, or stopped with SIGTERM) before it finished; `error` says so.
    abandoned: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class OutboxMessage(db.Model):
    """An email or a Slack post (`channel`) waiting for (or done with) delivery; `dedupe_key` makes
    each message exist once. A Slack post keeps its Block Kit JSON in `body_text`. An email may carry
    text attachments (`attachments`)."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    channel: Mapped[str] = mapped_column(sa.String(16), default="email", server_default="email")
    to_email: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    advocate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advocate.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # [{"filename", "content_type", "content" (text)}], sent as MIME attachments (e.g. a report's CSV)
    attachments: Mapped[list | None] = mapped_column(sa.JSON)
