"""A forgotten password in a real browser: ask for a link from the sign-in page, the email waits in
the outbox, the link sets a new password, the new password signs in; the link works once, and an
expired link is refused."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from app.services import clock
from tests.factories import PASSWORD, make_advocate

pytestmark = pytest.mark.browser

EMAIL = "dana@example.com"
NEW = "a brand new passphrase"


@pytest.fixture
def program(live_server):
    app, base_url = live_server
    with app.app_context():
        make_advocate(db.session, name="Dana Reyes", email=EMAIL)
        db.session.commit()
    return app, base_url


def watch_for_errors(page) -> list[str]:
    """Script errors and CSP violations (the 401 and 409 answers this journey expects are not errors)."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error"
            and not msg.text.startswith("Failed to load resource") else None)
    return problems


def ask_for_a_link(page, base_url) -> None:
    page.goto(f"{base_url}/login")
    with page.expect_navigation():
        page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label(re.compile(r"^Email")).fill(EMAIL)
    with page.expect_navigation():
        page.get_by_role("button", name="Email me a reset link").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()


def emailed_link(app) -> str:
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert message.to_email == EMAIL and message.kind == "password_reset"
        links = re.findall(r'href="([^"]+)"', message.body_html)
        assert links and links[0] in message.body_text
        return links[0]


def sign_in(page, base_url, password) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label(re.compile(r"^Email")).fill(EMAIL)
    page.get_by_label(re.compile(r"^Password")).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_a_forgotten_password_is_reset_from_an_emailed_link_once(browser, program):
    app, base_url = program
    page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    errors = watch_for_errors(page)

    ask_for_a_link(page, base_url)
    link = emailed_link(app)
    assert link.startswith(f"{base_url}/password/reset/")

    response = page.goto(link)
    assert response.status == 200 and page.get_by_text(EMAIL).is_visible()
    page.get_by_label(re.compile(r"^New password")).fill(NEW)
    page.get_by_label("Repeat the new password").fill(NEW)
    with page.expect_navigation():
        page.get_by_role("button", name="Save the new password").click()
    assert page.url == f"{base_url}/login"
    assert page.get_by_text("Sign in with your new password").is_visible()

    sign_in(page, base_url, PASSWORD)
    assert page.url.startswith(f"{base_url}/login")
    sign_in(page, base_url, NEW)
    assert page.url == f"{base_url}/portal/"

    again = page.goto(link)
    assert again.status == 409 and page.get_by_text("already been used").is_visible()
    assert page.get_by_role("link", name="Ask for a new link").is_visible()
    assert errors == []


def test_an_expired_link_is_refused(browser, program, now):
    app, base_url = program
    page = browser.new_page()
    errors = watch_for_errors(page)
    ask_for_a_link(page, base_url)
    link = emailed_link(app)
    clock.freeze(now + timedelta(hours=1, seconds=1))
    response = page.goto(link)
    assert response.status == 409 and page.get_by_text("This password reset link has expired.").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Ask for a new link").click()
    assert page.url == f"{base_url}/password/forgot"
    assert errors == []
