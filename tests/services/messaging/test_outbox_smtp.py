"""SMTP delivery against a local server the test starts (aiosmtpd): delivered once, retried after a
refused connection, never duplicated; and the deliver_outbox job's use of MAIL_SERVER."""

import socket
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.extensions import db
from app.jobs.outbox import deliver_outbox
from app.models import OutboxMessage
from app.services.messaging import outbox

CONTEXT = {"name": "Ada", "mission": "Write a review", "deadline": "1 July", "program": "Rallypoint"}


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def smtp_server(port):
    """Start a local SMTP server on `port` when called; stopped at the end of the test."""
    started = []

    def start():
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return inbox

    yield start
    for controller in started:
        controller.stop()


def _sender(port):
    return outbox.SmtpSender(host="127.0.0.1", port=port, username=None, password=None, use_tls=False,
                             from_addr="Rallypoint <team@example.org>", timeout=5)


def _enqueue(session, now):
    outbox.enqueue(session, dedupe_key="reminder-start:attempt:7", kind="reminder",
                   to_email="ada@example.com", subject="A reminder", template="reminder_started",
                   context=CONTEXT, now=now)
    session.commit()


def _deliver(session, port, now):
    return outbox.deliver_due(session, sender=_sender(port), now=now, commit=session.commit)


def test_a_message_is_delivered_once_with_both_parts(session, now, port, smtp_server):
    inbox = smtp_server()
    _enqueue(session, now)
    assert _deliver(session, port, now) == 1
    assert _deliver(session, port, now) == 0
    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert received["To"] == "ada@example.com" and received["Subject"] == "A reminder"
    assert received.get_content_type() == "multipart/alternative"
    assert "Write a review" in received.get_body(("plain",)).get_content()
    assert "<strong>Write a review</strong>" in received.get_body(("html",)).get_content()


def test_a_refused_connection_is_retried_later_and_then_delivered_once(session, now, port, smtp_server):
    _enqueue(session, now)
    assert _deliver(session, port, now) == 0  # nothing listens on the port yet
    session.expire_all()
    message = session.scalars(sa.select(OutboxMessage)).one()
    assert message.attempts == 1 and message.sent_at is None and message.failed_at is None
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at == now + outbox.BACKOFF[0]

    inbox = smtp_server()
    assert _deliver(session, port, now) == 0  # the retry is not due yet
    later = now + outbox.BACKOFF[0]
    assert _deliver(session, port, later) == 1
    assert _deliver(session, port, later) == 0
    assert len(inbox.messages) == 1
    session.expire_all()
    assert session.scalars(sa.select(OutboxMessage)).one().sent_at == later


def test_the_job_skips_without_mail_server(session, now):
    _enqueue(session, now)
    assert deliver_outbox(session, now) == 0
    session.expire_all()
    assert session.scalars(sa.select(OutboxMessage)).one().attempts == 0


def test_the_job_delivers_through_the_configured_server(app_factory, now, port, smtp_server):
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_FROM="team@example.org")
    inbox = smtp_server()
    with app.app_context():
        _enqueue(db.session, now)
        assert deliver_outbox(db.session, now) == 1
        assert deliver_outbox(db.session, now) == 0
        db.session.remove()
    assert len(inbox.messages) == 1 and inbox.messages[0]["From"] == "team@example.org"
