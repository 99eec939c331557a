"""Signing in and changing a password: throttled, and timed alike whether or not an account exists.

Sign-in counts the attempt first, in its own short committed transaction (so parallel guesses are
counted atomically), then checks the password with exactly one argon2 verification whatever the
email (see services.passwords), and hashes it again with today's parameters if the stored hash was
made with older ones, before the transaction that records the sign-in opens: argon2 never runs
inside a transaction, so on SQLite never while the write lock is held.
Limits: one email from one client address, and one address over all emails (a much higher
number). Nothing is counted per email alone, so a stranger's guesses never lock the owner out
when they sign in from another address.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.models import Advocate, StaffUser
from app.services.errors import ValidationFailed
from app.services.people import passwords, throttle
from app.services.people import sessions as login_sessions
from app.services.people.accounts import check_password_strength, find_by_email, normalise_email

NO_MATCH = "That email and password do not match an active account."


@dataclass(frozen=True)
class ThrottlePolicy:
    per_email_and_ip: int
    per_ip: int
    window: timedelta


def sign_in_limits(policy: ThrottlePolicy, *, email: str, ip: str) -> list[throttle.Limit]:
    ip = throttle.client(ip)
    return [throttle.Limit(throttle.key("sign-in", email, ip), policy.per_email_and_ip, policy.window),
            throttle.Limit(throttle.key("ip", ip), policy.per_ip, policy.window)]


@dataclass(frozen=True)
class _Found:
    model: type
    id: int
    password_hash: str | None
    active: bool


def _find(session: Session, email: str) -> _Found | None:
    user = find_by_email(session, email)
    if user is None:
        return None
    return _Found(type(user), user.id, user.password_hash, user.is_active)


def sign_in(session: Session, *, email: str, password: str, ip: str, now: datetime,
            policy: ThrottlePolicy, commit: Callable[[], None]) -> Advocate | StaffUser:
    """Check the credentials of an active account, counting the attempt first.

    Commits (through `commit`) once before the password check. Raises RateLimited (with the
    wait) when this email from this address, or this address, is over its limit, and
    ValidationFailed (field `password`) for anything else that is not a match. On success the
    email-and-address count is cleared and the address's count gets this attempt back.
    """
    email = normalise_email(email)
    limits = sign_in_limits(policy, email=email, ip=ip)
    wait = throttle.count_attempts(session, limits=limits, now=now)
    found = None if wait else _find(session, email)
    commit()
    if wait:
        raise throttle.refusal("sign-in attempts", wait)
    matched = passwords.verify_password(found.password_hash if found else None, password)
    if not (matched and found.active):
        raise ValidationFailed(NO_MATCH, field="password")
    rehashed = _rehash(found.password_hash, password)  # argon2 before the write transaction opens
    user = session.get(found.model, found.id)
    if user is None or not user.is_active or user.password_hash != found.password_hash:
        raise ValidationFailed(NO_MATCH, field="password")
    throttle.release(session, key=limits[0].key)
    throttle.give_back(session, key=limits[1].key)
    _record_sign_in(user, rehashed, now)
    session.flush()
    return user


def _rehash(password_hash: str, password: str) -> str | None:
    """A hash of the password with today's parameters when the stored one was made with others."""
    return passwords.hash_password(password) if passwords.needs_rehash(password_hash) else None


def _record_sign_in(user: Advocate | StaffUser, rehashed: str | None, now: datetime) -> None:
    if rehashed:
        user.password_hash = rehashed
    user.last_login_at = now
    if not user.is_staff:
        user.last_active_at = now


def change_password(session: Session, *, user: Advocate | StaffUser, current_password: str,
                    new_password: str, now: datetime, policy: ThrottlePolicy,
                    commit: Callable[[], None]) -> None:
    """Replace a signed-in person's password and end every one of their sign-in sessions.

    The new password must pass the strength rules and differ from the current one (ValidationFailed
    on `password`, checked first). The current password is required (ValidationFailed on
    `current_password`); each check is counted like a sign-in attempt, committed through `commit`
    before argon2 runs (the check and the new hash, both outside any transaction), and refused with
    RateLimited when over. The caller starts a new session for the browser that made the change.
    """
    check_password_strength(new_password, user.email)
    if new_password == current_password:
        raise ValidationFailed("Choose a password different from your current one.", field="password")
    limit = throttle.Limit(throttle.key("change-password", "s" if user.is_staff else "a", str(user.id)),
                           policy.per_email_and_ip, policy.window)
    stored = user.password_hash
    throttle.reserve(session, limits=[limit], what="password change attempts", now=now)
    commit()
    if not passwords.verify_password(stored, current_password):
        raise ValidationFailed("That is not your current password.", field="current_password")
    new_hash = passwords.hash_password(new_password)  # before the next transaction opens
    throttle.release(session, key=limit.key)
    set_password(session, user=user, password_hash=new_hash, now=now)


def set_password(session: Session, *, user: Advocate | StaffUser, now: datetime, password: str | None = None,
                 password_hash: str | None = None) -> None:
    """Store a new password hash (of `password`, or `password_hash` made already) and end every
    sign-in session of the person.

    The caller has checked the password's strength."""
    user.password_hash = password_hash or passwords.hash_password(password)
    login_sessions.end_all(session, user=user, now=now)
    session.flush()
