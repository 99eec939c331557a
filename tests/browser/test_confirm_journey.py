"""Asking first, in a real browser: revoking an API key opens a native dialog (focus inside, Escape and
Cancel change nothing, Confirm revokes), and the mission audience picker updates its count live as
values are chosen and an advocate is named through the search."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import ApiKey, ApiScope, StaffRole, Status
from app.services.api import keys as api_keys
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import make_activity, make_advocate, make_mission, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def program(live_server, now):
    app, base_url = live_server
    with app.app_context():
        admin = make_staff(db.session, role=StaffRole.ADMIN, email="ada@example.com", name="Ada Admin")
        api_keys.create_key(db.session, name="CRM sync", scope=ApiScope.READ, created_by=admin, now=now)
        activity = make_activity(db.session, name="G2 review")
        make_mission(db.session, title="Review us on G2", activity=activity,
                     closes_at=now + timedelta(days=60))
        make_advocate(db.session, name="Erin Emea", region="EMEA", industry="Software", tags=["beta"])
        make_advocate(db.session, name="Eli Emea", region="EMEA", industry="Retail", tags=[])
        make_advocate(db.session, name="Nora North", region="North America", industry="Software",
                      company="Northwind", email="nora@northwind.example", status=Status.GOLD)
        db.session.commit()
    return app, base_url


def _key_revoked(app) -> bool:
    with app.app_context():
        return db.session.query(ApiKey).one().revoked_at is not None


def test_revoking_a_key_asks_in_a_dialog_and_cancel_changes_nothing(browser, program):
    app, base_url = program
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "ada@example.com")
    page.goto(f"{base_url}/admin/api-keys")

    revoke = page.get_by_role("button", name="Revoke CRM sync")
    revoke.click()
    dialog = page.get_by_role("dialog", name="Revoke the API key “CRM sync”?")
    assert dialog.is_visible()
    assert "cannot be turned back on" in dialog.inner_text()
    assert page.evaluate("document.activeElement.textContent") == "Cancel"  # the safe choice first
    dialog.get_by_role("button", name="Cancel").click()
    assert not dialog.is_visible() and not _key_revoked(app)
    assert page.evaluate("document.activeElement.textContent").startswith("Revoke")  # back on the button

    revoke.click()
    page.keyboard.press("Escape")
    assert not dialog.is_visible() and not _key_revoked(app)

    revoke.click()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Revoke key").click()
    assert "revoked; it no longer works" in page.inner_text("main")
    assert _key_revoked(app)
    assert errors == []


def test_without_javascript_revoking_shows_the_confirmation_page_first(browser, program):
    app, base_url = program
    page = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False).new_page()
    sign_in_with_keyboard(page, base_url, "ada@example.com")
    page.goto(f"{base_url}/admin/api-keys")
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke CRM sync").click()
    assert page.get_by_role("heading", name="Revoke the API key “CRM sync”?").is_visible()
    assert not _key_revoked(app)
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke key").click()
    assert _key_revoked(app)


def test_building_an_audience_updates_the_count_live(browser, program):
    app, base_url = program
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, base_url, "ada@example.com")
    page.goto(f"{base_url}/admin/missions/new")
    count = page.locator("#audience-count")
    assert count.inner_text().startswith("3 advocates match")

    page.get_by_label("EMEA (2)").check()
    expect(count).to_have_text(re.compile(r"^2 advocates"))
    page.get_by_label("beta (1)").check()
    expect(count).to_have_text(re.compile(r"^1 advocate "))
    page.get_by_label("Minimum status").select_option("gold")
    expect(count).to_have_text(re.compile(r"^No advocate"))

    page.get_by_label("Find an advocate to name").fill("northw")
    page.get_by_role("button", name="Add Nora North").click()
    assert "nora@northwind.example" in page.get_by_label("Named advocates (emails)").input_value()
    expect(count).to_have_text(re.compile(r"^1 advocate "))
    assert re.search(r"Northwind", page.locator("#advocate-search-results").inner_text())
    assert errors == []
