"""Job leases: one holder at a time, a crashed holder's lease runs out and is taken over; one run
per due time; run records."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.models import JobLock, JobRun
from app.services.operations import joblocks

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


SLOT = datetime(2026, 6, 15, 12, 0)
SHORT = timedelta(seconds=60)


def _run(session, run_id: int) -> JobRun:
    session.expire_all()
    return session.get(JobRun, run_id)


def test_a_due_time_is_claimed_once_and_a_second_claim_is_refused(session, now):
    first = joblocks.claim(session, name="sweep", holder="a", now=now, due_at=SLOT)
    assert first is not None
    assert joblocks.claim(session, name="sweep", holder="b", now=now, due_at=SLOT) is None
    assert joblocks.claim(session, name="sweep", holder="b", now=now, due_at=SLOT + SHORT) is not None
    assert joblocks.claim(session, name="other", holder="b", now=now, due_at=SLOT) is not None
    session.commit()
    assert session.scalar(select(func.count()).select_from(JobRun).where(JobRun.due_at == SLOT,
                                                                         JobRun.name == "sweep")) == 1


def test_manual_runs_have_no_due_time_and_never_conflict(session, now):
    assert joblocks.claim(session, name="sweep", holder="a", now=now, due_at=None) is not None
    assert joblocks.claim(session, name="sweep", holder="a", now=now, due_at=None) is not None


def test_the_unique_index_refuses_a_duplicate_even_without_the_claim(session, now):
    session.add_all([JobRun(name="sweep", holder="a", started_at=now, due_at=SLOT),
                     JobRun(name="sweep", holder="b", started_at=now, due_at=SLOT)])
    with pytest.raises(IntegrityError):
        session.flush()


def test_taking_over_an_expired_lease_marks_the_dead_holders_run_and_frees_its_due_time(session, now):
    assert joblocks.acquire(session, name="sweep", holder="dead", now=now, lease=SHORT)
    dead = joblocks.claim(session, name="sweep", holder="dead", now=now, due_at=SLOT)
    session.commit()
    later = now + SHORT - timedelta(seconds=1)
    assert not joblocks.acquire(session, name="sweep", holder="b", now=later, lease=SHORT)
    assert _run(session, dead).finished_at is None  # still live: nothing marked
    later = now + SHORT + timedelta(seconds=1)
    assert joblocks.acquire(session, name="sweep", holder="b", now=later, lease=SHORT)
    run = _run(session, dead)
    assert (run.abandoned, run.error, run.finished_at) == (True, joblocks.HOLDER_STOPPED, later)
    assert joblocks.claim(session, name="sweep", holder="b", now=later, due_at=SLOT) is not None


def test_the_heartbeat_renews_only_the_holders_lease(session, now):
    joblocks.acquire(session, name="sweep", holder="a", now=now, lease=SHORT)
    assert joblocks.renew(session, name="sweep", holder="a", now=now + timedelta(seconds=50), lease=SHORT)
    assert not joblocks.renew(session, name="sweep", holder="b", now=now, lease=SHORT)
    session.expire_all()
    assert session.get(JobLock, "sweep").leased_until == now + timedelta(seconds=110)
    assert not joblocks.acquire(session, name="sweep", holder="b", now=now + timedelta(seconds=100),
                                lease=SHORT)


def test_a_stopping_holder_gives_back_its_leases_and_marks_its_runs(session, now):
    for name in ("one", "two"):
        joblocks.acquire(session, name=name, holder="me", now=now, lease=SHORT)
        joblocks.claim(session, name=name, holder="me", now=now, due_at=SLOT)
    joblocks.acquire(session, name="three", holder="other", now=now, lease=SHORT)
    other = joblocks.claim(session, name="three", holder="other", now=now, due_at=SLOT)
    assert joblocks.stop_holder(session, holder="me", now=now, reason="stopped") == (2, 2)
    assert joblocks.acquire(session, name="one", holder="b", now=now, lease=SHORT)
    assert _run(session, other).finished_at is None
    assert session.get(JobLock, "three").holder == "other"


def test_clearing_refuses_a_live_lease_and_clears_a_stale_one(session, now):
    assert joblocks.clear_stale(session, name="sweep", now=now) is None  # no lease row at all
    joblocks.acquire(session, name="sweep", holder="gone:1", now=now, lease=SHORT)
    run_id = joblocks.claim(session, name="sweep", holder="gone:1", now=now, due_at=SLOT)
    with pytest.raises(joblocks.LeaseLive, match="gone:1 renewed its lease"):
        joblocks.clear_stale(session, name="sweep", now=now + SHORT)
    was = joblocks.clear_stale(session, name="sweep", now=now + SHORT + timedelta(seconds=1))
    assert (was.holder, was.leased_until) == ("gone:1", now + SHORT)
    assert session.get(JobLock, "sweep").leased_until is None
    assert _run(session, run_id).abandoned
    assert joblocks.clear_stale(session, name="sweep", now=now) is None


def test_unserved_lists_jobs_whose_due_time_has_no_finished_run_and_whose_lease_is_free(session, now):
    due = {name: SLOT for name in ("done", "never", "running", "dead", "failed")}
    for name in ("done", "failed"):
        run_id = joblocks.claim(session, name=name, holder="a", now=now, due_at=SLOT)
        joblocks.finish_run(session, run_id=run_id, now=now, duration_ms=1,
                            error="Boom" if name == "failed" else None)
    joblocks.claim(session, name="done", holder="a", now=now, due_at=SLOT - SHORT)  # an older one
    for name, lease_from in (("running", now), ("dead", now - 2 * SHORT)):
        joblocks.acquire(session, name=name, holder="h", now=lease_from, lease=SHORT)
        joblocks.claim(session, name=name, holder="h", now=lease_from, due_at=SLOT)
    assert joblocks.unserved(session, due=due, now=now) == ["never", "dead"]
