"""The referral loop in a real browser: a friend opens an advocate's link on a phone and signs up,
sees the discount code; marketing qualifies and converts the referral with a deal amount; the
referrer signs in and sees the points and the funnel."""

import re

import pytest

from app.extensions import db
from app.models import StaffRole
from app.services import referrals
from tests.browser.test_core_journey import open_menu, sign_in_with_keyboard, watch_for_errors
from tests.factories import make_advocate, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        rita = make_advocate(db.session, name="Rita Alvarez", email="rita@acme-corp.com", company="Acme Corp")
        code = referrals.get_or_create_code(db.session, advocate_id=rita.id, now=now).code
        make_staff(db.session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        db.session.commit()
    return base_url, code


def test_friend_signs_up_marketing_converts_referrer_sees_points_and_funnel(browser, program):
    base_url, code = program
    phone = browser.new_context(viewport={"width": 375, "height": 740})
    friend = phone.new_page()
    friend_errors = watch_for_errors(friend)
    friend.goto(f"{base_url}/r/{code}")
    assert friend.get_by_role("heading", name=re.compile("Rita from Acme Corp")).is_visible()
    assert "rita@acme-corp.com" not in friend.content()
    assert friend.evaluate("document.documentElement.scrollWidth") <= 375
    friend.get_by_label("Your name").fill("Fran Friend")
    friend.get_by_label("Work email").fill("fran@otherco.com")
    friend.get_by_label("Company").fill("Other Co")
    with friend.expect_navigation():
        friend.get_by_role("button", name="Get my discount code").click()
    discount = friend.locator(".discount-code").inner_text()
    assert re.fullmatch(r"FRIEND-[0-9A-F]{10}", discount)
    assert friend.get_by_text("15% off your first year").first.is_visible()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    staff_errors = watch_for_errors(staff)
    sign_in_with_keyboard(staff, base_url, "mia@example.com")
    staff.goto(f"{base_url}/admin/referrals")
    with staff.expect_navigation():
        staff.get_by_role("link", name="Fran Friend").click()
    with staff.expect_navigation():
        staff.get_by_role("button", name=re.compile("Qualify")).click()
    assert staff.get_by_text("Qualified: the referrer gets 400 points.").is_visible()
    staff.get_by_label("Deal amount (whole currency units)").fill("24000")
    with staff.expect_navigation():
        staff.get_by_role("button", name=re.compile("Convert")).click()
    assert staff.get_by_text("Converted: the referrer gets 1,000 points.").is_visible()

    referrer = phone.new_page()
    referrer_errors = watch_for_errors(referrer)
    phone.clear_cookies()
    sign_in_with_keyboard(referrer, base_url, "rita@acme-corp.com")
    open_menu(referrer)
    with referrer.expect_navigation():
        referrer.get_by_role("link", name="Refer a friend").click()
    body = referrer.locator("main").inner_text()
    assert "Fran Friend" in body and "Converted" in body and "24,000" in body
    assert referrer.locator("#referral-link").input_value() == f"{base_url}/r/{code}"
    referrer.get_by_role("button", name="Copy link").click()
    # The status text appears after the clipboard call settles: wait for it (up to 5 s), do not poll once.
    referrer.get_by_text(re.compile("Copied to the clipboard|Select the text")).wait_for(state="visible",
                                                                                          timeout=5000)
    referrer.goto(f"{base_url}/portal/points")
    assert "1,400" in referrer.locator("main").inner_text()

    assert friend_errors == [] and staff_errors == [] and referrer_errors == []
    phone.close()
    desk.close()
