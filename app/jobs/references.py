"""Reference-program jobs: an ask not answered in time falls through to the next match."""

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from app.jobs import Job
from app.services import references


def answer_links() -> references.AnswerLinks:
    """The signed answer links of reference emails, from the app's secret and public address."""
    config = current_app.config
    return references.AnswerLinks(secret=config["SECRET_KEY"], base_url=config.get("PUBLIC_BASE_URL") or "")


def expire_reference_asks(session: Session, now: datetime) -> int:
    return references.expire_due(session, now=now, links=answer_links())


JOBS = [
    Job("expire_reference_asks", expire_reference_asks, {"trigger": "interval", "minutes": 15},
        "Time out a reference ask not answered within {reference_answer_days} days and ask the next "
        "match of the request, once."),
]
