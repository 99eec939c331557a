"""Forgotten passwords through the test client: the same answer for any email, the emailed link,
setting the new password, and clear pages for links that cannot be used."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import OutboxMessage, PasswordReset
from app.services import clock
from app.services.people import passwords
from tests.factories import PASSWORD, make_advocate, make_staff

NEW = "a brand new passphrase"


@pytest.fixture
def advocate(session):
    person = make_advocate(session, email="maya@example.com")
    session.commit()
    return person


def ask(client, email, ip="127.0.0.1"):
    return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": ip})


def emailed_link(session) -> str:
    body = session.scalars(select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"https?://\S+/password/reset/\S+", body).group(0)


def path_of(link: str) -> str:
    return link[link.index("/password/reset/"):]


def test_the_sign_in_page_links_to_the_forgot_page(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)
    assert client.get("/password/forgot").status_code == 200


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, session, advocate):
    known, unknown = ask(client, "Maya@Example.com"), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    pages = [r.get_data(as_text=True).replace(email, "EMAIL")
             for r, email in ((known, "maya@example.com"), (unknown, "nobody@example.com"))]
    assert pages[0] == pages[1]
    assert "Check your email" in known.get_data(as_text=True)
    messages = session.scalars(select(OutboxMessage)).all()
    assert [m.to_email for m in messages] == ["maya@example.com"]
    assert emailed_link(session).startswith("http://localhost/password/reset/")


def test_the_link_uses_the_public_base_url_when_set(app_factory):
    from app.extensions import db

    app = app_factory(PUBLIC_BASE_URL="https://advocates.example.com/")
    with app.app_context():
        make_staff(db.session, email="sam@example.com")
        db.session.commit()
        app.test_client().post("/password/forgot", data={"email": "sam@example.com"},
                               headers={"Host": "evil.example"})
        assert emailed_link(db.session).startswith("https://advocates.example.com/password/reset/")


def test_a_missing_email_is_a_field_error(client):
    response = client.post("/password/forgot", data={"email": ""})
    assert response.status_code == 200 and 'id="email-error"' in response.get_data(as_text=True)


def test_the_link_sets_a_new_password_once(client, session, advocate):
    ask(client, advocate.email)
    url = path_of(emailed_link(session))
    page = client.get(url)
    assert page.status_code == 200 and "maya@example.com" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    response = client.post(url, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Sign in with your new password" in client.get("/login").get_data(as_text=True)
    session.expire_all()
    assert passwords.verify_password(advocate.password_hash, NEW)
    assert client.post("/login", data={"email": advocate.email, "password": PASSWORD}).status_code == 401
    assert client.post("/login", data={"email": advocate.email, "password": NEW}).status_code == 302
    used = client.get(url)
    assert used.status_code == 409 and "already been used" in used.get_data(as_text=True)


@pytest.mark.parametrize(("password", "confirm", "field", "message"), [
    ("short", "short", "password", "12 characters"),
    (NEW, "something else entirely", "confirm", "differ"),
    ("password1234", "password1234", "password", "less guessable"),
    ("", "", "password", "Choose a new password"),
])
def test_a_weak_or_mismatched_password_is_a_field_error(client, session, advocate, password, confirm, field,
                                                        message):
    ask(client, advocate.email)
    url = path_of(emailed_link(session))
    response = client.post(url, data={"password": password, "confirm": confirm})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="{field}-error"' in page and message in page
    assert session.scalar(select(PasswordReset.used_at)) is None
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("problem", "status", "message"), [
    ("expired", 409, "expired"), ("superseded", 409, "newer"), ("unknown", 404, "not valid")])
def test_a_link_that_cannot_be_used_shows_a_clear_page(client, session, advocate, now, problem, status,
                                                       message):
    ask(client, advocate.email)
    url = path_of(emailed_link(session))
    if problem == "expired":
        clock.freeze(now + timedelta(hours=1))
    elif problem == "superseded":
        ask(client, advocate.email)
    elif problem == "unknown":
        url = "/password/reset/not-a-real-token"
    for response in (client.get(url), client.post(url, data={"password": NEW, "confirm": NEW})):
        page = response.get_data(as_text=True)
        assert response.status_code == status and message in page
        assert 'href="/password/forgot"' in page and "Ask for a new link" in page
    session.expire_all()
    assert passwords.verify_password(advocate.password_hash, PASSWORD)


def test_reset_requests_are_throttled_with_a_retry_time(client, session, advocate):
    for _ in range(5):
        assert ask(client, advocate.email).status_code == 200
    response = ask(client, advocate.email)
    assert response.status_code == 429 and response.headers["Retry-After"] == str(15 * 60)
    assert "Try again in 15 minutes" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 5
