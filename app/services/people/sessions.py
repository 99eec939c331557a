"""Server-side sign-in sessions: the browser's cookie carries a random token; the row decides.

Flask-Login stores `user.get_id()` (the token) in the session cookie and in the "remember me"
cookie. A request is signed in only while the token's row is live: not ended and not past its
absolute `expires_at`, and its person still active. Ending the row (sign-out, a password change
or reset, an admin's "end sessions") therefore ends every copy of both cookies at once.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from app.models import Advocate, LoginSession, StaffUser
from app.services.errors import NotFound
from app.services.messaging.notifications import recipient_of
from app.services.people.accounts import owned_by

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, *, user: Advocate | StaffUser, now: datetime, lifetime: timedelta,
          remember: bool = False, ip: str = "", user_agent: str = "") -> str:
    """A new session for `user`, valid for `lifetime`; returns its token and sets user.session_token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(LoginSession(token_hash=_digest(token), remember=remember, created_at=now,
                             expires_at=now + lifetime, ip=(ip or "")[:64],
                             user_agent=(user_agent or "")[:200], **recipient_of(user)))
    session.flush()
    user.session_token = token
    return token


# The live session of a token, the liveness rule stated once: built once, since every signed-in
# request runs it (a statement holds no data); load_user's brings the person in the same query.
_LIVE = sa.select(LoginSession).where(
    LoginSession.token_hash == sa.bindparam("digest"), LoginSession.ended_at.is_(None),
    LoginSession.expires_at > sa.bindparam("now"))
_LIVE_WITH_PERSON = _LIVE.options(joinedload(LoginSession.advocate), joinedload(LoginSession.staff))


def _live(session: Session, token: str | None, now: datetime, query=_LIVE) -> LoginSession | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalars(query, {"digest": _digest(token), "now": now}).first()


def load_user(session: Session, *, token: str | None, now: datetime) -> Advocate | StaffUser | None:
    """The active person of a live session, with the token attached (for get_id); else None."""
    row = _live(session, token, now, _LIVE_WITH_PERSON)
    if row is None:
        return None
    user = row.staff if row.staff_id is not None else row.advocate
    if user is None or not user.is_active:
        return None
    user.session_token = token
    return user


def is_remembered(session: Session, *, token: str | None, now: datetime) -> bool:
    """Whether a live session was started with "remember me" (a replacement keeps the same length)."""
    row = _live(session, token, now)
    return bool(row and row.remember)


def end(session: Session, *, token: str | None, now: datetime) -> bool:
    """End one session (sign-out); False if it was not live."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    result = session.execute(sa.update(LoginSession).where(
        LoginSession.token_hash == _digest(token), LoginSession.ended_at.is_(None)).values(ended_at=now))
    return result.rowcount > 0


def end_all(session: Session, *, user: Advocate | StaffUser, now: datetime) -> int:
    """End every live session of `user` (every browser, every remember-me cookie); returns how many."""
    result = session.execute(sa.update(LoginSession).where(
        owned_by(LoginSession, user), LoginSession.ended_at.is_(None), LoginSession.expires_at > now)
        .values(ended_at=now))
    return result.rowcount


def end_all_of(session: Session, *, advocate_id: int | None = None, staff_id: int | None = None,
               now: datetime) -> tuple[Advocate | StaffUser, int]:
    """End every live session of one advocate or staff user (an admin's "end sessions").

    Returns the person and how many sessions ended; NotFound if there is no such person."""
    user = (session.get(Advocate, advocate_id) if advocate_id is not None
            else session.get(StaffUser, staff_id) if staff_id is not None else None)
    if user is None:
        raise NotFound("No such person.")
    return user, end_all(session, user=user, now=now)


def live_count(session: Session, *, user: Advocate | StaffUser, now: datetime) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(LoginSession).where(
        owned_by(LoginSession, user), LoginSession.ended_at.is_(None), LoginSession.expires_at > now))


def purge(session: Session, *, before: datetime) -> int:
    """Delete sessions that ended or expired before `before` (they can never sign anyone in again)."""
    result = session.execute(sa.delete(LoginSession).where(sa.or_(
        LoginSession.expires_at < before, LoginSession.ended_at < before)))
    return result.rowcount
