"""The staff user's own account page: linked in the navigation, changing the password."""

import pytest

from app.services.people import passwords
from tests.factories import PASSWORD

NEW = "a brand new passphrase"


@pytest.mark.parametrize("role", ["admin", "marketing", "csm"])
def test_every_staff_role_reaches_the_account_page_from_the_navigation(as_role, client, role):
    user = as_role(role)
    assert 'href="/admin/account"' in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/account").get_data(as_text=True)
    assert user.email in page and 'name="current_password"' in page


def test_staff_change_their_password(as_role, client, session):
    staff = as_role("csm")
    response = client.post("/admin/account", data={"current_password": PASSWORD, "password": NEW,
                                                   "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/account"
    assert "Your password is changed" in client.get("/admin/account").get_data(as_text=True)
    session.expire_all()
    assert passwords.verify_password(staff.password_hash, NEW)


def test_a_wrong_current_password_is_a_field_error(as_role, client, session):
    staff = as_role("marketing")
    response = client.post("/admin/account", data={"current_password": "nope nope nope", "password": NEW,
                                                   "confirm": NEW})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="current_password-error"' in page
    session.expire_all()
    assert passwords.verify_password(staff.password_hash, PASSWORD)


def test_advocates_cannot_use_it(as_role, client):
    as_role("advocate")
    assert client.get("/admin/account").status_code == 403
