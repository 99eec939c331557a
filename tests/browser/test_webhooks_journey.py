"""Webhooks in a real browser against a real local receiver: an admin adds an endpoint and copies its
secret, an approval goes out signed, the receiver verifies it, the log shows it and Replay sends it
again. With SHOTS_DIR set, screenshots of the pages are saved there at 1280 and 375 px."""

import os

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from app.extensions import db
from app.jobs.webhooks import poster_from_config
from app.models import StaffRole
from app.services import clock, missions, webhooks
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


def test_admin_edits_rotates_reads_the_attempts_and_deletes(browser, live_server):
    app, base_url = live_server
    clock.freeze(real_now())  # the rotation's grace period runs on the clock the receiver checks
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    with Receiver() as receiver, app.app_context():
        make_staff(db.session, role=StaffRole.ADMIN, email="ada@example.com", name="Ada Admin")
        made = webhooks.create_endpoint(db.session, url=receiver.url, event_types=["attempt.approved"],
                                        now=real_now(), allow_private=True)
        db.session.commit()
        endpoint_id = made.endpoint.id
        db.session.close()
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = watch_for_errors(page)
        sign_in_with_keyboard(page, base_url, "ada@example.com")
        page.goto(f"{base_url}/admin/webhooks")
        page.get_by_role("link", name=f"Edit {receiver.url}").click()
        page.get_by_label("An ask (a mission invitation) was sent to an advocate (ask.sent)").check()
        page.get_by_role("button", name="Save").click()
        assert "Endpoint saved." in page.content()
        _shoot(page, "webhook-endpoint")
        page.get_by_role("button", name="Rotate secret").click()
        page.get_by_role("dialog").get_by_role("button", name="Rotate secret").click()
        secret = page.get_by_role("textbox", name="Signing secret").input_value()
        assert secret.startswith("whsec_") and secret != made.secret
        _shoot(page, "webhook-rotated")

        receiver.answers = [(500, 0.0)]
        now = real_now()
        webhooks.emit(db.session, "ask.sent", {"ask_id": 1}, now)
        db.session.commit()
        db.session.close()
        _sweep(app, now)
        _sweep(app, now + webhooks.delivery.BASE_DELAY)
        (_, first, body), (_, second, _) = receiver.requests
        assert len(first["webhook-signature"].split()) == 2, first
        for key in (made.secret, secret):  # signed by both during the grace period
            assert Webhook(key).verify(body, first)["data"] == {"ask_id": 1}
        page.goto(f"{base_url}/admin/webhooks/deliveries")
        page.get_by_role("link", name="ask.sent").click()
        assert page.locator("tbody tr").count() == 2 and "200 (accepted)" in page.content()
        _shoot(page, "webhook-delivery")

        db.session.close()  # no read transaction of the test's own may hold SQLite while the server writes
        page.goto(f"{base_url}/admin/webhooks/{endpoint_id}")
        page.get_by_role("button", name="Delete endpoint").click()
        page.get_by_role("dialog").get_by_role("button", name="Delete endpoint").click()
        expect(page.get_by_text("deleted; its waiting events were dropped")).to_be_visible()  # waits for it
        assert "No endpoints yet." in page.content()
    assert errors == []
