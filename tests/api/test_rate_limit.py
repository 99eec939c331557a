"""The API rate limit (app/services/api/rate.py): a 60-second sliding window per key, shared through the
database; a 429 says when to come back (Retry-After) and is not itself counted (issue 13, hole 6)."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiKey, ApiRequestCount
from app.services import clock
from app.services.api import rate as api_rate
from tests.api.conftest import ApiClient, error_of

LIMIT = 3
T = datetime(2026, 7, 1, 12, 0, 59, 500_000)  # half a second before a minute boundary


@pytest.fixture
def limited(app_factory, make_key):
    app = app_factory(API_RATE_LIMIT_PER_MINUTE=LIMIT)
    with app.app_context():
        yield ApiClient(app.test_client(), make_key("read"))


def _at(moment: datetime, api: ApiClient, times: int = 1) -> list[int]:
    clock.freeze(moment)
    return [api.get("/advocates").status_code for _ in range(times)]


def _counted() -> int:
    return db.session.scalar(select(func.coalesce(func.sum(ApiRequestCount.count), 0)))


def test_a_refusal_is_a_429_envelope_with_a_retry_after_that_is_right(limited):
    assert _at(T, limited, LIMIT) == [200] * LIMIT
    refused = limited.get("/advocates")
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "rate_limited" and error["field"] is None and "60 seconds" in error["message"]
    wait = int(refused.headers["Retry-After"])
    assert wait == 61  # the requests count in the bucket ending 12:01:00, which leaves the window at 12:02:00
    assert _at(T + timedelta(seconds=wait - 1), limited) == [429]
    assert _at(T + timedelta(seconds=wait), limited) == [200]


def test_the_limit_does_not_double_across_a_minute_boundary(limited):
    """The calendar-minute counter let LIMIT through at 12:00:59.5 and LIMIT more at 12:01:00.5."""
    assert _at(T, limited, LIMIT + 1) == [200] * LIMIT + [429]
    for later in (1, 30, 59):
        assert _at(T + timedelta(seconds=later), limited) == [429], later


def test_refused_requests_are_not_counted(limited):
    assert _at(T, limited, LIMIT) == [200] * LIMIT
    for later in range(1, 59, 2):  # a client hammering through the whole window
        assert _at(T + timedelta(seconds=later), limited, 3) == [429] * 3
    assert _counted() == LIMIT
    assert _at(T + timedelta(seconds=61), limited, LIMIT + 1) == [200] * LIMIT + [429]


def test_retry_after_waits_for_the_oldest_requests_only(limited):
    """Spread requests: the wait is until the oldest one needed has left the window, not a full minute."""
    assert _at(T, limited) == [200]
    assert _at(T + timedelta(seconds=20), limited, 2) == [200, 200]
    refused = limited.get("/advocates")
    # the first request (bucket 12:01:00) leaves at 12:02:00, 40.5 s after this one at 12:01:19.5
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "41"
    assert _at(T + timedelta(seconds=20 + 40), limited) == [429]
    assert _at(T + timedelta(seconds=20 + 41), limited, 2) == [200, 429]  # the other two are still inside


def test_each_key_has_its_own_window(limited, make_key):
    other = ApiClient(limited.client, make_key("read", name="BI export"))
    assert _at(T, limited, LIMIT + 1)[-1] == 429
    assert _at(T, other, LIMIT) == [200] * LIMIT


def test_over_three_minutes_no_60_seconds_hold_more_than_the_limit(session, make_key):
    """A steady client (a request every 0.7 s, for 3 minutes) against the service: every 60-second span
    holds at most `limit` allowed requests, and the limit is reached each minute (it is not stingier
    than a second per refusal)."""
    make_key("read")
    key_id = session.scalar(select(ApiKey.id))
    limit, start = 20, datetime(2026, 7, 1, 12, 0, 0, 300_000)
    allowed = []
    for step in range(int(180 / 0.7)):
        moment = start + timedelta(seconds=step * 0.7)
        if api_rate.take(session, key_id=key_id, now=moment, limit=limit) == 0:
            allowed.append(moment)
        session.commit()
    for i, first in enumerate(allowed):
        assert sum(1 for t in allowed[i:] if t < first + timedelta(seconds=60)) <= limit, first
    assert len(allowed) >= 3 * limit
    assert session.scalar(select(func.count()).select_from(ApiRequestCount)) <= 61  # old seconds are trimmed
