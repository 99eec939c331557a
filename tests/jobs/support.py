"""Builders and counters shared by the job tests."""

from datetime import timedelta

from sqlalchemy import func, select

from app.models import Notification, OutboxMessage
from app.services import missions
from tests.factories import make_activity, make_advocate, make_mission


def started_attempt(session, *, at, expires_after_days=14, advocate=None, **advocate_fields):
    """An attempt started through the mission service at `at` (deadline at + expires_after_days)."""
    activity = make_activity(session, expires_after_days=expires_after_days)
    mission = make_mission(session, activity=activity, opens_at=at - timedelta(days=1),
                           closes_at=at + timedelta(days=90))
    advocate = advocate or make_advocate(session, **advocate_fields)
    return missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=at)


def messages(session, prefix: str) -> tuple[int, int]:
    """(notifications, outbox emails) whose dedupe key starts with `prefix`."""
    return (
        session.scalar(select(func.count()).select_from(Notification)
                       .where(Notification.dedupe_key.startswith(prefix))),
        session.scalar(select(func.count()).select_from(OutboxMessage)
                       .where(OutboxMessage.dedupe_key.startswith(prefix))),
    )
