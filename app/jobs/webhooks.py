"""Deliver stored webhook events to their endpoints, signed, with retries (services/webhooks/delivery.py)."""

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from app.jobs import Job
from app.services import clock, webhooks


def poster_from_config(config) -> webhooks.HttpPoster:
    return webhooks.HttpPoster(allow_private=config["WEBHOOKS_ALLOW_PRIVATE"])


def deliver_webhooks(session: Session, now: datetime) -> int:
    # Claims and each outcome are committed as they happen (see webhooks.deliver_due); each attempt
    # is signed and timed at its own moment. No batch pause: between two commits the job waits on the
    # network without holding SQLite's write lock, so writers get their turn anyway.
    return webhooks.deliver_due(session, poster=poster_from_config(current_app.config), now=now,
                                commit=session.commit, clock=clock.utcnow)


JOBS = [Job("deliver_webhooks", deliver_webhooks, {"trigger": "interval", "seconds": 15},
            "POST stored webhook events to their endpoints, signed (Standard Webhooks), with retries "
            "for up to three days; an endpoint failing that long is disabled and admins notified.")]
