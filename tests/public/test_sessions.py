"""Session replay: once a session is ended (sign-out, password change, reset, an admin), a copied
session cookie or remember-me cookie no longer signs anyone in.

The app here runs without a test-wide app context, so that every request has its own (and its own
`g`, where Flask-Login keeps the current user), as in production."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import StaffRole
from app.services import clock
from app.services.people import password_resets
from app.services.people.sign_in import ThrottlePolicy
from tests.factories import PASSWORD, make_advocate, make_staff

NEW = "a brand new passphrase"
COOKIES = ("session", "remember_token")


@pytest.fixture
def web(app_factory):
    return app_factory()


def person(app, maker=make_advocate, **values):
    """A committed advocate (or staff user with maker=make_staff): (id, email)."""
    with app.app_context():
        made = maker(db.session, **values)
        db.session.commit()
        return made.id, made.email


@pytest.fixture
def advocate(web):
    return person(web)


def signed_in(app, email, remember=True):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           **({"remember": "y"} if remember else {})})
    assert response.status_code == 302
    return client


def stolen(client) -> dict:
    """The browser's cookies, as someone who copied them would have them."""
    found = {name: client.get_cookie(name) for name in COOKIES}
    return {name: cookie.value for name, cookie in found.items() if cookie is not None}


def replay(app, name, value, url="/portal/"):
    other = app.test_client()
    other.set_cookie(name, value)
    return other.get(url)


def assert_dead(app, cookies, url="/portal/"):
    for name, value in cookies.items():
        response = replay(app, name, value, url)
        assert response.status_code == 302, name
        assert response.headers["Location"].startswith("/login"), name


def test_copied_cookies_work_until_sign_out(web, advocate):
    browser = signed_in(web, advocate[1])
    cookies = stolen(browser)
    assert set(cookies) == set(COOKIES)
    for name, value in cookies.items():
        assert replay(web, name, value).status_code == 200, name
    browser.post("/logout")
    assert_dead(web, cookies)
    assert browser.get("/portal/").status_code == 302


def test_a_session_without_remember_me_has_no_remember_cookie_and_ends_at_sign_out(web, advocate):
    browser = signed_in(web, advocate[1], remember=False)
    cookies = stolen(browser)
    assert set(cookies) == {"session"}
    browser.post("/logout")
    assert_dead(web, cookies)


def test_signing_out_ends_only_that_browser(web, advocate):
    laptop, phone = signed_in(web, advocate[1]), signed_in(web, advocate[1])
    laptop.post("/logout")
    assert laptop.get("/portal/").status_code == 302
    assert phone.get("/portal/").status_code == 200


