"""docs/api.md's receiver snippet, run as written: it is served by a real local Flask app and
Rallypoint's dispatcher delivers a signed event to it. The snippet accepts the event once, answers a
repeat of the same `webhook-id` without handling it again, and refuses a tampered body; during a
secret rotation it verifies with the old secret too."""

import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, request
from werkzeug.serving import make_server

from app.models import WebhookDelivery
from app.services import webhooks
from app.services.webhooks.transport import HttpPoster
from tests.services.webhooks.test_delivery import real_now

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_receiver() -> str:
    section = DOC.read_text().split("## Webhooks out", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "docs/api.md's webhooks section has no receiver example"
    return blocks[0]


class DocumentedReceiver:
    """A Flask app whose POST /hook is the documented `receive`, with the names it leaves to the reader."""

    def __init__(self, secret: str):
        self.handled, self.seen = [], set()
        names = {"SECRET": secret, "already_seen": self._already_seen,
                 "handle": lambda type_, data: self.handled.append((type_, data))}
        exec(compile(documented_receiver(), str(DOC), "exec"), names)  # noqa: S102 (the docs' own code)
        app = Flask("receiver")
        app.add_url_rule("/hook", "hook", lambda: names["receive"](request), methods=["POST"])
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _already_seen(self, message_id: str) -> bool:
        if message_id in self.seen:
            return True
        self.seen.add(message_id)
        return False

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def _deliver(session, now):
    poster = HttpPoster(allow_private=True)
    return webhooks.deliver_due(session, poster=poster, now=now, commit=session.commit)


@pytest.fixture
def endpoint(session):
    return webhooks.create_endpoint(session, url="http://127.0.0.1:9/placeholder", event_types=["ask.sent"],
                                    now=real_now(), allow_private=True)


def test_the_documented_receiver_verifies_a_real_delivery(session, endpoint):
    with DocumentedReceiver(endpoint.secret) as receiver:
        endpoint.endpoint.url = receiver.url
        now = real_now()
        webhooks.emit(session, "ask.sent", {"ask_id": 7}, now)
        session.commit()
        assert _deliver(session, now) == 1
        delivery = session.scalars(sa.select(WebhookDelivery)).one()
        assert delivery.last_status == 204 and receiver.handled == [("ask.sent", {"ask_id": 7})]
        webhooks.replay(session, delivery_id=delivery.id, now=now)  # the same webhook-id again
        session.commit()
        assert _deliver(session, now) == 1 and len(receiver.handled) == 1  # deduplicated

        body, headers = webhooks.signed_request(delivery, endpoint.secret, now)
        tampered = HttpPoster(allow_private=True).post(receiver.url, body.replace(b"7", b"8"), headers)
        wrong = HttpPoster(allow_private=True).post(receiver.url, body, {
            **headers, "webhook-id": "msg_other"})
        assert (tampered.status, wrong.status) == (400, 400) and len(receiver.handled) == 1


def test_the_documented_receiver_on_the_old_secret_works_through_a_rotation(session, endpoint):
    with DocumentedReceiver(endpoint.secret) as receiver:
        endpoint.endpoint.url = receiver.url
        now = real_now()
        webhooks.rotate_secret(session, endpoint_id=endpoint.endpoint.id, now=now)
        webhooks.emit(session, "ask.sent", {"ask_id": 8}, now)
        session.commit()
        assert _deliver(session, now) == 1 and receiver.handled == [("ask.sent", {"ask_id": 8})]
