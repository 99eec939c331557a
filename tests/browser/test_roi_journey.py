"""Attribution in a real browser: the CRM reports a won deal touched by two references and a review
over HTTP; marketing opens the figures and reads the revenue once, the cost kept at redemption, and
the ROI as a ratio whose formula appears when it takes the keyboard focus, on a desk and on a phone."""

import pytest

from app.extensions import db
from app.models import ApiScope, RewardKind, StaffRole, Status
from app.services import rewards
from app.services.api import keys as api_keys
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import fund, make_advocate, make_reward, make_staff
from tests.services.attribution.support import content_item, reference_request

pytestmark = pytest.mark.browser


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        session = db.session
        first, second = reference_request(session, now), reference_request(session, now)
        review = content_item(session, at=now)
        admin = make_staff(session, role=StaffRole.ADMIN)
        make_staff(session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        secret = api_keys.create_key(session, name="CRM", scope=ApiScope.WRITE, created_by=admin,
                                     now=now).secret
        advocate = make_advocate(session, status=Status.GOLD)
        fund(session, advocate, 500)
        reward = make_reward(session, points_cost=100, requires_approval=False, unit_cost_cents=100_000,
                             kind=RewardKind.GIFT_CARD)
        made = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="roi-1", now=now)
        rewards.fulfil(session, staff=admin, redemption_id=made.id, now=now)
        db.session.commit()
        ids = {"references": [first.id, second.id], "content": [review.id]}
    return base_url, secret, ids, now


def test_the_crm_reports_a_deal_and_marketing_reads_the_roi(browser, program):
    base_url, secret, ids, now = program
    crm = browser.new_context(extra_http_headers={"Authorization": f"Bearer {secret}"})
    answer = crm.request.post(f"{base_url}/api/v1/opportunities",
                              data={"id": "006-NW", "amount": 40_000, "currency": "USD", "stage": "won",
                                    "close_date": now.date().isoformat(), **ids})
    assert answer.status == 201, answer.text()
    refused = crm.request.post(f"{base_url}/api/v1/opportunities",
                               data={"id": "006-EU", "amount": 1, "currency": "EUR", "stage": "open"})
    assert refused.status == 422 and refused.json()["error"]["field"] == "currency"

    for width in (1280, 375):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        errors = watch_for_errors(page)
        sign_in_with_keyboard(page, base_url, "mia@example.com")
        page.goto(f"{base_url}/admin/figures")
        block = page.locator("section.attribution")
        assert "USD 40,000.00" in block.inner_text()  # influenced once, though three things touched it
        assert "USD 1,000.00" in block.inner_text()  # the reward's cost when redeemed
        ratio = block.locator(".formula")
        assert ratio.inner_text() == "9.0 : 1"  # (0 + 25 % of 40,000 − 1,000) ÷ 1,000
        formula = block.locator("#roi-formula")
        assert not formula.is_visible()
        ratio.focus()
        assert formula.is_visible() and "(USD 0.00 + USD 10,000.00 − USD 1,000.00) ÷ USD 1,000.00" in (
            formula.inner_text())
        assert "ROI = (referral-sourced revenue" in ratio.get_attribute("title")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
