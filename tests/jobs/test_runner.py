"""The job runner: lease, transaction, run record and errors; the scheduler's configuration."""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.jobs import Job
from app.jobs import missions as mission_jobs
from app.jobs.runner import JOB_DEFAULTS, register_scheduler, run_once
from app.models import Attempt, AttemptState, JobLock, JobRun, Notification
from app.services import clock
from app.services.messaging import notifications
from app.services.operations import joblocks
from config import Config
from tests.jobs.support import started_attempt

EXPIRE = next(job for job in mission_jobs.JOBS if job.name == "expire_due_attempts")
LEASE = timedelta(seconds=Config.SCHEDULER_LEASE_SECONDS)


def _runs(session):
    session.expire_all()
    return session.scalars(select(JobRun).order_by(JobRun.id)).all()


def test_a_run_does_the_work_records_it_and_frees_the_lease(app, session, now):
    started_attempt(session, at=now - timedelta(days=20), expires_after_days=14)
    session.commit()
    outcome = run_once(app, EXPIRE, holder="test")
    assert (outcome.ran, outcome.items, outcome.error) == (True, 1, None)
    [run] = _runs(session)
    assert (run.name, run.holder, run.items, run.error) == ("expire_due_attempts", "test", 1, None)
    assert run.finished_at is not None and run.duration_ms >= 0
    assert session.scalar(select(Attempt.state)) == AttemptState.EXPIRED
    assert session.get(JobLock, "expire_due_attempts").leased_until is None
    session.commit()
    assert run_once(app, EXPIRE, holder="test").items == 0


def _failing(session, now):
    notifications.notify(session, kind="x", title="half done", body="", link=None, dedupe_key="half",
                         now=now)
    raise RuntimeError("disk on fire")


def test_a_failing_job_rolls_back_and_records_the_error(app, session):
    outcome = run_once(app, Job("failing", _failing), holder="test")
    assert outcome.ran and outcome.error == "RuntimeError: disk on fire"
    [run] = _runs(session)
    assert run.error == "RuntimeError: disk on fire" and run.finished_at is not None
    assert session.scalar(select(func.count()).select_from(Notification)) == 0
    assert session.get(JobLock, "failing").leased_until is None


def test_a_held_lease_skips_the_run_until_it_expires(app, session, now):
    started_attempt(session, at=now - timedelta(days=20), expires_after_days=14)
    # A scheduler that took the lease and was then killed: its lease stays until it runs out.
    joblocks.acquire(session, name=EXPIRE.name, holder="killed", now=now, lease=LEASE)
    session.commit()
    assert run_once(app, EXPIRE, holder="test").ran is False
    assert _runs(session) == []
    session.commit()
    clock.freeze(now + LEASE + timedelta(seconds=1))
    outcome = run_once(app, EXPIRE, holder="test")
    assert (outcome.ran, outcome.items) == (True, 1)


def test_the_scheduler_fires_every_job_on_the_shared_grid_and_catches_up_at_once(app):
    from app.jobs import registry, slots
    from app.jobs.runner import CATCH_UP, build_scheduler

    scheduler = build_scheduler(app)
    started = datetime.now(UTC)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {job.name for job in registry()} | {CATCH_UP}
        assert jobs[CATCH_UP].next_run_time <= datetime.now(UTC)  # start-up: no waiting an interval
        for job in registry():
            every = slots.interval(job)
            expected = slots.latest(started.replace(tzinfo=None), every) + every  # the next due time
            assert jobs[job.name].next_run_time.replace(tzinfo=None) == expected, job.name
            assert (jobs[job.name].coalesce, jobs[job.name].max_instances,
                    jobs[job.name].misfire_grace_time) == (JOB_DEFAULTS["coalesce"],
                                                           JOB_DEFAULTS["max_instances"],
                                                           JOB_DEFAULTS["misfire_grace_time"])
    finally:
        scheduler.shutdown(wait=False)


def test_no_scheduler_starts_unless_enabled(app_factory):
    assert register_scheduler(app_factory()) is None
    enabled = app_factory(SCHEDULER_ENABLED=True)
    scheduler = register_scheduler(enabled)
    try:
        assert scheduler.running and enabled.extensions["scheduler"] is scheduler
    finally:
        scheduler.shutdown(wait=False)


def test_a_scheduled_run_claims_its_due_time_and_a_second_one_skips(app, session, now):
    from app.jobs.runner import SERVED, run_due

    due = datetime(2026, 6, 15, 12, 0)  # the frozen clock is on the five-minute grid
    first = run_due(app, EXPIRE, "one")
    second = run_due(app, EXPIRE, "two")
    assert (first.ran, second.ran, second.skipped) == (True, False, SERVED)
    [run] = _runs(session)
    assert (run.holder, run.due_at) == ("one", due)
    assert session.get(JobLock, EXPIRE.name).leased_until is None  # the refused claim took no lease
    session.rollback()  # (a SQLite read holds the write lock until it ends)
    clock.freeze(now + timedelta(minutes=5))
    assert run_due(app, EXPIRE, "two").ran
    assert [r.due_at for r in _runs(session)] == [due, due + timedelta(minutes=5)]
    session.rollback()
    assert run_once(app, EXPIRE, holder="admin:1").ran  # a manual run has no due time
    assert _runs(session)[-1].due_at is None


def test_the_heartbeat_renews_the_lease_while_the_job_runs(app_factory, now):
    app = app_factory(SCHEDULER_LEASE_SECONDS=60, SCHEDULER_HEARTBEAT_SECONDS=0.05)
    seen = []

    def slow(session, at):
        clock.freeze(now + timedelta(seconds=45))  # time passes; the heartbeat renews from "now"
        time.sleep(0.5)
        seen.append(session.get(JobLock, "slow").leased_until)
        return 0

    assert run_once(app, Job("slow", slow), holder="test").ran
    assert seen == [now + timedelta(seconds=105)]


def test_the_catch_up_check_starts_jobs_whose_due_time_went_unserved(app, session, now):
    from app.jobs import registry
    from app.jobs.runner import CATCH_UP, build_scheduler, catch_up, run_due

    names = [job.name for job in registry()]
    scheduler = build_scheduler(app, holder="me")
    scheduler.start(paused=True)
    try:
        joblocks.acquire(session, name="deliver_outbox", holder="busy", now=now, lease=LEASE)
        session.commit()
        assert run_once(app, EXPIRE, holder="other").ran is True  # a manual run serves no due time
        assert run_due(app, next(j for j in registry() if j.name == "score_customers"), "other").ran
        started = catch_up(app, scheduler, "me")
        assert set(started) == set(names) - {"deliver_outbox", "score_customers"}
        queued = {job.id for job in scheduler.get_jobs()}
        assert {f"{name}:{CATCH_UP}" for name in started} <= queued
    finally:
        scheduler.shutdown(wait=False)
