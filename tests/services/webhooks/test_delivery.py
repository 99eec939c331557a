"""Webhooks out against a local HTTP server started by the test: the payload's shape, the signature
as a receiver verifies it, retries after a 500 and after a timeout, no redirect followed, replay,
giving up after three days (endpoint disabled, admins notified) and the private-address rule."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook, WebhookVerificationError

from app.models import Notification, StaffRole, WebhookDelivery
from app.services import webhooks
from app.services.errors import ValidationFailed
from app.services.webhooks import delivery as delivery_service
from tests.factories import make_staff
from tests.services.webhooks.receiver import Receiver

POSTER = webhooks.HttpPoster(allow_private=True)


def real_now() -> datetime:
    """Wall-clock UTC (naive): a receiver refuses timestamps over five minutes from its own clock."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _endpoint(session, url, types=("attempt.approved",)):
    return webhooks.create_endpoint(session, url=url, event_types=list(types), now=real_now(),
                                    allow_private=True)


def _sweep(session, now, poster=POSTER):
    return webhooks.deliver_due(session, poster=poster, now=now, commit=session.commit)


def test_emit_stores_one_delivery_per_subscribed_active_endpoint(session):
    now = real_now()
    wanted = _endpoint(session, "http://127.0.0.1:9/a").endpoint
    _endpoint(session, "http://127.0.0.1:9/b", types=("status.changed",))
    off = _endpoint(session, "http://127.0.0.1:9/c").endpoint
    webhooks.set_active(session, endpoint_id=off.id, active=False, now=now)
    assert webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, now) == 1
    rows = session.scalars(sa.select(WebhookDelivery)).all()
    assert [(row.endpoint_id, row.type) for row in rows] == [(wanted.id, "attempt.approved")]
    assert rows[0].event_id.startswith("msg_")
    session.rollback()  # stored in the caller's transaction: gone with it
    assert session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0


def test_delivery_is_signed_and_shaped_as_the_standard_says(session, receiver):
    created = _endpoint(session, receiver.url)
    now = real_now()
    webhooks.emit(session, "attempt.approved", {"attempt_id": 7, "advocate_id": 3}, now)
    session.commit()
    assert _sweep(session, now) == 1
    (path, headers, body), = receiver.requests
    payload = Webhook(created.secret).verify(body, headers)
    assert payload == {"type": "attempt.approved", "timestamp": now.isoformat() + "Z",
                       "data": {"attempt_id": 7, "advocate_id": 3}}
    delivery = session.scalars(sa.select(WebhookDelivery)).one()
    assert headers["webhook-id"] == delivery.event_id and path == "/hook"
    assert (delivery.delivered_at, delivery.last_status, delivery.attempts) == (now, 200, 1)
    assert delivery.last_latency_ms is not None and delivery.last_response == "ok"
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.endpoints.new_secret()).verify(body, headers)  # another secret fails
    assert _sweep(session, now + timedelta(hours=1)) == 0  # delivered once, not again


def test_a_500_is_retried_with_backoff_and_logged(session, receiver):
    _endpoint(session, receiver.url)
    now = real_now()
    webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, now)
    session.commit()
    receiver.answers.append((500, 0))
    assert _sweep(session, now) == 0
    delivery = session.scalars(sa.select(WebhookDelivery)).one()
    assert (delivery.attempts, delivery.last_status, delivery.delivered_at) == (1, 500, None)
    assert delivery.last_response == "x" * 500  # an excerpt
    assert delivery.next_attempt_at == now + delivery_service.BASE_DELAY
    assert _sweep(session, now + timedelta(seconds=10)) == 0  # not due yet
    assert _sweep(session, now + timedelta(seconds=31)) == 1
    assert len(receiver.requests) == 2
    assert receiver.requests[0][1]["webhook-id"] == receiver.requests[1][1]["webhook-id"]
    session.refresh(delivery)
    assert (delivery.attempts, delivery.last_status) == (2, 200)


