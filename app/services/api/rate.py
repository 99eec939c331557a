"""The API rate limit: at most `limit` requests per key in any 60 seconds (a sliding window).

Counts are kept per key in one-second buckets (`api_request_count`, one row per key and second that
saw a request), so every process shares them. A bucket is named by the end of its second (a request
at 12:00:07.250 counts in 12:00:08, one at exactly 12:00:07 in 12:00:07) and counts while it is less
than 60 seconds old, so every request is counted for at least 60 seconds (and under 61): any 60-second
span a client picks holds at most `limit` requests, a minute boundary changes nothing, and nobody
waits more than a second longer than an exact log of every request would make them wait. Only
allowed requests are counted; a refused one is told when enough of the oldest buckets will have left
the window for one more request (Retry-After, whole seconds).

Atomic on both engines: the key's row is locked first (`SELECT … FOR NO KEY UPDATE` on PostgreSQL,
which leaves the foreign-key share locks of the key's writes alone; on SQLite a write transaction
holds the database's write lock from its BEGIN IMMEDIATE, so the caller counts in one even for a
GET: app.db.transactions.writing), so two requests of one key count one after the other, each seeing
the other's bucket. The lock is held only until the caller commits
the count, before the request's own work.
"""

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.db.dialect import dialect_insert
from app.models import ApiKey, ApiRequestCount
from app.services.errors import RateLimited

WINDOW = timedelta(seconds=60)

_C = ApiRequestCount.__table__


def _bucket(now: datetime) -> datetime:
    """The end of the second `now` falls in (itself when it is a whole second)."""
    whole = now.replace(microsecond=0)
    return whole if whole == now else whole + timedelta(seconds=1)


def _buckets(session: Session, *, key_id: int, now: datetime) -> list[tuple[datetime, int]]:
    """The key's buckets inside the window ending now, oldest first."""
    rows = session.execute(sa.select(_C.c.window_start, _C.c.count).where(
        _C.c.api_key_id == key_id, _C.c.window_start > now - WINDOW).order_by(_C.c.window_start))
    return [(start, count) for start, count in rows]


def _wait(buckets: list[tuple[datetime, int]], *, limit: int, now: datetime) -> int:
    """Whole seconds until enough of the oldest buckets have left the window for one more request."""
    to_leave = sum(count for _, count in buckets) + 1 - limit
    for start, count in buckets:
        to_leave -= count
        if to_leave <= 0:
            return max(1, math.ceil((start + WINDOW - now).total_seconds()))
    return math.ceil(WINDOW.total_seconds())  # a limit of 0: nothing ever passes


def take(session: Session, *, key_id: int, now: datetime, limit: int) -> int:
    """Count one request of the key if the window has room: returns 0 (counted), or the seconds to
    wait before one would be (nothing counted). The caller commits either way."""
    session.execute(sa.select(ApiKey.id).where(ApiKey.id == key_id).with_for_update(key_share=True))
    buckets = _buckets(session, key_id=key_id, now=now)
    if sum(count for _, count in buckets) >= limit:
        return _wait(buckets, limit=limit, now=now)
    bucket = _bucket(now)
    session.execute(dialect_insert(session)(_C).values(api_key_id=key_id, window_start=bucket, count=1)
                    .on_conflict_do_update(index_elements=[_C.c.api_key_id, _C.c.window_start],
                                           set_={"count": _C.c.count + 1}))
    if not buckets or buckets[-1][0] != bucket:  # a new second: the key's buckets past the window go
        session.execute(sa.delete(_C).where(_C.c.api_key_id == key_id, _C.c.window_start <= now - WINDOW))
    return 0


def refusal(limit: int, wait_seconds: int) -> RateLimited:
    return RateLimited(f"More than {limit:,} requests in 60 seconds with this key; retry in "
                       f"{wait_seconds} second{'' if wait_seconds == 1 else 's'}.", retry_after=wait_seconds)


def purge(session: Session, *, now: datetime) -> int:
    """Delete every key's buckets that have left the window (`take` trims a key's own as it goes; this
    catches keys that went quiet). Returns how many were deleted."""
    result = session.execute(sa.delete(_C).where(_C.c.window_start <= now - WINDOW)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0
