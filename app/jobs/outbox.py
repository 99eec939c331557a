"""Deliver queued emails over SMTP; without MAIL_SERVER the job skips and messages wait in the outbox."""

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from app.jobs import Job
from app.services.messaging import outbox

log = logging.getLogger(__name__)


def sender_from_config(config) -> outbox.SmtpSender | None:
    if not config.get("MAIL_SERVER"):
        return None
    return outbox.SmtpSender(
        host=config["MAIL_SERVER"], port=config["MAIL_PORT"], username=config["MAIL_USERNAME"] or None,
        password=config["MAIL_PASSWORD"] or None, use_tls=config["MAIL_USE_TLS"],
        from_addr=config["MAIL_FROM"])


def deliver_outbox(session: Session, now: datetime) -> int:
    sender = sender_from_config(current_app.config)
    if sender is None:
        log.info("deliver_outbox skipped: MAIL_SERVER is not set; messages wait in the admin outbox")
        return 0
    # Claims and each outcome are committed as they happen (see outbox.deliver_due).
    return outbox.deliver_due(session, sender=sender, now=now, commit=session.commit)


JOBS = [Job("deliver_outbox", deliver_outbox, {"trigger": "interval", "minutes": 1},
            "Send queued emails over SMTP, with retries (skipped until MAIL_SERVER is set).")]
