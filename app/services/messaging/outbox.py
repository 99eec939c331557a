"""The outbox: emails (and Slack posts) are stored here, then delivered by a job with retries.

Each message has a unique `dedupe_key` (e.g. `reminder-start:attempt:12`), so enqueueing the
same event twice stores it once. Templates live in app/templates/email/<name>.txt and .html
and are rendered with plain Jinja (no Flask), HTML autoescaped. A message's `channel` says how it
goes out ("email" over SMTP, "slack" to the program's incoming webhook: services/community/slack.py);
`enqueue_post` stores a body that is already rendered. An email may carry text attachments
(`Attachment`: file name, content type, text), stored with the message and sent as MIME parts.
"""

import hashlib
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.db.dialect import dialect_insert
from app.db.planner import unindexed
from app.models import Advocate, OutboxMessage
from app.services.errors import NotFound
from app.services.program import brand as program_brand
from app.services.program import settings as settings_service

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/csv"
    content: str

    def stored(self) -> dict:
        return {"filename": self.filename, "content_type": self.content_type, "content": self.content}


def render(template: str, context: dict, brand: program_brand.EmailBrand | None = None) -> tuple[str, str]:
    """(plain text, HTML) bodies of an email template; with `brand`, the HTML sits in the branded
    layout (`_layout.html`: the logo or the program's name, the program's colour)."""
    text = _env.get_template(f"{template}.txt").render(**context)
    if brand is None:
        return text, _env.get_template(f"{template}.html").render(**context)
    return text, _env.get_template("_layout.html").render(**context, email_brand=brand,
                                                          email_body=f"{template}.html")


def email_brand(session: Session) -> program_brand.EmailBrand:
    """The brand the program's emails carry (its name, colour and logo)."""
    return program_brand.for_email(settings_service.load(session).values)


def enqueue(session: Session, *, dedupe_key: str, kind: str, to_email: str, subject: str,
            template: str, context: dict, now: datetime, advocate_id: int | None = None,
            staff_id: int | None = None, category: str | None = None,
            attachments: list[Attachment] | None = None) -> bool:
    """Store an email (with its `attachments`) for delivery once per `dedupe_key`; False if it was
    already queued.

    `category` (one of services.preferences.EMAIL_CATEGORIES) makes the email optional: when the
    advocate turned that category off, nothing is stored and the result is False.
    """
    if category is not None and advocate_id is not None and _opted_out(session, advocate_id, category):
        return False
    text, html = render(template, context, email_brand(session))
    return _insert(session, dedupe_key=dedupe_key, kind=kind, to_email=to_email, subject=subject,
                   body_text=text, body_html=html, advocate_id=advocate_id, staff_id=staff_id,
                   created_at=now, next_attempt_at=now,
                   attachments=[each.stored() for each in attachments] if attachments else None)


def enqueue_post(session: Session, *, channel: str, dedupe_key: str, kind: str, to: str, subject: str,
                 body: str, now: datetime) -> bool:
    """Store a rendered message of another channel (e.g. a Slack post's JSON) once per `dedupe_key`."""
    return _insert(session, channel=channel, dedupe_key=dedupe_key, kind=kind, to_email=to,
                   subject=subject, body_text=body, body_html="", created_at=now, next_attempt_at=now)


def _insert(session: Session, **values) -> bool:
    stmt = (dialect_insert(session)(OutboxMessage).values(**values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id))
    return session.execute(stmt).scalar() is not None


def _opted_out(session: Session, advocate_id: int, category: str) -> bool:
    # A loaded advocate answers without a query; otherwise one primary-key lookup of one column.
    advocate = session.identity_map.get(identity_key(Advocate, advocate_id))
    if advocate is not None and "email_opt_outs" in advocate.__dict__:
        opt_outs = advocate.email_opt_outs
    else:
        opt_outs = session.scalar(sa.select(Advocate.email_opt_outs).where(Advocate.id == advocate_id))
    return category in (opt_outs or ())


# --- Delivery ---------------------------------------------------------------------------------
#
# A deliverer claims a message (a guarded UPDATE that sets `claimed_until`) and the caller commits
# the claim before anything is sent; after the send it marks the message sent (or failed) and
# commits again. So two deliverers never take the same row, and a sent message is never picked
# again. The one at-least-once window: a process that dies after the SMTP server accepted a message
# but before the "sent" commit leaves the claim to run out, and the message is sent again after
# CLAIM_LEASE. The lease is long so that only a real crash causes that; the Message-ID is derived
# from the dedupe key, so such a duplicate is at least recognisable.

CLAIM_LEASE = timedelta(minutes=10)
# Stop sending (and hand back the rest of the batch) well before our claims could run out.
LEASE_MARGIN = timedelta(minutes=2)
# Wait before retry n (1-based); the attempt after the last of these is the final one.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
ERROR_LIMIT = 2000


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


@dataclass(frozen=True)
class ChannelSender:
    """Sends each message with the sender of its channel (e.g. {"email": SmtpSender, "slack": ...})."""

    senders: dict

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.senders)

    def send(self, message: OutboxMessage) -> None:
        self.senders[message.channel].send(message)


def _due(now: datetime):
    return sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
                   sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))


