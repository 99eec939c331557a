"""Badges in a real browser: an advocate promoted to Silver and then Gold, lowered back to Silver by
staff, finds the badges on the status page (desktop and phone), opens the verification page of the
live one and of the revoked one, and downloads the baked PNG. SHOTS_DIR=... keeps screenshots."""

import pytest

from app.extensions import db
from app.models import Status
from app.services import badges
from app.services.badges import baking
from app.services.points import status as status_service
from tests.browser.test_core_journey import keep_shot, sign_in_with_keyboard, watch_for_errors
from tests.factories import make_advocate, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        ada = make_advocate(db.session, name="Ada Lovelace", email="ada@analytical.example")
        staff = make_staff(db.session)
        moves = ((Status.SILVER, "Promotion"), (Status.GOLD, "Promotion"), (Status.SILVER, "Audit"))
        for to, reason in moves:
            status_service.set_status(db.session, advocate=ada, to=to, reason=reason, actor_id=staff.id,
                                      now=now)
        db.session.commit()
        held = {b.status: b.uid for b in badges.for_advocate(db.session, advocate_id=ada.id)}
    return base_url, held


@pytest.mark.parametrize("width", [1280, 375])
def test_the_advocate_sees_verifies_and_downloads_their_badges(browser, program, width):
    base_url, held = program
    page = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True).new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "ada@analytical.example")
    page.goto(f"{base_url}/portal/status")
    assert page.get_by_role("heading", name="Your badges").is_visible()
    assert page.get_by_text("Revoked").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    keep_shot(page, f"portal-status-{width}")
    page.locator(f'a[href="/badges/{held[Status.SILVER]}"]').click()
    assert page.get_by_text("Valid badge.").is_visible() and page.get_by_text("Ada Lovelace").is_visible()
    assert page.get_by_role("button", name="Add to LinkedIn profile").is_visible()
    assert "ada@analytical.example" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    keep_shot(page, f"badge-valid-{width}")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download badge (PNG)").click()
    with open(download.value.path(), "rb") as png:
        assert baking.baked_url(png.read()).endswith(f"/badges/assertions/{held[Status.SILVER]}")
    page.goto(f"{base_url}/badges/{held[Status.GOLD]}")
    assert page.get_by_text("This badge was revoked").is_visible()
    keep_shot(page, f"badge-revoked-{width}")
    assert errors == []
