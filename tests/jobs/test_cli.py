"""`flask scheduler run-once NAME`: runs one job under its lease; unknown names fail clearly."""

from datetime import timedelta

from sqlalchemy import select

from app.models import Attempt, AttemptState, JobRun
from tests.jobs.support import started_attempt


def test_run_once_runs_the_job_and_prints_items(app, session, now):
    started_attempt(session, at=now - timedelta(days=20))
    session.commit()
    result = app.test_cli_runner().invoke(args=["scheduler", "run-once", "expire_due_attempts"])
    assert result.exit_code == 0, result.output
    assert "expire_due_attempts: 1 items touched" in result.output
    session.expire_all()
    assert session.scalar(select(Attempt.state)) == AttemptState.EXPIRED
    assert session.scalar(select(JobRun.items)) == 1


def test_run_once_rejects_an_unknown_job(app, session):
    result = app.test_cli_runner().invoke(args=["scheduler", "run-once", "make_coffee"])
    assert result.exit_code != 0
    assert "Unknown job 'make_coffee'" in result.output and "expire_due_attempts" in result.output
    assert session.scalars(select(JobRun)).all() == []
