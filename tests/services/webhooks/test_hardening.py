"""Webhooks out, the weak spots closed: the address rule on the address actually connected to (DNS
rebinding), the three days counted from an endpoint's first unbroken failure (disabled and admins
notified once), every attempt kept, secret rotation signing with both secrets for a grace period,
editing and deleting endpoints."""

import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook, WebhookVerificationError

from app.models import Notification, StaffRole, WebhookAttempt, WebhookDelivery
from app.services import webhooks
from app.services.errors import Conflict, ValidationFailed
from app.services.webhooks import endpoints as endpoint_service
from app.services.webhooks import transport
from tests.factories import make_staff
from tests.services.webhooks.receiver import Receiver
from tests.services.webhooks.test_delivery import POSTER, _endpoint, _sweep, real_now

PUBLIC = "93.184.216.34"


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _fake_dns(monkeypatch, *answers):
    """getaddrinfo answering each call with the next address (the last one repeats); the calls made."""
    calls, real = [], socket.getaddrinfo

    def lookup(host, port, *args, **kwargs):
        if host != "hooks.example.test":
            return real(host, port, *args, **kwargs)
        calls.append(host)
        address = answers[min(len(calls), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(transport.socket, "getaddrinfo", lookup)
    return calls


def test_the_name_is_resolved_once_and_the_checked_address_is_connected_with_the_names_host(
        monkeypatch, receiver):
    port = receiver.server.server_address[1]
    calls = _fake_dns(monkeypatch, "127.0.0.1", "10.255.255.1")  # a second lookup would go elsewhere
    answer = POSTER.post(f"http://hooks.example.test:{port}/hook?x=1", b"{}", {"webhook-id": "msg_1"})
    assert answer.status == 200 and len(calls) == 1
    path, headers, _ = receiver.requests[0]
    assert (path, headers["host"]) == ("/hook?x=1", f"hooks.example.test:{port}")


def test_a_rebinding_name_connects_to_the_public_address_it_was_checked_at(monkeypatch, receiver):
    calls = _fake_dns(monkeypatch, PUBLIC, "127.0.0.1")
    connected = []

    def fake_open(family, sockaddr, timeout):
        connected.append(sockaddr[0])
        raise OSError("no network in the test")

    monkeypatch.setattr(transport, "open_socket", fake_open)
    answer = webhooks.HttpPoster(allow_private=False).post("http://hooks.example.test/hook", b"{}", {})
    assert answer.status is None and connected == [PUBLIC] and len(calls) == 1
    assert receiver.requests == []


def test_a_name_with_any_private_address_is_refused_before_connecting(monkeypatch, receiver):
    def lookup(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(transport.socket, "getaddrinfo", lookup)
    monkeypatch.setattr(transport, "open_socket", lambda *a: pytest.fail("connected"))
    answer = webhooks.HttpPoster(allow_private=False).post("https://hooks.example.test/hook", b"{}", {})
    assert answer.status is None and "private" in answer.text


class Scripted:
    """A poster answering from a list: True is a 200, False a 503."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def post(self, url, body, headers):
        ok = self.answers.pop(0) if self.answers else False
        return webhooks.Response(200 if ok else 503, "fine" if ok else "down")


def _emit(session, at, n=1):
    for i in range(n):
        webhooks.emit(session, "attempt.approved", {"attempt_id": i}, at)
    session.commit()


def test_three_days_count_from_the_first_unbroken_failure_and_admins_hear_once(session):
    admin = make_staff(session, role=StaffRole.ADMIN)
    endpoint = _endpoint(session, "http://127.0.0.1:9/x").endpoint
    start = real_now() - timedelta(days=10)
    _emit(session, start)
    _sweep(session, start, Scripted(False))  # fails: the run starts
    assert endpoint.failing_since == start
    _emit(session, start + timedelta(days=2))
    _sweep(session, start + timedelta(days=2), Scripted(True, True))  # a success ends the run
    session.refresh(endpoint)
    assert endpoint.failing_since is None and endpoint.active
    later = start + timedelta(days=4)
    _emit(session, later, n=3)
    _sweep(session, later, Scripted())
    assert endpoint.failing_since == later and endpoint.active  # only days 2-4 ago: the run is new
    _emit(session, later + timedelta(days=3), n=2)
    _sweep(session, later + timedelta(days=3), Scripted())  # three days of failures: off, once
    session.refresh(endpoint)
    assert endpoint.active is False and endpoint.disabled_at == later + timedelta(days=3)
    notes = session.scalars(sa.select(Notification).where(Notification.kind == "webhook")).all()
    assert [n.staff_id for n in notes] == [admin.id] and "failed every delivery since" in notes[0].body
    webhooks.set_active(session, endpoint_id=endpoint.id, active=True, now=later + timedelta(days=3))
    assert endpoint.failing_since is None  # back on: counted afresh


def test_every_attempt_is_kept_with_status_latency_and_excerpt(session, receiver):
    _endpoint(session, receiver.url)
    now = real_now()
    _emit(session, now)
    receiver.answers = [(500, 0.0)]
    _sweep(session, now)
    _sweep(session, now + timedelta(minutes=1))
    delivery = session.scalars(sa.select(WebhookDelivery)).one()
    same, attempts = webhooks.attempts_of(session, delivery_id=delivery.id)
    assert same is delivery and [a.status for a in attempts] == [200, 500]  # newest first
    assert attempts[1].response == "x" * 500 and attempts[0].response == "ok"
    assert attempts[1].at == now and all(a.latency_ms >= 0 for a in attempts)
    webhooks.replay(session, delivery_id=delivery.id, now=now + timedelta(minutes=2))
    session.commit()
    _sweep(session, now + timedelta(minutes=2))
    assert len(webhooks.attempts_of(session, delivery_id=delivery.id)[1]) == 3


def test_a_rotated_secret_signs_with_both_during_the_grace_period(session, receiver):
    created = _endpoint(session, receiver.url)
    now = real_now()
    new = webhooks.rotate_secret(session, endpoint_id=created.endpoint.id, now=now)
    assert new != created.secret and new.startswith("whsec_")
    _emit(session, now)
    _sweep(session, now)
    _, headers, body = receiver.requests[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (created.secret, new):  # a receiver on either secret verifies
        assert Webhook(secret).verify(body, headers)["data"] == {"attempt_id": 0}
    after = now + endpoint_service.ROTATION_GRACE
    _emit(session, after)
    _sweep(session, after)
    _, headers, body = receiver.requests[1]
    assert " " not in headers["webhook-signature"]  # the grace period is over: the new secret alone
    signed = {key: Webhook(key).sign(msg_id=headers["webhook-id"], timestamp=after, data=body)
              for key in (created.secret, new)}
    assert headers["webhook-signature"] == signed[new] != signed[created.secret]


def test_the_old_secret_alone_fails_after_the_grace_period(session, receiver):
    created = _endpoint(session, receiver.url)
    now = real_now()
    webhooks.rotate_secret(session, endpoint_id=created.endpoint.id, now=now - timedelta(days=2))
    _emit(session, now)
    _sweep(session, now)
    _, headers, body = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(created.secret).verify(body, headers)


def test_an_endpoint_can_be_edited_and_bad_edits_name_their_field(session):
    endpoint = _endpoint(session, "http://127.0.0.1:9/x").endpoint
    endpoint.failing_since = real_now()
    webhooks.update_endpoint(session, endpoint_id=endpoint.id, url=" http://127.0.0.1:9/y ",
                             event_types=["ask.sent", "referral.converted"], active=False, now=real_now(),
                             allow_private=True)
    assert (endpoint.url, endpoint.event_types, endpoint.active) == (
        "http://127.0.0.1:9/y", ["ask.sent", "referral.converted"], False)
    assert endpoint.failing_since is None and endpoint.disabled_at is not None
    for url, types, field in [("ftp://x", ["ask.sent"], "url"), ("http://127.0.0.1:9/y", [], "event_types"),
                              ("http://127.0.0.1:9/y", ["nope"], "event_types")]:
        with pytest.raises(ValidationFailed) as refused:
            webhooks.update_endpoint(session, endpoint_id=endpoint.id, url=url, event_types=types,
                                     active=True, now=real_now(), allow_private=True)
        assert refused.value.field == field
    with pytest.raises(ValidationFailed):
        webhooks.update_endpoint(session, endpoint_id=endpoint.id, url="http://127.0.0.1:9/y",
                                 event_types=["ask.sent"], active=True, now=real_now(), allow_private=False)


def test_deleting_an_endpoint_drops_its_deliveries_and_attempts(session):
    gone = _endpoint(session, "http://127.0.0.1:9/x").endpoint
    kept = _endpoint(session, "http://127.0.0.1:9/y").endpoint
    now = real_now()
    _emit(session, now)  # one event, a delivery to each endpoint
    _sweep(session, now, Scripted(False, True))
    assert session.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)) == 2
    webhooks.delete_endpoint(session, endpoint_id=gone.id, now=now)
    session.commit()
    assert [e.id for e in webhooks.list_endpoints(session)] == [kept.id]
    assert set(session.scalars(sa.select(WebhookDelivery.endpoint_id))) == {kept.id}
    assert session.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)) == 1


def test_an_endpoint_with_a_delivery_in_flight_is_not_deleted(session):
    endpoint = _endpoint(session, "http://127.0.0.1:9/x").endpoint
    now = real_now()
    _emit(session, now)
    webhooks.claim_due(session, now=now)
    with pytest.raises(Conflict):
        webhooks.delete_endpoint(session, endpoint_id=endpoint.id, now=now)
