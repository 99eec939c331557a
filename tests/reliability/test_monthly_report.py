"""The monthly report on SQLite and PostgreSQL: two schedulers and racing runs without the lease store
last month's report once per recipient, with its CSV attached."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.jobs import registry
from app.jobs.runner import SERVED, run_due
from app.models import OutboxMessage, StaffRole
from app.services import clock
from app.services.analytics import report_output
from tests.factories import make_staff
from tests.reliability.conftest import race
from tests.services.analytics.test_report import build_month

JOB = next(job for job in registry() if job.name == "send_monthly_report")
DUE = datetime(2026, 6, 1, 4, 0)  # 1 June 00:00 in New York


def test_two_schedulers_and_racing_runs_store_the_month_once(race_app):
    with race_app.app_context():
        build_month(db.session)
        ids = [make_staff(db.session, role=StaffRole.MARKETING).id for _ in range(2)]
        db.session.commit()
        db.session.remove()
    clock.freeze(DUE + timedelta(minutes=5))
    first, second = run_due(race_app, JOB, "scheduler-a"), run_due(race_app, JOB, "scheduler-b")
    assert (first.ran, first.items, first.error) == (True, 2, None)
    assert (second.ran, second.skipped) == (False, SERVED)
    assert race(race_app, lambda session: report_output.enqueue_monthly(
        session, now=DUE + timedelta(hours=3)), threads=4) == {"ok": 4}
    with race_app.app_context():
        rows = db.session.execute(sa.select(OutboxMessage.dedupe_key, OutboxMessage.attachments)
                                  .order_by(OutboxMessage.id)).all()
        db.session.remove()
    assert [key for key, _ in rows] == [f"monthly-report:2026-05:staff:{n}" for n in ids]
    assert all(files[0]["filename"] == "monthly-report-2026-05.csv" for _, files in rows)
