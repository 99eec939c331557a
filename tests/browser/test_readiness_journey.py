"""Readiness in a real browser: marketing opens an advocate from the list on a phone-sized screen,
reads why they score what they do (the table fits the screen), sees that the stored score is out
of date, presses Rescore now and sees the new score; then opens Qualified from the Program menu
with the keyboard and refreshes every score."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import CustomerSignal, StaffRole
from app.services.customers import readiness
from tests.browser.test_core_journey import open_menu, sign_in_with_keyboard, watch_for_errors
from tests.factories import make_advocate, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        make_staff(db.session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        ada = make_advocate(db.session, name="Ada Ready", nps=9, health_score=75,
                            customer_since=date(2025, 6, 15))
        db.session.add(CustomerSignal(advocate_id=ada.id, purchase_count=3,
                                      last_purchase_on=now.date() - timedelta(40), usage_depth=82,
                                      referrals_made=1, social_mentions=2, recovered=True,
                                      last_active_on=now.date() - timedelta(3), updated_at=now))
        db.session.flush()
        readiness.score_customers(db.session, now=now)  # 77
        db.session.get(CustomerSignal, ada.id).usage_depth = 2  # the CRM says usage fell: 65 now
        db.session.commit()
    return base_url


def test_marketing_reads_why_and_rescores_on_a_phone(browser, program):
    base_url = program
    phone = browser.new_context(viewport={"width": 375, "height": 812})
    page = phone.new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "mia@example.com")

    page.goto(f"{base_url}/admin/advocates")
    with page.expect_navigation():
        page.get_by_role("link", name="Ada Ready").click()
    readiness_section = page.locator("section#readiness")
    assert page.locator("#readiness-score").inner_text() == "77"
    assert page.locator("#readiness-total").inner_text() == "65"
    assert "out of date" in readiness_section.inner_text()
    rows = {row.locator("th").inner_text().split("\n")[0]: row.locator("td").all_inner_texts()
            for row in readiness_section.locator("table.score-parts tbody tr").all()}
    assert rows["NPS"] == ["90 %", "20", "18"] and rows["Usage depth"] == ["2 %", "15", "0"]
    assert "Eligible: all four conditions are met." in readiness_section.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing sticks out sideways

    with page.expect_navigation():
        page.get_by_role("button", name="Rescore now").click()
    assert "Rescored: score 77 → 65" in page.locator(".flash-success").inner_text()
    assert page.locator("#readiness-score").inner_text() == "65"
    assert "out of date" not in page.locator("section#readiness").inner_text()

    open_menu(page)
    program_menu = page.locator("header summary", has_text="Program")
    program_menu.focus()
    page.keyboard.press("Enter")
    assert page.locator("#nav-program").evaluate("menu => menu.open")
    page.keyboard.press("Escape")
    assert not page.locator("#nav-program").evaluate("menu => menu.open")
    page.keyboard.press("Enter")
    with page.expect_navigation():
        page.get_by_role("link", name="Qualified").click()
    assert page.locator('#nav-program a[aria-current="page"]').text_content() == "Qualified"
    with page.expect_navigation():
        page.get_by_role("button", name="Refresh scores now").click()
    assert "Scores refreshed in" in page.locator(".flash-success").inner_text()

    assert errors == []
    phone.close()
