"""Job leases: one holder at a time, a crashed holder's lease runs out; run records."""

from datetime import timedelta

from app.models import JobLock
from app.services import joblocks

LEASE = timedelta(minutes=10)


def test_a_second_holder_cannot_take_a_held_lease(session, now):
    assert joblocks.acquire(session, name="sweep", holder="a", now=now, lease=LEASE)
    later = now + timedelta(minutes=9)
    assert not joblocks.acquire(session, name="sweep", holder="b", now=later, lease=LEASE)
    assert session.get(JobLock, "sweep").holder == "a"


def test_an_expired_lease_can_be_taken(session, now):
    assert joblocks.acquire(session, name="sweep", holder="a", now=now, lease=LEASE)
    assert joblocks.acquire(session, name="sweep", holder="b", now=now + LEASE + timedelta(seconds=1),
                            lease=LEASE)
    session.expire_all()
    assert session.get(JobLock, "sweep").holder == "b"


def test_a_released_lease_is_free_and_only_its_holder_may_release_it(session, now):
    joblocks.acquire(session, name="sweep", holder="a", now=now, lease=LEASE)
    assert not joblocks.release(session, name="sweep", holder="b")
    assert joblocks.release(session, name="sweep", holder="a")
    assert joblocks.acquire(session, name="sweep", holder="b", now=now, lease=LEASE)


def test_leases_are_per_job(session, now):
    assert joblocks.acquire(session, name="one", holder="a", now=now, lease=LEASE)
    assert joblocks.acquire(session, name="two", holder="b", now=now, lease=LEASE)


def test_latest_runs_and_latest_failures(session, now):
    first = joblocks.start_run(session, name="sweep", holder="a", now=now)
    joblocks.finish_run(session, run_id=first.id, now=now, duration_ms=5, error="Boom")
    second = joblocks.start_run(session, name="sweep", holder="a", now=now + LEASE)
    joblocks.finish_run(session, run_id=second.id, now=now + LEASE, duration_ms=7, items=3)
    session.expire_all()
    last = joblocks.latest_runs(session, names=["sweep", "other"])
    failed = joblocks.latest_runs(session, names=["sweep"], failed_only=True)
    assert (last["sweep"].id, last["sweep"].items, last["sweep"].duration_ms) == (second.id, 3, 7)
    assert (failed["sweep"].id, failed["sweep"].error) == (first.id, "Boom")
    assert "other" not in last
