"""The content library in a real browser: marketing approves a testimonial, the advocate allows the
website use in My content, marketing publishes it, and it appears in the community feed embed on an
allowed site; when the advocate withdraws, it is gone from the embed on the next load."""

import re

import pytest
from flask import current_app

from app.extensions import db
from app.models import ActivityKind, Evidence, StaffRole
from app.services import clock, missions
from app.services.community import embeds
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.browser.test_embed_journey import ALLOWED, EMBED_HOST, _framed_text
from tests.browser.test_feed_embed_journey import _feed_site
from tests.factories import make_activity, make_advocate, make_mission, make_staff

pytestmark = pytest.mark.browser
WORDS = "Rallypoint turned our happiest customers into our best salespeople."


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        advocate = make_advocate(db.session, name="Dana Reyes", company="Brightlane",
                                 email="dana@example.com")
        make_staff(db.session, role=StaffRole.MARKETING, email="mia@example.com", name="Mia Marketing")
        quote = make_activity(db.session, name="Testimonial quote", kind=ActivityKind.TESTIMONIAL,
                              evidence=Evidence.TEXT)
        mission = make_mission(db.session, title="Share a testimonial", activity=quote)
        attempt = missions.start_mission(db.session, advocate=advocate, mission_id=mission.id, now=now)
        missions.submit_attempt(db.session, advocate=advocate, attempt_id=attempt.id,
                                evidence=missions.EvidenceInput(text=WORDS), now=now)
        embed = embeds.create_embed(db.session, spec=embeds.EmbedSpec(
            name="Feed", period="week", what="feed", origins=(ALLOWED,)), created_by=None, now=clock.utcnow())
        db.session.commit()
        path = f"/embed/{embeds.token_for(embed, secret=current_app.config['SECRET_KEY'])}"
    return base_url, path


def _embed_text(browser, base_url: str, path: str) -> str:
    context = browser.new_context()
    context.route(f"{ALLOWED}/**", lambda route: route.fulfill(content_type="text/html",
                                                               body=_feed_site(EMBED_HOST + path)))
    context.route(f"{EMBED_HOST}/**", lambda route: route.fulfill(
        response=route.fetch(url=route.request.url.replace(EMBED_HOST, base_url))))
    page = context.new_page()
    page.goto(f"{ALLOWED}/page")
    page.wait_for_function("document.getElementById('json').textContent !== 'pending'")
    text = _framed_text(page) + " " + page.locator("#json").inner_text()
    context.close()
    return text


def test_approve_consent_publish_then_it_appears_in_the_embed_and_withdrawal_removes_it(browser, program):
    base_url, path = program
    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_errors = watch_for_errors(staff_page)
    sign_in_with_keyboard(staff_page, base_url, "mia@example.com")
    staff_page.goto(f"{base_url}/admin/approvals")
    staff_page.get_by_role("button", name="Approve", exact=True).first.click()
    staff_page.get_by_text("Approved · +").wait_for()  # the queue confirms in place

    staff_page.goto(f"{base_url}/admin/content")
    with staff_page.expect_navigation():
        staff_page.get_by_role("link", name="Share a testimonial").click()
    assert staff_page.get_by_text("has not agreed to the website use").is_visible()
    assert staff_page.get_by_role("button", name="Publish to the feed").count() == 0

    phone = browser.new_context(viewport={"width": 375, "height": 812})
    advocate_page = phone.new_page()
    advocate_errors = watch_for_errors(advocate_page)
    sign_in_with_keyboard(advocate_page, base_url, "dana@example.com")
    advocate_page.goto(f"{base_url}/portal/content")
    with advocate_page.expect_navigation():
        advocate_page.get_by_role("link", name="Share a testimonial").click()
    with advocate_page.expect_navigation():
        advocate_page.get_by_role("button", name="Allow Website and community feed").click()
    assert advocate_page.get_by_text(re.compile("we may use it for website")).is_visible()

    staff_page.reload()
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Publish to the feed").click()
    assert staff_page.get_by_text("Published").first.is_visible()
    shown = _embed_text(browser, base_url, path)
    assert "Dana Reyes" in shown and WORDS in shown

    with advocate_page.expect_navigation():
        advocate_page.get_by_role("button", name="Withdraw Website and community feed").click()
    assert advocate_page.get_by_text(re.compile("no longer use it")).is_visible()
    gone = _embed_text(browser, base_url, path)
    assert WORDS not in gone
    assert staff_errors == [] and advocate_errors == []
