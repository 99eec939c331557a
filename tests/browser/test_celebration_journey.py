"""Celebrations in a real browser: an approved mission is announced once on the next page (a polite
status region) with an animation, which is off when the visitor prefers reduced motion.
SHOTS_DIR=... keeps screenshots."""

import pytest

from app.extensions import db
from app.services import missions
from tests.browser.test_core_journey import keep_shot, sign_in_with_keyboard, watch_for_errors
from tests.factories import make_advocate, make_mission, make_staff, make_submitted_attempt

pytestmark = pytest.mark.browser


@pytest.fixture
def approved(live_server, now):
    app, base_url = live_server
    with app.app_context():
        ada = make_advocate(db.session, name="Ada Lovelace", email="ada@analytical.example")
        attempt = make_submitted_attempt(db.session, advocate=ada,
                                         mission=make_mission(db.session, title="Write a G2 review"))
        missions.approve_attempt(db.session, staff=make_staff(db.session), attempt_id=attempt.id, now=now)
        db.session.commit()
    return base_url


@pytest.mark.parametrize(("width", "motion"), [(1280, "no-preference"), (375, "reduce")])
def test_the_celebration_is_announced_and_respects_reduced_motion(browser, approved, width, motion):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.emulate_media(reduced_motion=motion)
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, approved, "ada@analytical.example")
    region = page.get_by_role("status").filter(has_text="for Write a G2 review")
    assert region.is_visible() and region.get_attribute("aria-live") == "polite"
    animation = region.evaluate("el => getComputedStyle(el).animationName")
    assert animation == ("none" if motion == "reduce" else "celebrate-in")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    keep_shot(page, f"celebration-{width}-{motion}")
    page.goto(f"{approved}/portal/missions")
    page.goto(f"{approved}/portal/")
    assert page.locator(".celebration").count() == 0  # shown once, never again
    assert errors == []
