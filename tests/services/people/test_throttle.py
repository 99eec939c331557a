"""Attempt counters: a fixed window per key, counted by one upsert, and the wait to tell people."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import LoginThrottle
from app.services.errors import RateLimited
from app.services.people import throttle

WINDOW = timedelta(minutes=15)


def count(session, now, key="k"):
    return throttle.count_attempt(session, key=throttle.key(key), window=WINDOW, now=now)


def test_attempts_are_numbered_within_the_window_then_start_again(session, now):
    assert [count(session, now + timedelta(minutes=m))[0] for m in range(0, 15, 3)] == [1, 2, 3, 4, 5]
    assert count(session, now + timedelta(minutes=14, seconds=59)) == (6, now)
    assert count(session, now + WINDOW) == (1, now + WINDOW)


def test_keys_are_digests_and_count_apart(session, now):
    count(session, now, "a@example.com")
    count(session, now, "a@example.com")
    assert count(session, now, "b@example.com")[0] == 1
    keys = list(session.scalars(select(LoginThrottle.key)))
    assert all(len(k) == 64 and "@" not in k for k in keys)


def test_a_refusal_says_how_long_to_wait(session, now):
    limits = [throttle.Limit(throttle.key("pair"), 2, WINDOW),
              throttle.Limit(throttle.key("ip"), 100, WINDOW)]
    def reserve(at):
        throttle.reserve(session, limits=limits, what="sign-in attempts", now=at)

    reserve(now)
    reserve(now)
    with pytest.raises(RateLimited) as refused:
        reserve(now + timedelta(minutes=14, seconds=1))
    assert refused.value.retry_after == 59
    assert refused.value.message == "Too many sign-in attempts. Try again in 1 minute."
    assert refused.value.http_status == 429


def test_release_and_give_back(session, now):
    for _ in range(3):
        count(session, now, "ip")
        count(session, now, "pair")
    throttle.release(session, key=throttle.key("pair"))
    throttle.give_back(session, key=throttle.key("ip"))
    assert count(session, now, "pair")[0] == 1
    assert count(session, now, "ip")[0] == 3


def test_purge_drops_finished_windows(session, now):
    count(session, now - timedelta(minutes=20), "old")
    count(session, now, "new")
    assert throttle.purge(session, before=now - WINDOW) == 1
    assert count(session, now, "new")[0] == 2


@pytest.mark.parametrize(("ip", "client"), [
    ("203.0.113.9", "203.0.113.9"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.9", "203.0.113.9"),
    ("unknown", "unknown"),
])
def test_a_client_is_an_ipv4_address_or_an_ipv6_slash_64(ip, client):
    assert throttle.client(ip) == client