def test_a_password_change_ends_every_other_copy_and_keeps_this_browser(web, advocate):
    browser, phone = signed_in(web, advocate[1]), signed_in(web, advocate[1])
    cookies, phone_cookies = stolen(browser), stolen(phone)
    response = browser.post("/portal/account/password", data={
        "current_password": PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/portal/profile"
    assert_dead(web, cookies)
    assert_dead(web, phone_cookies)
    assert browser.get("/portal/").status_code == 200
    fresh = stolen(browser)
    assert set(fresh) == set(COOKIES) and fresh["remember_token"] != cookies["remember_token"]
    assert replay(web, "remember_token", fresh["remember_token"]).status_code == 200


def test_a_staff_password_change_ends_the_old_sessions_too(web):
    _, email = person(web, make_staff)
    browser = signed_in(web, email)
    cookies = stolen(browser)
    response = browser.post("/admin/account", data={"current_password": PASSWORD, "password": NEW,
                                                    "confirm": NEW})
    assert response.status_code == 302
    assert_dead(web, cookies, "/admin/")
    assert browser.get("/admin/").status_code == 200


def test_a_password_reset_ends_every_session(web, advocate):
    cookies = stolen(signed_in(web, advocate[1]))
    links = []
    with web.app_context():
        password_resets.request_reset(db.session, email=advocate[1], ip="10.0.0.1", now=clock.utcnow(),
                                      policy=ThrottlePolicy(5, 100, timedelta(minutes=15)),
                                      link_for=links.append)
        db.session.commit()
    response = web.test_client().post(f"/password/reset/{links[0]}", data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert_dead(web, cookies)


def admin_client(app, role=StaffRole.ADMIN):
    return signed_in(app, person(app, make_staff, role=role)[1], remember=False)


def test_an_admin_ends_all_sessions_of_an_advocate(web, advocate):
    cookies = [stolen(signed_in(web, advocate[1])) for _ in range(2)]
    admin = admin_client(web)
    response = admin.post(f"/admin/advocates/{advocate[0]}/sessions/end", data={"confirmed": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/advocates/{advocate[0]}"
    assert "Ended 2 sign-in sessions" in admin.get(response.headers["Location"]).get_data(as_text=True)
    for jar in cookies:
        assert_dead(web, jar)
    assert signed_in(web, advocate[1]).get("/portal/").status_code == 200


def test_an_admin_ends_all_sessions_of_a_staff_user(web):
    csm_id, csm_email = person(web, make_staff, role=StaffRole.CSM)
    cookies = stolen(signed_in(web, csm_email))
    admin = admin_client(web)
    response = admin.post(f"/admin/staff/{csm_id}/sessions/end",
                          data={"next": "/admin/advocates", "confirmed": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/advocates"
    assert_dead(web, cookies, "/admin/")
    offsite = admin.post(f"/admin/staff/{csm_id}/sessions/end",
                         data={"next": "https://evil.example", "confirmed": "yes"})
    assert offsite.headers["Location"] == "/admin/"


@pytest.mark.parametrize("role", [StaffRole.MARKETING, StaffRole.CSM])
def test_only_admins_end_sessions(web, advocate, role):
    cookies = stolen(signed_in(web, advocate[1]))
    staff = admin_client(web, role)
    assert staff.post(f"/admin/advocates/{advocate[0]}/sessions/end").status_code == 403
    assert staff.post(f"/admin/staff/{advocate[0]}/sessions/end").status_code == 403
    assert replay(web, "session", cookies["session"]).status_code == 200
    assert "End all sessions" not in staff.get(f"/admin/advocates/{advocate[0]}").get_data(as_text=True)
    page = admin_client(web).get(f"/admin/advocates/{advocate[0]}").get_data(as_text=True)
    assert "End all sessions" in page


def test_ending_sessions_asks_first_and_changes_nothing_until_confirmed(web, advocate):
    cookies = stolen(signed_in(web, advocate[1]))
    page = admin_client(web).post(f"/admin/advocates/{advocate[0]}/sessions/end")
    assert page.status_code == 200 and "out everywhere?" in page.get_data(as_text=True)
    assert replay(web, "session", cookies["session"]).status_code == 200


def test_ending_sessions_of_nobody_is_not_found(web):
    admin = admin_client(web)
    assert admin.post("/admin/staff/999999/sessions/end", data={"confirmed": "yes"}).status_code == 404
    assert admin.post("/admin/advocates/999999/sessions/end", data={"confirmed": "yes"}).status_code == 404


def test_a_session_ends_at_its_absolute_expiry(web, advocate, now):
    browser = signed_in(web, advocate[1], remember=False)
    cookies = stolen(browser)
    clock.freeze(now + timedelta(hours=11, minutes=59))
    assert browser.get("/portal/").status_code == 200
    clock.freeze(now + timedelta(hours=12))
    assert browser.get("/portal/").status_code == 302
    assert_dead(web, cookies)


def test_a_remembered_session_lasts_the_remember_duration(web, advocate, now):
    cookies = stolen(signed_in(web, advocate[1]))
    clock.freeze(now + timedelta(days=13))
    assert replay(web, "remember_token", cookies["remember_token"]).status_code == 200
    clock.freeze(now + timedelta(days=14))
    assert_dead(web, {"remember_token": cookies["remember_token"]})
