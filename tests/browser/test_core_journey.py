"""The core loop in a real browser: an advocate signs in (keyboard only, on a phone-sized
screen), is shown the review mission that leads to Silver, starts and submits it; marketing
approves it; the advocate sees the points and the promotion to Silver."""

import os
import re

import pytest

from app.extensions import db
from app.models import ActivityKind, LedgerReason, StaffRole
from app.services.points import ledger
from tests.factories import PASSWORD, make_activity, make_advocate, make_mission, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        advocate = make_advocate(db.session, name="Dana Reyes", email="dana@example.com")
        ledger.post_entry(db.session, advocate_id=advocate.id, amount=900, reason=LedgerReason.BONUS,
                          idempotency_key="bonus:welcome", now=now, note="Welcome bonus")
        make_staff(db.session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        review = make_activity(db.session, name="Review on a review site", kind=ActivityKind.REVIEW,
                               points=400)
        make_mission(db.session, title="Review us on G2", activity=review)
        db.session.commit()
    return base_url


def watch_for_errors(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    return problems


def keep_shot(page, name: str) -> None:
    """With SHOTS_DIR set, keep a full-page screenshot of the page as it is now (for looking at it)."""
    if folder := os.environ.get("SHOTS_DIR"):
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def open_menu(page) -> None:
    """On a phone the navigation folds behind the Menu button: unfold it (nothing on a wide screen)."""
    toggle = page.locator(".nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()


def sign_in_with_keyboard(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.locator("input[name=email]").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_advocate_submits_marketing_approves_advocate_sees_points_and_promotion(browser, program):
    base_url = program
    phone = browser.new_context(viewport={"width": 375, "height": 812})
    advocate_page = phone.new_page()
    advocate_errors = watch_for_errors(advocate_page)

    sign_in_with_keyboard(advocate_page, base_url, "dana@example.com")
    assert advocate_page.url.endswith("/portal/")
    # The status card names the mission that meets Silver's review-or-testimonial requirement.
    way = advocate_page.locator(".status-card .req-way")
    assert way.get_by_role("link", name="Review us on G2").is_visible()
    with advocate_page.expect_navigation():
        advocate_page.get_by_role("link", name=re.compile("Review us on G2")).first.click()
    with advocate_page.expect_navigation():
        advocate_page.get_by_role("button", name="Start this mission").click()
    advocate_page.locator("input[name=link]").fill("https://www.g2.com/reviews/dana-reyes")
    with advocate_page.expect_navigation():
        advocate_page.get_by_role("button", name="Submit").click()
    assert advocate_page.get_by_text(re.compile("submitted", re.I)).first.is_visible()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff_page = desk.new_page()
    staff_errors = watch_for_errors(staff_page)
    sign_in_with_keyboard(staff_page, base_url, "mia@example.com")
    staff_page.goto(f"{base_url}/admin/approvals")
    assert staff_page.get_by_text("Dana Reyes").first.is_visible()
    assert staff_page.get_by_text("https://www.g2.com/reviews/dana-reyes").first.is_visible()
    staff_page.get_by_role("button", name="Approve", exact=True).first.click()  # decided in place
    staff_page.get_by_text("Approved · +400 points").wait_for()

    advocate_page.goto(f"{base_url}/portal/")
    body = advocate_page.locator("main").inner_text()
    assert "1,300" in body
    assert "Silver" in body
    advocate_page.goto(f"{base_url}/portal/notifications")
    assert advocate_page.get_by_text("You reached Silver!").first.is_visible()
    advocate_page.goto(f"{base_url}/portal/points")
    assert advocate_page.get_by_text("+400").first.is_visible()

    assert advocate_errors == [] and staff_errors == []
    phone.close()
    desk.close()
