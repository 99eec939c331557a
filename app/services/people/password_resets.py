"""Password-reset links: requested by email address, emailed through the outbox, used once.

A request answers the same whether or not the address has an account, and does the same work
(the email is rendered either way). Only an active account gets a link: a random token whose
SHA-256 is stored, valid for RESET_LIFETIME, superseding that person's earlier unused links.
Requests are counted like sign-in attempts, per email address and per client address. The one
remaining difference in work (a known address also writes its link and email, about a millisecond)
cannot be measured through that limit: five requests per address per window.
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Advocate, PasswordReset, StaffUser
from app.services.errors import Conflict, NotFound
from app.services.messaging import outbox
from app.services.messaging.notifications import recipient_of
from app.services.people import throttle
from app.services.people.accounts import check_password_strength, find_by_email, normalise_email, owned_by
from app.services.people.sign_in import ThrottlePolicy, set_password
from app.services.program import settings as settings_service

RESET_LIFETIME = timedelta(hours=1)
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100
TEMPLATE = "password_reset"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _active_account(session: Session, email: str) -> Advocate | StaffUser | None:
    user = find_by_email(session, email)
    return user if user is not None and user.is_active else None


def request_reset(session: Session, *, email: str, ip: str, now: datetime, policy: ThrottlePolicy,
                  link_for: Callable[[str], str]) -> bool:
    """Email a reset link (made by `link_for(token)`) if `email` has an active account.

    Returns whether an email was queued, for logs and tests only: the caller must answer the same
    either way. Raises RateLimited when this email address or this client address asked too often.
    """
    email = normalise_email(email)
    throttle.reserve(session, what="password reset requests", now=now, limits=[
        throttle.Limit(throttle.key("reset", email), policy.per_email_and_ip, policy.window),
        throttle.Limit(throttle.key("ip", throttle.client(ip)), policy.per_ip, policy.window)])
    user = _active_account(session, email)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    program = settings_service.load(session).program_name
    context = {"name": user.name if user else "", "link": link_for(token), "program": program,
               "minutes": int(RESET_LIFETIME.total_seconds() // 60)}
    if user is None:
        outbox.render(TEMPLATE, context, outbox.email_brand(session))  # a real request's work, nothing stored
        return False
    session.execute(sa.update(PasswordReset).where(
        owned_by(PasswordReset, user), PasswordReset.used_at.is_(None),
        PasswordReset.superseded_at.is_(None)).values(superseded_at=now))
    reset = PasswordReset(token_hash=_digest(token), created_at=now, expires_at=now + RESET_LIFETIME,
                          **recipient_of(user))
    session.add(reset)
    session.flush()
    return outbox.enqueue(session, dedupe_key=f"password-reset:{reset.id}", kind="password_reset",
                          to_email=user.email, subject=f"Reset your {program} password", template=TEMPLATE,
                          context=context, now=now, **recipient_of(user))


def open_reset(session: Session, *, token: str, now: datetime) -> PasswordReset:
    """The reset a link points at, if it can still be used.

    NotFound for an unknown token; Conflict (with what to do) for a used, replaced or expired one,
    or when the account is no longer active.
    """
    reset = None
    if token and len(token) <= MAX_TOKEN_LENGTH:
        reset = session.scalars(sa.select(PasswordReset)
                                .where(PasswordReset.token_hash == _digest(token))).first()
    if reset is None:
        raise NotFound("This password reset link is not valid.")
    if reset.used_at is not None:
        raise Conflict("This password reset link has already been used.")
    if reset.superseded_at is not None:
        raise Conflict("A newer password reset link was sent; use the latest email.")
    if reset.expires_at <= now:
        raise Conflict("This password reset link has expired.")
    user = reset.advocate or reset.staff
    if user is None or not user.is_active:
        raise Conflict("This account cannot be signed in to. Ask the program team for help.")
    return reset


def complete_reset(session: Session, *, token: str, password: str, now: datetime) -> Advocate | StaffUser:
    """Set a new password from a reset link, use the link up and end every sign-in session.

    Errors as open_reset, and ValidationFailed (field `password`) for a weak password. A link is
    used at most once even if two submissions race: the use is a guarded UPDATE.
    """
    reset = open_reset(session, token=token, now=now)
    user = reset.advocate or reset.staff
    check_password_strength(password, user.email)
    used = session.execute(sa.update(PasswordReset).where(
        PasswordReset.id == reset.id, PasswordReset.used_at.is_(None)).values(used_at=now))
    if used.rowcount != 1:
        raise Conflict("This password reset link has already been used.")
    set_password(session, user=user, password=password, now=now)
    return user


def purge(session: Session, *, before: datetime) -> int:
    """Delete reset links that expired before `before` (used or not, they can do nothing more)."""
    return session.execute(sa.delete(PasswordReset).where(PasswordReset.expires_at < before)).rowcount
