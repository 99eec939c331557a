"""Sign-in, sign-out and invitation acceptance through the test client."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AdvocateState, LoginThrottle
from app.security import invite_token
from app.services import clock
from app.services.people import accounts, throttle
from tests.factories import PASSWORD, make_advocate, make_staff

NEW_PASSWORD = "a long enough passphrase"


def _login(client, email, password=PASSWORD, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


@pytest.fixture
def advocate(session):
    person = make_advocate(session)
    session.commit()
    return person


def test_the_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200 and b'name="email"' in response.data


def test_an_advocate_signs_in_to_the_portal(client, advocate):
    response = _login(client, advocate.email)
    assert response.status_code == 302 and response.headers["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_staff_sign_in_to_the_staff_area(client, session):
    staff = make_staff(session)
    session.commit()
    assert _login(client, staff.email).headers["Location"] == "/admin/"


def test_a_wrong_password_shows_the_error_next_to_the_field(client, session, advocate):
    response = _login(client, advocate.email, "not the password")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert 'id="password-error"' in page and "do not match" in page
    assert session.scalar(select(LoginThrottle.count).where(
        LoginThrottle.key == throttle.key("sign-in", advocate.email, "127.0.0.1"))) == 1


def test_a_malformed_email_signs_nobody_in(client):
    response = _login(client, "not-an-email")
    assert response.status_code == 401 and "do not match" in response.get_data(as_text=True)


def test_a_missing_email_is_a_field_error(client):
    response = _login(client, "")
    assert response.status_code == 200 and 'id="email-error"' in response.get_data(as_text=True)


def test_five_failures_throttle_the_sixth_attempt_and_say_when_to_try_again(client, advocate):
    for _ in range(5):
        assert _login(client, advocate.email, "not the password").status_code == 401
    response = _login(client, advocate.email)
    assert response.status_code == 429 and response.headers["Retry-After"] == str(15 * 60)
    assert "Too many sign-in attempts. Try again in 15 minutes." in response.get_data(as_text=True)


def test_the_owner_signs_in_from_another_address_during_a_strangers_guessing(app, advocate):
    stranger, owner = app.test_client(), app.test_client()
    for _ in range(6):
        stranger.post("/login", data={"email": advocate.email, "password": "guess"},
                      environ_base={"REMOTE_ADDR": "203.0.113.9"})
    refused = stranger.post("/login", data={"email": advocate.email, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert refused.status_code == 429
    response = owner.post("/login", data={"email": advocate.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 302 and response.headers["Location"] == "/portal/"


@pytest.mark.parametrize("next_url", ["/portal/?tab=1", "/portal/"])
def test_a_relative_next_is_honoured(client, advocate, next_url):
    assert _login(client, advocate.email, next_url=next_url).headers["Location"] == next_url


@pytest.mark.parametrize("next_url", ["//evil.com", "https://evil.com", "/\\evil.com", "http:/evil.com",
                                      "javascript:alert(1)", "%2F%2Fevil.com"])
def test_an_offsite_next_is_ignored(client, advocate, next_url):
    assert _login(client, advocate.email, next_url=next_url).headers["Location"] == "/portal/"


def test_logout_is_post_only(client, advocate):
    _login(client, advocate.email)
    assert client.get("/logout").status_code == 405
    assert client.get("/portal/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/portal/").status_code == 302


def _invite(session, now, **overrides):
    inv = accounts.invite_advocate(session, profile=accounts.AdvocateProfile(name="Ivy New",
                                                                             email="ivy@example.com"),
                                   invited_by=None, now=now, valid_days=14)
    for key, value in overrides.items():
        setattr(inv, key, value)
    session.commit()
    return inv, f"/invite/{invite_token(inv)}"


def test_a_valid_invitation_sets_the_password_and_signs_in(client, session, now):
    inv, url = _invite(session, now)
    assert b"Ivy New" in client.get(url).data
    response = client.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/portal/"
    session.refresh(inv)
    assert inv.accepted_at == now and inv.advocate.state == AdvocateState.ACTIVE
    assert client.get("/portal/").status_code == 200


@pytest.mark.parametrize(("problem", "status", "message"), [
    ("expired", 409, "expired"),
    ("used", 409, "already been used"),
    ("revoked", 409, "expired"),
    ("tampered", 404, "not valid"),
])
def test_a_bad_invitation_link_shows_a_clear_page_and_changes_nothing(client, session, now, problem, status,
                                                                     message):
    overrides = {"expired": {"expires_at": now - timedelta(minutes=1)}, "used": {"accepted_at": now},
                 "revoked": {"revoked_at": now}, "tampered": {}}[problem]
    inv, url = _invite(session, now, **overrides)
    if problem == "tampered":
        url = url[:-2] + ("AA" if not url.endswith("AA") else "BB")
    for response in (client.get(url), client.post(url, data={"password": NEW_PASSWORD,
                                                               "confirm": NEW_PASSWORD})):
        assert response.status_code == status and message in response.get_data(as_text=True)
    session.refresh(inv.advocate)
    assert inv.advocate.password_hash is None and inv.advocate.state == AdvocateState.INVITED


def test_an_old_signed_link_expires_even_if_the_invite_row_does_not(client, session, now):
    _, url = _invite(session, now)
    clock.freeze(now + timedelta(days=400))
    assert client.get(url).status_code in (404, 409)


@pytest.mark.parametrize(("password", "confirm", "field", "message"), [
    ("short", "short", "password", "12"),
    (NEW_PASSWORD, "something else entirely", "confirm", "differ"),
    ("password1234", "password1234", "password", "less guessable"),
])
def test_a_weak_or_mismatched_password_is_a_field_error(client, session, now, password, confirm, field,
                                                        message):
    inv, url = _invite(session, now)
    response = client.post(url, data={"password": password, "confirm": confirm})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="{field}-error"' in page and message in page
    session.refresh(inv)
    assert inv.accepted_at is None and inv.advocate.state == AdvocateState.INVITED
