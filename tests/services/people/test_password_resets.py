"""Password-reset links: the same answer for any email; one hashed single-use link an hour, newest only."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AdvocateState, OutboxMessage, PasswordReset
from app.services.errors import Conflict, NotFound, RateLimited, ValidationFailed
from app.services.people import password_resets, passwords
from app.services.people import sessions as login_sessions
from app.services.people.preferences import EMAIL_CATEGORIES
from app.services.people.sign_in import ThrottlePolicy
from tests.factories import make_advocate, make_staff

POLICY = ThrottlePolicy(per_email_and_ip=5, per_ip=100, window=timedelta(minutes=15))
NEW = "a brand new passphrase"


def request(session, now, email, ip="10.0.0.1"):
    links = []
    sent = password_resets.request_reset(session, email=email, ip=ip, now=now, policy=POLICY,
                                         link_for=lambda token: links.append(token) or f"https://rp.test/r/{token}")
    return sent, links[-1]


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_an_active_advocate_gets_a_hashed_link_by_email_even_with_every_email_turned_off(session, now):
    advocate = make_advocate(session, name="Maya Chen", email="maya@example.com",
                             email_opt_outs=list(EMAIL_CATEGORIES))
    sent, token = request(session, now, " Maya@Example.com ")
    assert sent is True
    reset = session.scalars(select(PasswordReset)).one()
    assert (reset.advocate_id, reset.used_at) == (advocate.id, None)
    assert reset.expires_at == now + timedelta(hours=1)
    assert reset.token_hash != token and len(reset.token_hash) == 64
    message = session.scalars(select(OutboxMessage)).one()
    assert (message.to_email, message.advocate_id, message.kind) == ("maya@example.com", advocate.id,
                                                                      "password_reset")
    for body in (message.body_text, message.body_html):
        assert f"https://rp.test/r/{token}" in body and "Maya Chen" in body and "60 minutes" in body
    assert password_resets.open_reset(session, token=token, now=now) is reset


def test_staff_get_links_too(session, now):
    staff = make_staff(session)
    assert request(session, now, staff.email)[0] is True
    assert session.scalars(select(OutboxMessage.staff_id)).one() == staff.id


@pytest.mark.parametrize("who", ["unknown", "invited", "opted_out", "deactivated staff"])
def test_no_link_for_an_email_without_an_active_account(session, now, who):
    email = "nobody@example.com"
    if who == "invited":
        email = make_advocate(session, state=AdvocateState.INVITED, password_hash=None).email
    elif who == "opted_out":
        email = make_advocate(session, state=AdvocateState.OPTED_OUT).email
    elif who == "deactivated staff":
        email = make_staff(session, active=False).email
    assert request(session, now, email)[0] is False
    assert count(session, PasswordReset) == 0 and count(session, OutboxMessage) == 0


def test_a_link_works_once(session, now):
    advocate = make_advocate(session)
    _, token = request(session, now, advocate.email)
    user = password_resets.complete_reset(session, token=token, password=NEW, now=now)
    assert user is advocate and passwords.verify_password(advocate.password_hash, NEW)
    with pytest.raises(Conflict, match="already been used"):
        password_resets.open_reset(session, token=token, now=now)
    with pytest.raises(Conflict):
        password_resets.complete_reset(session, token=token, password="yet another passphrase", now=now)


def test_a_link_expires_after_an_hour(session, now):
    advocate = make_advocate(session)
    _, token = request(session, now, advocate.email)
    assert password_resets.open_reset(session, token=token, now=now + timedelta(minutes=59, seconds=59))
    with pytest.raises(Conflict, match="expired"):
        password_resets.complete_reset(session, token=token, password=NEW, now=now + timedelta(hours=1))
    assert not passwords.verify_password(advocate.password_hash, NEW)


def test_a_new_request_supersedes_the_older_unused_link(session, now):
    advocate = make_advocate(session)
    _, first = request(session, now, advocate.email)
    _, second = request(session, now + timedelta(minutes=5), advocate.email)
    with pytest.raises(Conflict, match="newer"):
        password_resets.open_reset(session, token=first, now=now + timedelta(minutes=5))
    assert password_resets.open_reset(session, token=second, now=now + timedelta(minutes=5))
    assert count(session, OutboxMessage) == 2


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 300])
def test_an_unknown_link_is_not_found(session, now, token):
    with pytest.raises(NotFound):
        password_resets.open_reset(session, token=token, now=now)


def test_a_reset_ends_every_session_and_a_weak_password_changes_nothing(session, now):
    advocate = make_advocate(session)
    session_token = login_sessions.start(session, user=advocate, now=now, lifetime=timedelta(days=14))
    _, token = request(session, now, advocate.email)
    with pytest.raises(ValidationFailed) as error:
        password_resets.complete_reset(session, token=token, password="short", now=now)
    assert error.value.field == "password"
    assert login_sessions.load_user(session, token=session_token, now=now) is advocate
    password_resets.complete_reset(session, token=token, password=NEW, now=now)
    assert login_sessions.load_user(session, token=session_token, now=now) is None


def test_a_link_for_an_account_deactivated_since_is_refused(session, now):
    staff = make_staff(session)
    _, token = request(session, now, staff.email)
    staff.active = False
    with pytest.raises(Conflict, match="cannot be signed in"):
        password_resets.open_reset(session, token=token, now=now)


def test_requests_are_throttled_per_email_whatever_the_address(session, now):
    advocate = make_advocate(session)
    for n in range(5):
        request(session, now, advocate.email, ip=f"10.0.0.{n}")
    with pytest.raises(RateLimited, match="Try again in 15 minutes"):
        request(session, now, advocate.email, ip="10.0.0.99")
    assert request(session, now, "someone.else@example.com", ip="10.0.0.99")[0] is False


def test_purge_forgets_long_expired_links(session, now):
    advocate = make_advocate(session)
    request(session, now - timedelta(days=40), advocate.email)
    request(session, now, advocate.email)
    assert password_resets.purge(session, before=now - timedelta(days=30)) == 1
    assert count(session, PasswordReset) == 1
