"""Sign-in housekeeping: forget ended or expired sign-in sessions, used-up reset links and old counters."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from app.jobs import Job
from app.services.people import password_resets, throttle
from app.services.people import sessions as login_sessions

# Ended sessions and spent reset links are kept a while, for questions like "was I signed in?".
KEEP = timedelta(days=30)


def purge_sign_in_records(session: Session, now: datetime) -> int:
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    return (login_sessions.purge(session, before=now - KEEP)
            + password_resets.purge(session, before=now - KEEP)
            + throttle.purge(session, before=now - window))


JOBS = [Job("purge_sign_in_records", purge_sign_in_records, {"trigger": "interval", "hours": 6},
            "Delete sign-in sessions and password-reset links that ended or expired over 30 days ago, "
            "and sign-in counters whose window is over.")]
