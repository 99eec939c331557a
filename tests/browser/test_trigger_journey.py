"""Trigger events in a real browser: marketing records an NPS 10 by hand, sees the bad score refused
next to its field, then the outcome (sent, for the newest review mission), the event in the list and
on the advocate's page; the advocate finds the mission in their notifications."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import ActivityKind, StaffRole
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import make_activity, make_advocate, make_mission, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        make_staff(db.session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        review = make_activity(db.session, name="G2 review", kind=ActivityKind.REVIEW)
        make_mission(db.session, title="Older review mission", activity=review,
                     opens_at=now - timedelta(days=40))
        make_mission(db.session, title="Review us on G2", activity=review, opens_at=now - timedelta(days=2),
                     closes_at=now + timedelta(days=90))
        make_advocate(db.session, name="Maya Thompson", email="maya@example.com", nps=None)
        db.session.commit()
    return base_url


def test_marketing_records_an_nps_event_and_sees_the_ask_it_made(browser, program):
    base_url = program
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "mia@example.com")

    page.locator("header summary", has_text="Program").click()  # Events is in the Program menu
    with page.expect_navigation():
        page.get_by_role("link", name="Events", exact=True).click()
    assert "No trigger events yet" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Record an event").click()

    page.locator("#advocate").fill("maya@example.com")
    page.locator("#event_type").select_option(label="NPS submitted")
    page.get_by_label("NPS score (0–10)", exact=True).fill("11")
    with page.expect_navigation():
        page.get_by_role("button", name="Record event").click()
    assert "from 0 to 10" in page.locator("#score-error").inner_text()
    assert page.locator("#advocate").input_value() == "maya@example.com"

    page.get_by_label("NPS score (0–10)", exact=True).fill("10")
    with page.expect_navigation():
        page.get_by_role("button", name="Record event").click()
    assert "/admin/events/" in page.url
    outcome = page.locator("#outcome").inner_text()
    assert "Sent" in outcome and "Asked for “Review us on G2”: sent." in outcome
    assert "NPS score 9–10 → Review" in page.locator("main").inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name="Trigger events").click()
    row = page.locator("tbody tr").first.inner_text()
    assert "Maya Thompson" in row and "score 10" in row and "Sent" in row and "Review us on G2" in row
    with page.expect_navigation():
        page.get_by_role("link", name="Maya Thompson").click()
    assert "NPS · health\n10" in page.locator("dl.profile").inner_text()
    events = page.locator("section[aria-labelledby=events-h]").inner_text()
    assert "Asked for “Review us on G2”: sent." in events
    assert errors == []
    desk.close()

    portal = browser.new_context(viewport={"width": 375, "height": 800})
    phone = portal.new_page()
    sign_in_with_keyboard(phone, base_url, "maya@example.com")
    phone.goto(f"{base_url}/portal/notifications")
    assert "New mission for you: Review us on G2" in phone.locator("main").inner_text()
    portal.close()
