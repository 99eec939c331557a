"""Trigger-event jobs: the one follow-up of a trigger ask the advocate has not responded to."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.jobs import Job
from app.services.triggers import followups as trigger_followups


def follow_up_trigger_asks(session: Session, now: datetime) -> int:
    return trigger_followups.send_due(session, now=now)


JOBS = [
    Job("follow_up_trigger_asks", follow_up_trigger_asks, {"trigger": "interval", "minutes": 15},
        "Remind an advocate once when a trigger ask went out {trigger_followup_hours} h ago and they have "
        "not responded (not if they paused, opted out or the mission closed); then nothing more."),
]
