"""The advocate's own password change from the profile."""

import pytest

from app.services.people import passwords
from tests.factories import PASSWORD

NEW = "a brand new passphrase"
URL = "/portal/account/password"


def test_the_profile_links_to_the_password_page(portal):
    assert f'href="{URL}"' in portal.get("/portal/profile").get_data(as_text=True)
    page = portal.get(URL).get_data(as_text=True)
    assert 'name="current_password"' in page and 'autocomplete="new-password"' in page


def test_a_change_needs_the_current_password_and_says_it_is_done(portal, session, advocate):
    response = portal.post(URL, data={"current_password": PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/portal/profile"
    assert "Your password is changed" in portal.get("/portal/profile").get_data(as_text=True)
    session.expire_all()
    assert passwords.verify_password(advocate.password_hash, NEW)


@pytest.mark.parametrize(("current", "new", "confirm", "field", "message"), [
    ("wrong guess here", NEW, NEW, "current_password", "not your current password"),
    ("", NEW, NEW, "current_password", "Enter your current password"),
    (PASSWORD, "short", "short", "password", "12 characters"),
    (PASSWORD, NEW, "something else", "confirm", "differ"),
    (PASSWORD, PASSWORD, PASSWORD, "password", "different"),
])
def test_a_refused_change_shows_the_error_next_to_its_field(portal, session, advocate, current, new, confirm,
                                                            field, message):
    response = portal.post(URL, data={"current_password": current, "password": new, "confirm": confirm})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="{field}-error"' in page and message in page
    session.expire_all()
    assert passwords.verify_password(advocate.password_hash, PASSWORD)


def test_guessing_the_current_password_is_throttled_with_a_retry_time(portal):
    for _ in range(5):
        assert portal.post(URL, data={"current_password": "wrong guess here", "password": NEW,
                                      "confirm": NEW}).status_code == 200
    response = portal.post(URL, data={"current_password": PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 429 and response.headers["Retry-After"] == str(15 * 60)
    page = response.get_data(as_text=True)
    assert 'id="current_password-error"' in page and "Try again in 15 minutes" in page
