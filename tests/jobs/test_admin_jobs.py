"""The admin jobs page: admins only; it lists every job's runs and can run one now."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import Attempt, AttemptState, JobRun, StaffRole
from tests.factories import make_staff
from tests.jobs.support import started_attempt


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
    from app.services import settings

    settings.save(session, changes={"reminder_after_start_hours": 24, "reengage_first_days": 21},
                  actor_id=admin.id, now=now)
    session.commit()
    html = login(admin).get("/admin/jobs").get_data(as_text=True)
    assert "no submission after 24 h." in html and "inactive for 21, 60 and 90 days" in html
    assert "{" not in "".join(job.describe(settings.load(session).values) for job in registry())
