"""The weekly Slack post in a real browser against a real local receiver: an admin finds Admin → Slack
post, a bad URL is refused next to the field, the saved URL is shown masked, the test post reaches the
receiver and the page says so; the week's post goes out through the outbox and shows there. With
SHOTS_DIR set, screenshots of the pages are saved there at 1280 and 375 px."""

import json
from datetime import datetime

import pytest

from app.extensions import db
from app.jobs.outbox import deliver_outbox
from app.models import StaffRole
from app.services import community
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.browser.test_webhooks_journey import _shoot
from tests.factories import fund, make_advocate, make_staff
from tests.services.webhooks.receiver import Receiver

pytestmark = pytest.mark.browser
FRIDAY_16 = datetime(2026, 6, 19, 16, 0)


def test_admin_sets_up_the_weekly_post_and_it_reaches_slack(browser, live_server):
    app, base_url = live_server
    app.config["SLACK_ALLOW_PRIVATE"] = True
    with app.app_context():
        make_staff(db.session, role=StaffRole.ADMIN, email="ada@example.com", name="Ada Admin")
        fund(db.session, make_advocate(db.session, name="Grace Hopper", company="Navy"), 700)
        db.session.commit()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "ada@example.com")
    with Receiver() as receiver:
        page.goto(f"{base_url}/admin/")
        page.locator("#nav-admin summary").click()
        page.get_by_role("link", name="Slack post").click()
        page.get_by_label("Post every week").check()
        page.get_by_role("button", name="Save").click()
        assert page.locator("#url-error").inner_text().startswith("Paste the webhook URL before")
        _shoot(page, "slack-errors")
        page.get_by_label("Slack incoming-webhook URL").fill(receiver.url)
        page.get_by_label("Day").select_option("Friday")
        page.get_by_label("Hour").select_option("16:00")
        page.get_by_role("button", name="Save").click()
        assert "Slack post settings saved." in page.content()
        assert page.get_by_label("Slack incoming-webhook URL").input_value() == ""  # never echoed back
        assert "/…hook" in page.locator("main dl").inner_text() and receiver.url not in page.content()
        page.get_by_role("button", name="Send a test post now").click()
        assert "Slack accepted the test post" in page.content()
        _shoot(page, "slack-settings")
        assert b"test post" in receiver.requests[0][2]

        with app.app_context():
            assert community.enqueue_weekly(db.session, now=FRIDAY_16, portal_url=None)
            db.session.commit()
            assert deliver_outbox(db.session, FRIDAY_16) == 1
            db.session.commit()
        weekly = json.loads(receiver.requests[1][2])
        assert "1. Grace Hopper (Navy) — 700 points" in weekly["blocks"][1]["text"]["text"]
        page.goto(f"{base_url}/admin/outbox")
        assert "Slack" in page.locator("table").inner_text() and "Sent" in page.locator("table").inner_text()
        _shoot(page, "slack-outbox")
    assert [e for e in errors if "status of 422" not in e] == []  # the bad form answers 422 on purpose