def due_ids(session: Session, *, now: datetime, batch: int = 50,
            channels: tuple[str, ...] | None = None) -> list[int]:
    """Ids of messages whose next attempt is due and that no live claim holds, oldest first
    (only of `channels` when given: a channel with no sender configured waits)."""
    stmt = (sa.select(OutboxMessage.id).where(_due(now), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(batch))
    if channels is not None:
        stmt = stmt.where(OutboxMessage.channel.in_(channels))
    return list(session.scalars(stmt))


def claim(session: Session, *, ids: list[int], now: datetime,
          lease: timedelta = CLAIM_LEASE) -> list[int]:
    """Claim each message that is still unsent and unclaimed; returns the ids this caller now holds.

    The condition is re-checked in each UPDATE, so of two callers racing for a row exactly one
    sees a row count of 1. The caller must commit before sending.
    """
    table = OutboxMessage.__table__
    held = []
    for message_id in ids:
        result = session.execute(table.update().where(table.c.id == message_id, _due(now))
                                 .values(claimed_until=now + lease))
        if result.rowcount == 1:
            held.append(message_id)
    return held


def claim_due(session: Session, *, now: datetime, batch: int = 50,
              channels: tuple[str, ...] | None = None) -> list[int]:
    """Claim up to `batch` due messages (see `claim`)."""
    return claim(session, ids=due_ids(session, now=now, batch=batch, channels=channels), now=now)


def release(session: Session, *, ids: list[int]) -> None:
    """Give claims back unsent, so the next run takes them at once."""
    if ids:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                       unindexed(OutboxMessage.sent_at).is_(None))
                        .values(claimed_until=None))


def mark_sent(session: Session, *, message_id: int, now: datetime) -> None:
    session.execute(sa.update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
                    .values(sent_at=now, claimed_until=None))


def mark_failed(session: Session, *, message_id: int, error: str, now: datetime) -> OutboxMessage:
    """Record a failed attempt: retry after BACKOFF[attempts-1], or give up after MAX_ATTEMPTS."""
    message = session.get(OutboxMessage, message_id)
    message.attempts += 1
    message.last_error = error[:ERROR_LIMIT]
    message.claimed_until = None
    if message.attempts >= MAX_ATTEMPTS:
        message.failed_at = now
    else:
        message.next_attempt_at = now + BACKOFF[message.attempts - 1]
    session.flush()
    return message


def deliver_due(session: Session, *, sender: Sender, now: datetime, commit: Callable[[], None],
                batch: int = 50, channels: tuple[str, ...] | None = None) -> int:
    """Send due messages once each; returns how many were sent.

    Delivery talks to the outside world, so the caller's `commit` (the edge's transaction end) is
    called after the claim and after each message's outcome: a claim is durable before the send,
    and a send is recorded before the next one starts. Sends stop (and the rest is released)
    before our claims could run out, so a slow server cannot make a second deliverer resend.
    `channels` limits the sweep to the channels `sender` can send.
    """
    held = claim_due(session, now=now, batch=batch, channels=channels)
    commit()
    deadline = time.monotonic() + (CLAIM_LEASE - LEASE_MARGIN).total_seconds()
    sent = 0
    for position, message_id in enumerate(held):
        if time.monotonic() > deadline:
            release(session, ids=held[position:])
            commit()
            break
        sent += _deliver_one(session, sender=sender, message_id=message_id, now=now)
        commit()
    return sent


def _deliver_one(session: Session, *, sender: Sender, message_id: int, now: datetime) -> int:
    message = session.get(OutboxMessage, message_id)
    try:
        sender.send(message)
    except Exception as error:  # noqa: BLE001 (any send failure is one failed attempt, retried later)
        mark_failed(session, message_id=message_id, error=f"{type(error).__name__}: {error}", now=now)
        return 0
    mark_sent(session, message_id=message_id, now=now)
    return 1


def message_id_for(dedupe_key: str, domain: str) -> str:
    """A stable Message-ID: a resend of the same outbox row carries the same one."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


@dataclass(frozen=True)
class SmtpSender:
    """Sends outbox messages over SMTP (STARTTLS when `use_tls`), one connection per message."""

    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    from_addr: str
    timeout: float = 20.0

    def build(self, message: OutboxMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.from_addr
        email["To"] = message.to_email
        email["Subject"] = message.subject
        domain = parseaddr(self.from_addr)[1].rpartition("@")[2] or "localhost"
        email["Message-ID"] = message_id_for(message.dedupe_key, domain)
        email.set_content(message.body_text)
        if message.body_html:
            email.add_alternative(message.body_html, subtype="html")
        for each in message.attachments or ():
            maintype, _, subtype = each["content_type"].partition("/")
            if maintype == "text":  # UTF-8, with its charset named
                email.add_attachment(each["content"], subtype=subtype, filename=each["filename"])
            else:
                email.add_attachment(each["content"].encode(), maintype=maintype, subtype=subtype,
                                     filename=each["filename"])
        return email

    def send(self, message: OutboxMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(self.build(message))


# --- Reading, for the admin outbox view -------------------------------------------------------

PER_PAGE = 50


@dataclass(frozen=True)
class OutboxPage:
    items: list[OutboxMessage]
    page: int
    has_next: bool


def list_messages(session: Session, *, page: int = 1) -> OutboxPage:
    """Outbox messages, newest first, PER_PAGE at a time."""
    page = max(1, page)
    rows = session.scalars(sa.select(OutboxMessage)
                           .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                           .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    return OutboxPage(list(rows[:PER_PAGE]), page, len(rows) > PER_PAGE)


def get_message(session: Session, *, message_id: int) -> OutboxMessage:
    """One outbox message; NotFound otherwise."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such message.")
    return message
