"""The reference program in a real browser: marketing files a request, sees the ranked matches with
their reasons and asks the best; the advocate accepts in the portal (on a phone) and leaves feedback;
marketing records the call and the advocate sees the points. Set REFS_SHOTS=<folder> to keep
screenshots of every page at 1280 and 375 px."""

import os
from pathlib import Path

import pytest

from app.extensions import db
from app.models import ActivityKind, StaffRole, Status
from app.services import references
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import make_activity, make_advocate, make_staff

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("REFS_SHOTS")


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


def shoot_both(browser, context_page, name: str) -> None:
    """The page as it is now, also at the other width (same cookies)."""
    shoot(context_page, name)
    if SHOTS:
        other = 375 if context_page.viewport_size["width"] == 1280 else 1280
        context_page.set_viewport_size({"width": other, "height": 900})
        shoot(context_page, name)
        context_page.set_viewport_size({"width": 1280 if other == 375 else 375, "height": 900})


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        make_staff(db.session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        make_activity(db.session, key="reference_call", name="Reference call",
                      kind=ActivityKind.REFERENCE_CALL, points=400, cooldown_days=60,
                      min_status=Status.SILVER)
        ada = make_advocate(db.session, name="Ada Fit", email="ada@example.com", industry="Software",
                            company_size="51-200", region="EMEA", status=Status.SILVER)
        ben = make_advocate(db.session, name="Ben Partial", industry="Software", company_size="1000+",
                            region="APAC", status=Status.GOLD)
        make_advocate(db.session, name="Cleo Bronze", industry="Software", company_size="51-200",
                      region="EMEA")
        for advocate, tags in ((ada, ["sso"]), (ben, [])):
            references.set_profile(db.session, advocate_id=advocate.id, opted_in=True, use_cases=tags,
                                   now=now)
        db.session.commit()
    return base_url


def test_request_match_ask_accept_feedback_points(browser, program):
    base_url = program
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "mia@example.com")

    with page.expect_navigation():
        page.locator("header nav").get_by_role("link", name="References").click()
    shoot_both(browser, page, "admin-references-empty")
    with page.expect_navigation():
        page.get_by_role("button", name="File a reference request").click()
    page.get_by_label("Prospect company").fill("Northwind")
    page.get_by_label("Industry").fill("software")
    page.get_by_label("Company size").fill("51-200")
    page.get_by_label("Region").fill("EMEA")
    page.get_by_label("Use cases").fill("SSO, 50% off")
    with page.expect_navigation():
        page.get_by_role("button", name="File request").click()
    # The rule's error shows next to its field.
    assert "Use letters, digits and hyphens" in page.locator("#use_cases-error").inner_text()
    shoot_both(browser, page, "admin-reference-form-error")
    errors.remove("Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)")
    page.get_by_label("Use cases").fill("SSO")
    with page.expect_navigation():
        page.get_by_role("button", name="File request").click()

    rows = page.locator("#matches-heading + p + div tbody tr").all()
    names = [row.locator("td").nth(1).inner_text().split("\n")[0] for row in rows]
    assert names == ["Ada Fit", "Ben Partial"]
    assert "110" in rows[0].inner_text() and "Speaks to sso" in rows[0].inner_text()
    assert "Cleo Bronze" not in page.content()
    shoot_both(browser, page, "admin-reference-matches")
    with page.expect_navigation():
        page.get_by_role("button", name="Ask Ada Fit").click()
    assert "Asked Ada Fit" in page.locator("main").inner_text()
    assert "Offered" in page.locator("#chain-heading + ol").inner_text()

    phone = browser.new_context(viewport={"width": 375, "height": 812})
    mobile = phone.new_page()
    mobile_errors = watch_for_errors(mobile)
    sign_in_with_keyboard(mobile, base_url, "ada@example.com")
    mobile.goto(f"{base_url}/portal/references")
    assert "Northwind" in mobile.locator("main").inner_text()
    shoot_both(browser, mobile, "portal-references-offered")
    with mobile.expect_navigation():
        mobile.get_by_role("button", name="Accept the call").click()
    assert "Thank you" in mobile.locator("main").inner_text()
    mobile.get_by_label("How did the call go?").select_option(label="4 of 5")
    mobile.get_by_label("Anything we should know (optional)").fill("Good questions.")
    with mobile.expect_navigation():
        mobile.get_by_role("button", name="Send feedback on the call").click()
    assert "Your feedback: 4 of 5" in mobile.locator("main").inner_text()

    page.reload()
    page.get_by_label("How did the call go?").select_option(label="5 of 5")
    page.get_by_label("Salesperson's feedback").fill("Closed the evaluation.")
    with page.expect_navigation():
        page.get_by_role("button", name="The call took place (+400 points)").click()
    chain = page.locator("#chain-heading + ol").inner_text()
    assert "Completed" in chain and "Good questions." in chain and "Closed the evaluation." in chain
    shoot_both(browser, page, "admin-reference-completed")

    mobile.goto(f"{base_url}/portal/points")
    assert "400" in mobile.locator("main").inner_text()
    mobile.goto(f"{base_url}/portal/references")
    assert "+400 points" in mobile.locator("main").inner_text()
    shoot_both(browser, mobile, "portal-references-done")
    page.goto(f"{base_url}/admin/references")
    shoot_both(browser, page, "admin-references-list")
    assert errors == [] and mobile_errors == []
    desk.close()
    phone.close()