def test_a_timeout_is_a_failed_attempt_retried_later(session, receiver):
    _endpoint(session, receiver.url)
    now = real_now()
    webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, now)
    session.commit()
    receiver.answers.append((200, 1.5))
    impatient = webhooks.HttpPoster(allow_private=True, timeout=0.3)
    assert _sweep(session, now, impatient) == 0
    delivery = session.scalars(sa.select(WebhookDelivery)).one()
    assert delivery.last_status is None and "timed out" in delivery.last_response.lower()
    assert delivery.delivered_at is None and delivery.attempts == 1
    assert _sweep(session, now + timedelta(seconds=31), impatient) == 1


def test_a_redirect_is_not_followed(session, receiver):
    _endpoint(session, receiver.url)
    now = real_now()
    webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, now)
    session.commit()
    receiver.answers.append((302, 0))
    assert _sweep(session, now) == 0
    assert [path for path, _, _ in receiver.requests] == ["/hook"]
    assert session.scalars(sa.select(WebhookDelivery)).one().last_status == 302


def test_backoff_grows_and_after_three_days_the_endpoint_is_disabled(session, receiver):
    admin = make_staff(session, role=StaffRole.ADMIN)
    make_staff(session, role=StaffRole.MARKETING)
    endpoint = _endpoint(session, receiver.url).endpoint
    start = real_now() - timedelta(days=4)
    webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, start)
    session.commit()
    fail = webhooks.Response(503, "down")

    class Down:
        def post(self, url, body, headers):
            return fail

    delays, at = [], start
    while True:
        _sweep(session, at, Down())
        delivery = session.scalars(sa.select(WebhookDelivery)).one()
        if delivery.failed_at is not None:
            break
        delays.append(delivery.next_attempt_at - at)
        at = delivery.next_attempt_at
    assert delays[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert max(delays) == delivery_service.MAX_DELAY
    assert at - start >= timedelta(days=3) and at - start < timedelta(days=3, hours=12)
    session.refresh(endpoint)
    assert endpoint.active is False and endpoint.disabled_at == at
    notes = session.scalars(sa.select(Notification).where(Notification.kind == "webhook")).all()
    assert [note.staff_id for note in notes] == [admin.id]
    assert webhooks.emit(session, "attempt.approved", {"attempt_id": 2}, at) == 0  # disabled: none stored


def test_replay_sends_the_same_event_again(session, receiver):
    created = _endpoint(session, receiver.url)
    now = real_now()
    webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, now)
    session.commit()
    _sweep(session, now)
    delivery = session.scalars(sa.select(WebhookDelivery)).one()
    webhooks.replay(session, delivery_id=delivery.id, now=now + timedelta(seconds=5))
    session.commit()
    assert _sweep(session, now + timedelta(seconds=5)) == 1
    first, second = receiver.requests
    assert first[1]["webhook-id"] == second[1]["webhook-id"]
    assert Webhook(created.secret).verify(second[2], second[1]) == json.loads(first[2])
    session.refresh(delivery)
    assert delivery.attempts == 2 and delivery.delivered_at == now + timedelta(seconds=5)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/x", "http://localhost/x", "http://10.1.2.3/x",
                                 "http://[::1]/x", "http://169.254.169.254/latest", "ftp://example.com/x",
                                 "not a url"])
def test_private_loopback_and_odd_urls_are_refused(session, url):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.create_endpoint(session, url=url, event_types=["attempt.approved"], now=real_now(),
                                 allow_private=False)
    assert refused.value.field == "url"


def test_a_private_endpoint_is_not_called_when_the_operator_has_not_allowed_it(session, receiver):
    _endpoint(session, receiver.url)
    now = real_now()
    webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, now)
    session.commit()
    assert _sweep(session, now, webhooks.HttpPoster(allow_private=False)) == 0
    assert receiver.requests == []
    delivery = session.scalars(sa.select(WebhookDelivery)).one()
    assert delivery.last_status is None and "private" in delivery.last_response


def test_unknown_or_no_event_types_are_refused(session):
    for types in ([], ["attempt.exploded"]):
        with pytest.raises(ValidationFailed) as refused:
            webhooks.create_endpoint(session, url="http://127.0.0.1/x", event_types=types, now=real_now(),
                                     allow_private=True)
        assert refused.value.field == "event_types"
