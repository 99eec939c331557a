"""Webhooks in a real browser against a real local receiver: an admin adds an endpoint and copies its
secret, an approval goes out signed, the receiver verifies it, the log shows it and Replay sends it
again. With SHOTS_DIR set, screenshots of the pages are saved there at 1280 and 375 px."""

import os

import pytest
from standardwebhooks import Webhook

from app.extensions import db
from app.jobs.webhooks import poster_from_config
from app.models import StaffRole
from app.services import missions, webhooks
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import make_staff, make_submitted_attempt
from tests.services.webhooks.receiver import Receiver
from tests.services.webhooks.test_delivery import real_now

pytestmark = pytest.mark.browser


def _shoot(page, name: str) -> None:
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def _sweep(app, now):
    with app.app_context():
        poster = poster_from_config(app.config)
        return webhooks.deliver_due(db.session, poster=poster, now=now, commit=db.session.commit)


def test_admin_adds_an_endpoint_and_an_approval_reaches_the_receiver(browser, live_server):
    app, base_url = live_server
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    with app.app_context():
        make_staff(db.session, role=StaffRole.ADMIN, email="ada@example.com", name="Ada Admin")
        db.session.commit()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "ada@example.com")
    with Receiver() as receiver:
        page.goto(f"{base_url}/admin/webhooks")
        page.get_by_role("button", name="Add endpoint").click()
        assert page.locator("#url-error").inner_text() == "Enter the URL that receives the events."
        _shoot(page, "webhooks-errors")
        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_label("Staff approved an attempt (attempt.approved)").check()
        page.get_by_role("button", name="Add endpoint").click()
        secret = page.get_by_role("textbox", name="Signing secret").input_value()
        assert secret.startswith("whsec_")
        _shoot(page, "webhooks-secret")

        now = real_now()
        with app.app_context():
            attempt_id = make_submitted_attempt(db.session).id
            missions.approve_attempt(db.session, staff=make_staff(db.session), attempt_id=attempt_id, now=now)
            db.session.commit()
        assert _sweep(app, now) == 1
        (_, headers, body), = receiver.requests
        assert Webhook(secret).verify(body, headers)["data"]["attempt_id"] == attempt_id

        page.goto(f"{base_url}/admin/webhooks")
        assert secret not in page.content()
        page.get_by_role("link", name="Deliveries", exact=True).click()
        assert "attempt.approved" in page.content() and "delivered" in page.content()
        _shoot(page, "webhook-deliveries")
        page.get_by_role("button", name="Replay").click()
        assert "Queued again" in page.content()
        assert _sweep(app, real_now()) == 1
        assert [h["webhook-id"] for _, h, _ in receiver.requests] == [headers["webhook-id"]] * 2
    assert [e for e in errors if "status of 422" not in e] == []  # the bad form answers 422 on purpose
