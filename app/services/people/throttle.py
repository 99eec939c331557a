"""Attempt counters (sign-in, password-reset requests): one atomic upsert per key, fixed windows.

A window starts with its first attempt and lasts `window`; the attempt that takes a key past its
maximum, and every later one in that window, is refused until the window ends. Counting is a
single INSERT … ON CONFLICT DO UPDATE … RETURNING on both SQLite and PostgreSQL, so parallel
attempts each get their own number and never more than the maximum pass.

Keys are SHA-256 digests of what they count, so the table holds no email or address in the clear.
"""

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.db.dialect import dialect_insert
from app.models import LoginThrottle
from app.services.errors import RateLimited

_T = LoginThrottle.__table__


def key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def client(ip: str) -> str:
    """What one client is, for counting: an IPv4 address, or the /64 an IPv6 address belongs to
    (one subscriber usually holds a whole /64, so counting single IPv6 addresses would count nothing)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "unknown"
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


@dataclass(frozen=True)
class Limit:
    key: str  # a digest made by key()
    max_attempts: int
    window: timedelta


def count_attempt(session: Session, *, key: str, window: timedelta, now: datetime) -> tuple[int, datetime]:
    """Count one attempt; returns (attempts so far in the current window, the window's start)."""
    fresh = _T.c.window_start <= now - window
    stmt = (dialect_insert(session)(_T).values(key=key, count=1, window_start=now)
            .on_conflict_do_update(index_elements=[_T.c.key], set_={
                "count": sa.case((fresh, 1), else_=_T.c.count + 1),
                "window_start": sa.case((fresh, now), else_=_T.c.window_start)})
            .returning(_T.c.count, _T.c.window_start))
    count, start = session.execute(stmt).one()
    return count, start


def count_attempts(session: Session, *, limits: list[Limit], now: datetime) -> int:
    """Count one attempt against every limit; returns the seconds to wait (0: within every limit).

    Keys are taken in a fixed order so that two transactions never wait on each other in a cycle."""
    wait = 0
    for limit in sorted(limits, key=lambda lim: lim.key):
        count, start = count_attempt(session, key=limit.key, window=limit.window, now=now)
        if count > limit.max_attempts:
            wait = max(wait, math.ceil((start + limit.window - now).total_seconds()), 1)
    return wait


def refusal(what: str, wait_seconds: int) -> RateLimited:
    """'Too many sign-in attempts. Try again in 12 minutes.' with the wait for a Retry-After header."""
    minutes = math.ceil(wait_seconds / 60)
    when = f"{minutes} minute{'' if minutes == 1 else 's'}"
    return RateLimited(f"Too many {what}. Try again in {when}.", retry_after=wait_seconds)


def reserve(session: Session, *, limits: list[Limit], what: str, now: datetime) -> None:
    """Count one attempt against every limit; RateLimited (saying when to try again) if any is over."""
    wait = count_attempts(session, limits=limits, now=now)
    if wait:
        raise refusal(what, wait)


def release(session: Session, *, key: str) -> None:
    """Forget every attempt counted under `key` (after a success)."""
    session.execute(sa.delete(_T).where(_T.c.key == key))


def give_back(session: Session, *, key: str) -> None:
    """Uncount one attempt under `key`: a success should not use up the key's allowance."""
    session.execute(sa.update(_T).where(_T.c.key == key, _T.c.count > 0).values(count=_T.c.count - 1))


def purge(session: Session, *, before: datetime) -> int:
    """Delete counters whose window started before `before` (they no longer refuse anything)."""
    return session.execute(sa.delete(_T).where(_T.c.window_start < before)).rowcount
