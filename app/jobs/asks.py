"""Ask governor jobs: release queued asks when advocates become askable, drop those whose mission closed."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.jobs import Job
from app.services import asks


def release_queued_asks(session: Session, now: datetime) -> int:
    return asks.release_queued(session, now=now)


def drop_closed_asks(session: Session, now: datetime) -> int:
    return asks.drop_closed(session, now=now)


JOBS = [
    Job("release_queued_asks", release_queued_asks, {"trigger": "interval", "minutes": 15},
        "Send queued asks when the advocate becomes askable again, highest priority first."),
    Job("drop_closed_asks", drop_closed_asks, {"trigger": "interval", "minutes": 15},
        "Drop queued asks whose mission has closed or been archived."),
]
