"""The navigation on a phone folds behind a Menu button (keyboard and screen reader state included);
on a wide screen the links stay in view and the button does not show."""

import pytest

from app.extensions import db
from tests.browser.test_core_journey import sign_in_with_keyboard, watch_for_errors
from tests.factories import make_advocate, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server):
    app, base_url = live_server
    with app.app_context():
        make_advocate(db.session, name="Ada Lovelace", email="ada@analytical.example")
        make_staff(db.session, email="pat@rallypoint.test")
        db.session.commit()
    return base_url


@pytest.mark.parametrize("email", ["ada@analytical.example", "pat@rallypoint.test"])
def test_the_phone_menu_opens_and_closes_with_the_keyboard(browser, people, email):
    page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    errors = watch_for_errors(page)
    sign_in_with_keyboard(page, people, email)
    toggle = page.get_by_role("button", name="Menu")
    sign_out = page.get_by_role("button", name="Sign out")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not sign_out.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and sign_out.is_visible()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not sign_out.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    assert errors == []


def test_a_wide_screen_shows_the_links_and_no_menu_button(browser, people):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in_with_keyboard(page, people, "ada@analytical.example")
    assert page.get_by_role("link", name="Missions").first.is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()
