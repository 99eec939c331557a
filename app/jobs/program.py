"""Program-wide jobs: re-engagement of inactive advocates and status promotions that come due with time."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.jobs import Job
from app.services import reengagement, status


def send_reengagement(session: Session, now: datetime) -> int:
    return reengagement.send_due(session, now=now)


def promote_due_status(session: Session, now: datetime) -> int:
    return status.promote_due(session, now=now)


JOBS = [
    Job("send_reengagement", send_reengagement, {"trigger": "interval", "hours": 6},
        "Check in once each with advocates inactive for {reengage_first_days}, {reengage_second_days} "
        "and {reengage_third_days} days."),
    Job("promote_due_status", promote_due_status, {"trigger": "interval", "hours": 6},
        "Promote advocates whose next status came due with time (e.g. Platinum after months at Gold)."),
]
