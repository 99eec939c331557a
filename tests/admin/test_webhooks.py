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
