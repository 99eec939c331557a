"""Admin → Webhooks: admins only; an endpoint's secret is shown once, then masked; bad input is shown
next to its field and stores nothing; endpoints turn off and on; the deliveries log replays."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.models import WebhookDelivery, WebhookEndpoint
from app.services import clock, webhooks
from tests.conftest import session_token

SECRET = re.compile(r'value="(whsec_[A-Za-z0-9+/=]{20,})"')


def _create(client, url="http://127.0.0.1:9/hook", types=("attempt.approved", "status.changed")):
    return client.post("/admin/webhooks", data={"url": url, "event_types": list(types)})


@pytest.fixture
def private_ok(app):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    yield
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False


@pytest.mark.parametrize("role", ["marketing", "csm", "advocate"])
def test_only_admins_see_or_make_endpoints(as_role, client, session, role):
    as_role(role)
    assert client.get("/admin/webhooks").status_code == 403
    assert client.get("/admin/webhooks/deliveries").status_code == 403
    assert _create(client).status_code == 403
    assert session.query(WebhookEndpoint).count() == 0


def test_the_secret_is_shown_once_then_masked(as_role, client, session, private_ok):
    as_role("admin")
    response = _create(client)
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(1)
    endpoint = session.query(WebhookEndpoint).one()
    assert endpoint.secret == secret and endpoint.event_types == ["attempt.approved", "status.changed"]
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert secret not in listing and endpoint.masked_secret in listing and "127.0.0.1:9/hook" in listing


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"url": "", "event_types": ["attempt.approved"]}, "url", "Enter the URL"),
    ({"url": "ftp://example.com/x", "event_types": ["attempt.approved"]}, "url", "http:// or https://"),
    ({"url": "http://127.0.0.1/x", "event_types": ["attempt.approved"]}, "url", "private or local"),
    ({"url": "http://10.0.0.5/x", "event_types": ["attempt.approved"]}, "url", "private or local"),
    ({"url": "https://93.184.215.14/x", "event_types": []}, "event_types", "at least one"),
    ({"url": "https://93.184.215.14/x", "event_types": ["nope"]}, "event_types", "at least one"),
])
def test_bad_input_is_shown_next_to_the_field(as_role, client, session, data, field, message):
    as_role("admin")
    response = client.post("/admin/webhooks", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error" class="field-error">([^<]*)<', page)
    assert error and message in error.group(1)
    assert session.query(WebhookEndpoint).count() == 0


def test_turning_an_endpoint_off_stops_its_events(as_role, client, session, private_ok):
    as_role("admin")
    _create(client)
    endpoint = session.query(WebhookEndpoint).one()
    assert client.post(f"/admin/webhooks/{endpoint.id}/active", data={"active": "0"}).status_code == 302
    session.refresh(endpoint)
    assert endpoint.active is False and endpoint.disabled_at is not None
    assert webhooks.emit(session, "status.changed", {}, clock.utcnow()) == 0
    client.post(f"/admin/webhooks/{endpoint.id}/active", data={"active": "1"})
    session.refresh(endpoint)
    assert endpoint.active and webhooks.emit(session, "status.changed", {}, clock.utcnow()) == 1


def test_the_log_shows_outcomes_and_replay_queues_again(as_role, client, session, private_ok):
    as_role("admin")
    _create(client)
    now = clock.utcnow()
    webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, now)
    session.commit()
    down = type("Down", (), {"post": lambda self, *a: webhooks.Response(503, "<b>busy</b>")})()
    webhooks.deliver_due(session, poster=down, now=now, commit=session.commit)
    delivery = session.query(WebhookDelivery).one()
    page = client.get("/admin/webhooks/deliveries").get_data(as_text=True)
    assert "attempt.approved" in page and "503" in page and "retrying" in page
    assert "&lt;b&gt;busy&lt;/b&gt;" in page and "<b>busy</b>" not in page  # the response is escaped
    assert "Replay" not in page  # still retrying: nothing to replay yet
    session.execute(sa.update(WebhookDelivery).values(failed_at=now + timedelta(days=3)))
    session.commit()
    assert "Replay" in client.get("/admin/webhooks/deliveries").get_data(as_text=True)
    assert client.post(f"/admin/webhooks/deliveries/{delivery.id}/replay").status_code == 302
    session.refresh(delivery)
    assert delivery.failed_at is None and delivery.next_attempt_at == clock.utcnow()


def test_webhook_forms_need_a_csrf_token(app_factory):
    from app.extensions import db
    from app.models import StaffRole
    from tests.factories import make_staff

    app = app_factory(WTF_CSRF_ENABLED=True, WEBHOOKS_ALLOW_PRIVATE=True)
    with app.app_context():
        admin = make_staff(db.session, role=StaffRole.ADMIN)
        made = webhooks.create_endpoint(db.session, url="http://127.0.0.1:9/x",
                                        event_types=["status.changed"], now=admin.created_at,
                                        allow_private=True)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token(admin), True
        assert _create(client).status_code == 400
        toggle = f"/admin/webhooks/{made.endpoint.id}/active"
        assert client.post(toggle, data={"active": "0"}).status_code == 400
        db.session.expire_all()
        assert db.session.query(WebhookEndpoint).count() == 1
        assert db.session.get(WebhookEndpoint, made.endpoint.id).active
        page = client.get("/admin/webhooks").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        created = client.post("/admin/webhooks", data={
            "url": "http://127.0.0.1:9/y", "event_types": ["status.changed"], "csrf_token": token})
        assert created.status_code == 201


def _one_endpoint(client, session):
    _create(client)
    return session.query(WebhookEndpoint).one()


@pytest.mark.parametrize("role", ["marketing", "csm"])
def test_only_admins_edit_rotate_delete_or_read_a_delivery(as_role, client, session, role):
    endpoint = webhooks.create_endpoint(session, url="http://127.0.0.1:9/x", event_types=["ask.sent"],
                                        now=clock.utcnow(), allow_private=True).endpoint
    webhooks.emit(session, "ask.sent", {"ask_id": 1}, clock.utcnow())
    session.commit()
    delivery = session.query(WebhookDelivery).one()
    as_role(role)
    assert client.get(f"/admin/webhooks/{endpoint.id}").status_code == 403
    assert client.get(f"/admin/webhooks/deliveries/{delivery.id}").status_code == 403
    for action in ("", "/rotate", "/delete"):
        assert client.post(f"/admin/webhooks/{endpoint.id}{action}",
                           data={"url": "http://127.0.0.1:9/y", "confirmed": "yes"}).status_code == 403
    session.refresh(endpoint)
    assert endpoint.url == "http://127.0.0.1:9/x" and endpoint.previous_secret is None


def test_an_admin_edits_an_endpoint_and_bad_input_shows_at_its_field(as_role, client, session, private_ok):
    as_role("admin")
    endpoint = _one_endpoint(client, session)
    page = client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert 'value="http://127.0.0.1:9/hook"' in page and "Rotate secret" in page and "Delete endpoint" in page
    bad = client.post(f"/admin/webhooks/{endpoint.id}", data={"url": "ftp://x", "event_types": ["ask.sent"]})
    assert bad.status_code == 422 and re.search(r'id="url-error" class="field-error">[^<]*http://', bad.text)
    none = client.post(f"/admin/webhooks/{endpoint.id}", data={"url": "http://127.0.0.1:9/y"})
    assert none.status_code == 422 and 'id="event_types-error"' in none.text
    session.refresh(endpoint)
    assert endpoint.url == "http://127.0.0.1:9/hook"
    saved = client.post(f"/admin/webhooks/{endpoint.id}", data={
        "url": "http://127.0.0.1:9/new", "event_types": ["referral.converted", "redemption.fulfilled"]})
    assert saved.status_code == 302
    session.refresh(endpoint)
    assert (endpoint.url, endpoint.event_types, endpoint.active) == (
        "http://127.0.0.1:9/new", ["redemption.fulfilled", "referral.converted"], False)  # box unticked: off
    client.post(f"/admin/webhooks/{endpoint.id}", data={"url": endpoint.url, "event_types": ["ask.sent"],
                                                        "active": "y"})
    session.refresh(endpoint)
    assert endpoint.active and endpoint.event_types == ["ask.sent"]


def test_rotating_asks_first_then_shows_the_new_secret_once(as_role, client, session, private_ok):
    as_role("admin")
    endpoint = _one_endpoint(client, session)
    old = endpoint.secret
    asked = client.post(f"/admin/webhooks/{endpoint.id}/rotate")
    assert asked.status_code == 200 and "Rotate the signing secret" in asked.text
    session.refresh(endpoint)
    assert endpoint.secret == old
    done = client.post(f"/admin/webhooks/{endpoint.id}/rotate", data={"confirmed": "yes"})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    session.refresh(endpoint)
    new = SECRET.search(done.text).group(1)
    assert new == endpoint.secret != old and endpoint.previous_secret == old
    again = client.get(f"/admin/webhooks/{endpoint.id}").text
    assert new not in again and old not in again and "previous secret also signs until" in again


def test_deleting_asks_first_then_drops_the_endpoint_and_its_events(as_role, client, session, private_ok):
    as_role("admin")
    endpoint = _one_endpoint(client, session)
    webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, clock.utcnow())
    session.commit()
    asked = client.post(f"/admin/webhooks/{endpoint.id}/delete")
    assert asked.status_code == 200 and "Delete the webhook endpoint" in asked.text
    assert session.query(WebhookDelivery).count() == 1
    done = client.post(f"/admin/webhooks/{endpoint.id}/delete", data={"confirmed": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/webhooks")
    assert session.query(WebhookEndpoint).count() == 0 and session.query(WebhookDelivery).count() == 0
    assert client.get(f"/admin/webhooks/{endpoint.id}").status_code == 404


def test_the_delivery_page_lists_every_attempt_and_replays(as_role, client, session, private_ok):
    as_role("admin")
    _create(client)
    now = clock.utcnow()
    webhooks.emit(session, "attempt.approved", {"attempt_id": 1}, now)
    session.commit()
    answers = iter([webhooks.Response(503, "<b>busy</b>"), webhooks.Response(204, "")])
    poster = type("Poster", (), {"post": lambda self, *a: next(answers)})()
    webhooks.deliver_due(session, poster=poster, now=now, commit=session.commit)
    webhooks.deliver_due(session, poster=poster, now=now + timedelta(minutes=5), commit=session.commit)
    delivery = session.query(WebhookDelivery).one()
    listing = client.get("/admin/webhooks/deliveries").text
    assert f"/admin/webhooks/deliveries/{delivery.id}" in listing
    page = client.get(f"/admin/webhooks/deliveries/{delivery.id}").text
    assert "503" in page and "204 (accepted)" in page and page.count(" ms</td>") == 2
    assert "&lt;b&gt;busy&lt;/b&gt;" in page and "<b>busy</b>" not in page
    assert "&#34;attempt_id&#34;: 1" in page and delivery.event_id in page
    replayed = client.post(f"/admin/webhooks/deliveries/{delivery.id}/replay", data={"back": "delivery"})
    assert replayed.headers["Location"].endswith(f"/admin/webhooks/deliveries/{delivery.id}")
    session.refresh(delivery)
    assert delivery.delivered_at is None
    assert client.get("/admin/webhooks/deliveries/999999").status_code == 404
