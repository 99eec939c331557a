"""Queue the weekly Slack post when its weekday and hour (program timezone) have come; the outbox
delivers it (services/community/slack_weekly.py)."""

from datetime import datetime

from flask import current_app, url_for
from sqlalchemy.orm import Session

from app.jobs import Job
from app.services import community


def portal_url(app) -> str | None:
    """The portal's address from PUBLIC_BASE_URL; None without it (a job has no request to ask)."""
    base = app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    if not base:
        return None
    with app.test_request_context():
        return base + url_for("portal.dashboard")


def post_slack_weekly(session: Session, now: datetime) -> int:
    return int(community.enqueue_weekly(session, now=now, portal_url=portal_url(current_app)))


JOBS = [Job("post_slack_weekly", post_slack_weekly, {"trigger": "interval", "hours": 1},
            "Queue the weekly Slack post (top ten, promotions, portal link) once its day and hour have "
            "come; once per week however many schedulers run.")]
