"""The admin jobs page: admins only; it lists every job's runs and can run one now."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import Attempt, AttemptState, JobRun, StaffRole
from tests.factories import make_staff
from tests.jobs.support import started_attempt

MINUTE = timedelta(minutes=1)


@pytest.fixture
def admin(session):
    staff = make_staff(session, role=StaffRole.ADMIN)
    session.commit()
    return staff


@pytest.mark.parametrize("role", [StaffRole.MARKETING, StaffRole.CSM])
def test_only_admins_see_or_run_jobs(session, login, role):
    client = login(make_staff(session, role=role))
    session.commit()
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/expire_due_attempts/run").status_code == 403
    assert session.scalars(select(JobRun)).all() == []


def test_the_page_lists_every_job(login, admin):
    page = login(admin).get("/admin/jobs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("expire_due_attempts", "remind_after_start", "remind_before_deadline",
                 "escalate_to_csm", "escalate_waiting_approvals"):
        assert name in html
    assert "every 5 minutes" in html and "never" in html


def test_run_now_runs_the_job_and_shows_the_result(session, login, admin, now):
    started_attempt(session, at=now - timedelta(days=20))
    session.commit()
    client = login(admin)
    response = client.post("/admin/jobs/expire_due_attempts/run", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "expire_due_attempts ran: 1 items touched" in html
    session.expire_all()
    assert session.scalar(select(Attempt.state)) == AttemptState.EXPIRED
    run = session.scalars(select(JobRun)).one()
    assert (run.holder, run.items) == (f"admin:{admin.id}", 1)


def test_run_now_of_an_unknown_job_is_404(login, admin):
    assert login(admin).post("/admin/jobs/nope/run").status_code == 404


def test_job_descriptions_quote_the_current_settings(session, login, admin, now):
    from app.jobs import registry
    from app.services.program import settings

    settings.save(session, changes={"reminder_after_start_hours": 24, "reengage_first_days": 21},
                  actor_id=admin.id, now=now)
    session.commit()
    html = login(admin).get("/admin/jobs").get_data(as_text=True)
    assert "no submission after 24 h." in html and "inactive for 21, 60 and 90 days" in html
    assert "{" not in "".join(job.describe(settings.load(session).values) for job in registry())


def _dead_holder(session, now, name="expire_due_attempts"):
    """A scheduler that took the lease, started a run and was SIGKILLed: its lease ran out a minute ago."""
    from app.services.operations import joblocks

    at = now - timedelta(minutes=2)
    joblocks.acquire(session, name=name, holder="host:4242", now=at, lease=timedelta(minutes=1))
    run_id = joblocks.claim(session, name=name, holder="host:4242", now=at, due_at=at)
    session.commit()
    return run_id


def test_a_dead_run_shows_as_stopped_responding_not_running(session, login, admin, now):
    _dead_holder(session, now)
    html = login(admin).get("/admin/jobs").get_data(as_text=True)
    assert "stopped responding" in html and "(running)" not in html
    assert "Lease left by host:4242" in html and "/admin/jobs/expire_due_attempts/clear-lease" in html


def test_a_live_run_shows_as_running_without_a_clear_button(session, login, admin, now):
    from app.services.operations import joblocks

    joblocks.acquire(session, name="expire_due_attempts", holder="host:1", now=now, lease=MINUTE)
    joblocks.claim(session, name="expire_due_attempts", holder="host:1", now=now, due_at=now)
    session.commit()
    html = login(admin).get("/admin/jobs").get_data(as_text=True)
    assert "(running)" in html and "Running on host:1" in html and "clear-lease" not in html


def test_an_admin_clears_a_stale_lease_after_confirming_and_run_now_works(session, login, admin, now):
    from app.models import JobLock

    run_id = _dead_holder(session, now)
    started_attempt(session, at=now - timedelta(days=20))
    session.commit()
    client = login(admin)
    asked = client.post("/admin/jobs/expire_due_attempts/clear-lease")
    assert asked.status_code == 200 and "Clear the stale lease on expire_due_attempts?" in asked.get_data(
        as_text=True)
    session.expire_all()
    assert session.get(JobLock, "expire_due_attempts").holder == "host:4242"  # nothing done yet
    session.rollback()
    done = client.post("/admin/jobs/expire_due_attempts/clear-lease", data={"confirmed": "yes"},
                       follow_redirects=True).get_data(as_text=True)
    assert "lease, left by host:4242, is cleared" in done
    session.expire_all()
    assert session.get(JobLock, "expire_due_attempts").holder is None
    dead = session.get(JobRun, run_id)
    assert dead.abandoned and dead.error == "the scheduler process stopped during this run"
    session.rollback()
    html = client.post("/admin/jobs/expire_due_attempts/run", follow_redirects=True).get_data(as_text=True)
    assert "expire_due_attempts ran: 1 items touched" in html and "stopped responding" not in html


def test_a_live_lease_is_not_cleared(session, login, admin, now):
    from app.models import JobLock
    from app.services.operations import joblocks

    joblocks.acquire(session, name="expire_due_attempts", holder="host:1", now=now, lease=MINUTE)
    session.commit()
    html = login(admin).post("/admin/jobs/expire_due_attempts/clear-lease", data={"confirmed": "yes"},
                             follow_redirects=True).get_data(as_text=True)
    assert "expire_due_attempts is running: host:1 renewed its lease" in html
    session.expire_all()
    assert session.get(JobLock, "expire_due_attempts").holder == "host:1"


@pytest.mark.parametrize("role", [StaffRole.MARKETING, StaffRole.CSM])
def test_only_admins_clear_a_lease(session, login, role, now):
    from app.models import JobLock

    _dead_holder(session, now)
    client = login(make_staff(session, role=role))
    session.commit()
    assert client.post("/admin/jobs/expire_due_attempts/clear-lease",
                       data={"confirmed": "yes"}).status_code == 403
    session.expire_all()
    assert session.get(JobLock, "expire_due_attempts").holder == "host:4242"


def test_clearing_the_lease_of_an_unknown_job_is_404(login, admin):
    assert login(admin).post("/admin/jobs/nope/clear-lease", data={"confirmed": "yes"}).status_code == 404
