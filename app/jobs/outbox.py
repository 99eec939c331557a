"""Deliver the outbox: emails over SMTP (skipped without MAIL_SERVER: they wait in the outbox) and
Slack posts to the program's incoming webhook (skipped while no webhook URL is stored)."""

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from app.jobs import Job
from app.services import community
from app.services.messaging import outbox

log = logging.getLogger(__name__)


def sender_from_config(config) -> outbox.SmtpSender | None:
    if not config.get("MAIL_SERVER"):
        return None
    return outbox.SmtpSender(
        host=config["MAIL_SERVER"], port=config["MAIL_PORT"], username=config["MAIL_USERNAME"] or None,
        password=config["MAIL_PASSWORD"] or None, use_tls=config["MAIL_USE_TLS"],
        from_addr=config["MAIL_FROM"])


def senders(session: Session, config) -> outbox.ChannelSender:
    """One sender per channel that can send now; a channel left out keeps its messages waiting."""
    found = {"email": sender_from_config(config),
             "slack": community.sender(session, allow_private=config["SLACK_ALLOW_PRIVATE"])}
    return outbox.ChannelSender({channel: each for channel, each in found.items() if each is not None})


def deliver_outbox(session: Session, now: datetime) -> int:
    sender = senders(session, current_app.config)
    if not sender.channels:
        log.info("deliver_outbox skipped: neither MAIL_SERVER nor a Slack webhook is set; messages wait")
        return 0
    # Claims and each outcome are committed as they happen (see outbox.deliver_due).
    return outbox.deliver_due(session, sender=sender, now=now, commit=session.commit,
                              channels=sender.channels)


JOBS = [Job("deliver_outbox", deliver_outbox, {"trigger": "interval", "minutes": 1},
            "Send queued emails over SMTP and Slack posts to the webhook, with retries "
            "(each channel waits until it is configured).")]
