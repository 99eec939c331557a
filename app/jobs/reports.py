"""Queue last month's report to marketing on the 1st (program timezone); the outbox delivers it
(services/analytics/report_output.py)."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.jobs import Job
from app.services.analytics import report_output


def send_monthly_report(session: Session, now: datetime) -> int:
    return report_output.enqueue_monthly(session, now=now)


JOBS = [Job("send_monthly_report", send_monthly_report, {"trigger": "interval", "hours": 1},
            "On the 1st of each month (program timezone), queue last month's report (HTML email, CSV "
            "attached) to marketing; once per month however many schedulers run.")]
