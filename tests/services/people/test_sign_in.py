"""Signing in: one argon2 check whatever the email, throttling per email-and-address and per address,
and changing a password."""

from datetime import timedelta

import argon2
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from app.models import AdvocateState, LoginThrottle
from app.services.errors import RateLimited, ValidationFailed
from app.services.people import passwords, sign_in, throttle
from app.services.people import sessions as login_sessions
from tests.factories import PASSWORD, make_advocate, make_staff

POLICY = sign_in.ThrottlePolicy(per_email_and_ip=5, per_ip=20, window=timedelta(minutes=15))
NEW = "a brand new passphrase"


def attempt(session, now, email, password=PASSWORD, ip="10.0.0.1", policy=POLICY):
    return sign_in.sign_in(session, email=email, password=password, ip=ip, now=now, policy=policy,
                           commit=session.commit)


@pytest.fixture
def verifies(monkeypatch):
    """How many argon2 verifications ran."""
    calls = []
    real = PasswordHasher.verify

    def counting(self, hash_, password):
        calls.append(hash_)
        return real(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


def test_the_right_password_signs_in_and_is_recorded(session, now):
    advocate = make_advocate(session, email="maya@example.com")
    assert attempt(session, now, " MAYA@example.com ") is advocate
    assert advocate.last_login_at == now and advocate.last_active_at == now


def test_a_wrong_password_is_a_field_error_and_is_counted(session, now):
    advocate = make_advocate(session)
    with pytest.raises(ValidationFailed) as error:
        attempt(session, now, advocate.email, "wrong password!")
    assert error.value.field == "password"
    assert session.scalar(select(LoginThrottle.count).where(
        LoginThrottle.key == throttle.key("sign-in", advocate.email, "10.0.0.1"))) == 1


@pytest.mark.parametrize("case", ["unknown", "wrong", "invited", "opted_out", "deactivated staff"])
def test_every_refusal_costs_exactly_one_password_check(session, now, verifies, case):
    email = {"unknown": "nobody@example.com"}.get(case)
    if case == "wrong":
        email = make_advocate(session).email
    elif case == "invited":
        email = make_advocate(session, state=AdvocateState.INVITED, password_hash=None).email
    elif case == "opted_out":
        email = make_advocate(session, state=AdvocateState.OPTED_OUT).email
    elif case == "deactivated staff":
        email = make_staff(session, active=False).email
    session.commit()
    verifies.clear()
    with pytest.raises(ValidationFailed, match="do not match"):
        attempt(session, now, email, PASSWORD if case != "wrong" else "wrong password!")
    assert len(verifies) == 1


def test_the_dummy_hash_has_the_profile_cost(app):
    dummy = passwords._dummy_hash()
    assert dummy.startswith("$argon2id$") and dummy == passwords._dummy_hash()
    assert PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).check_needs_rehash(dummy) is False


def test_five_attempts_per_email_and_address_then_a_refusal_that_says_when(session, now, verifies):
    advocate = make_advocate(session)
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            attempt(session, now, advocate.email, "wrong password!")
    verifies.clear()
    with pytest.raises(RateLimited) as refused:
        attempt(session, now + timedelta(minutes=3), advocate.email)
    assert not verifies, "a refused attempt must not check the password"
    assert refused.value.retry_after == 12 * 60 and "Try again in 12 minutes" in refused.value.message
    assert attempt(session, now + timedelta(minutes=15), advocate.email) is advocate


def test_a_strangers_guesses_never_lock_the_owner_out_from_another_address(session, now):
    advocate = make_advocate(session)
    for _ in range(8):
        with pytest.raises((ValidationFailed, RateLimited)):
            attempt(session, now, advocate.email, "wrong password!", ip="203.0.113.9")
    assert attempt(session, now, advocate.email, ip="198.51.100.7") is advocate


def test_a_success_clears_the_pair_and_gives_the_address_its_attempt_back(session, now):
    advocate = make_advocate(session)
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            attempt(session, now, advocate.email, "wrong password!")
    attempt(session, now, advocate.email)
    counts = dict(session.execute(select(LoginThrottle.key, LoginThrottle.count)).all())
    assert throttle.key("sign-in", advocate.email, "10.0.0.1") not in counts
    assert counts[throttle.key("ip", "10.0.0.1")] == 4
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            attempt(session, now, advocate.email, "wrong password!")


def test_many_emails_from_one_address_lock_that_address_only(session, now):
    advocate = make_advocate(session)
    for n in range(20):
        with pytest.raises(ValidationFailed):
            attempt(session, now, f"nobody{n}@example.com", "whatever it is")
    with pytest.raises(RateLimited):
        attempt(session, now, advocate.email)
    assert attempt(session, now, advocate.email, ip="10.0.0.2") is advocate


def test_an_old_hash_is_upgraded_at_sign_in(session, now):
    old = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(PASSWORD)
    advocate = make_advocate(session, password_hash=old)
    attempt(session, now, advocate.email)
    assert advocate.password_hash != old and not passwords.needs_rehash(advocate.password_hash)


@pytest.fixture
def production_hasher():
    """The production argon2 profile for one test (the suite runs the "fast" one)."""
    before = passwords.profile()
    passwords.use_profile("argon2")
    yield
    passwords.use_profile(before)


def test_the_production_profile_is_at_least_owasps_minimum_for_argon2id(production_hasher):
    params = argon2.extract_parameters(passwords.hash_password(PASSWORD))
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2 and params.parallelism >= 1


def test_an_old_parameters_hash_is_replaced_on_a_successful_sign_in_only(session, now, production_hasher):
    old = PasswordHasher().hash(PASSWORD)  # argon2-cffi's default, RFC 9106 low-memory: 64 MiB, t=3, p=4
    advocate = make_advocate(session, password_hash=old)
    session.commit()
    with pytest.raises(ValidationFailed):
        attempt(session, now, advocate.email, "wrong password!")
    assert session.get(type(advocate), advocate.id).password_hash == old
    attempt(session, now, advocate.email)
    session.commit()
    upgraded = session.get(type(advocate), advocate.id).password_hash
    assert upgraded != old and not passwords.needs_rehash(upgraded)
    assert passwords.verify_password(upgraded, PASSWORD)
    attempt(session, now, advocate.email)
    assert advocate.password_hash == upgraded  # a current hash is left alone


def test_argon2_runs_outside_any_transaction_at_sign_in_and_password_change(session, now, monkeypatch):
    advocate = make_advocate(session, password_hash=PasswordHasher(time_cost=1, memory_cost=16,
                                                                   parallelism=1).hash(PASSWORD))
    session.commit()
    open_during = []
    for name in ("verify_password", "hash_password"):
        real = getattr(passwords, name)
        monkeypatch.setattr(passwords, name, lambda *args, _real=real: (
            open_during.append(session().get_transaction() is not None), _real(*args))[1])
    attempt(session, now, advocate.email)
    session.commit()
    change(session, now, advocate)
    assert len(open_during) == 4 and not any(open_during)  # verify and rehash, verify and new hash


def change(session, now, user, current=PASSWORD, new=NEW):
    return sign_in.change_password(session, user=user, current_password=current, new_password=new, now=now,
                                   policy=POLICY, commit=session.commit)


def test_changing_the_password_ends_every_session(session, now):
    advocate = make_advocate(session)
    tokens = [login_sessions.start(session, user=advocate, now=now, lifetime=timedelta(days=14))
              for _ in range(2)]
    change(session, now, advocate)
    assert passwords.verify_password(advocate.password_hash, NEW)
    assert all(login_sessions.load_user(session, token=t, now=now) is None for t in tokens)


@pytest.mark.parametrize(("current", "new", "field", "message"), [
    ("not my password", NEW, "current_password", "not your current password"),
    (PASSWORD, "short", "password", "12 characters"),
    (PASSWORD, "password1234", "password", "less guessable"),
    (PASSWORD, PASSWORD, "password", "different"),
])
def test_a_refused_change_keeps_the_password_and_the_sessions(session, now, current, new, field, message):
    staff = make_staff(session)
    token = login_sessions.start(session, user=staff, now=now, lifetime=timedelta(hours=12))
    session.commit()
    with pytest.raises(ValidationFailed, match=message) as error:
        change(session, now, staff, current, new)
    session.rollback()
    assert error.value.field == field
    assert passwords.verify_password(staff.password_hash, PASSWORD)
    assert login_sessions.load_user(session, token=token, now=now) is staff


def test_guessing_the_current_password_is_throttled(session, now, verifies):
    advocate = make_advocate(session)
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            change(session, now, advocate, current="a wrong guess")
    verifies.clear()
    with pytest.raises(RateLimited, match="Try again in 15 minutes"):
        change(session, now, advocate)
    assert not verifies
    session.rollback()
    change(session, now + timedelta(minutes=15), advocate)
    assert session.scalar(select(func.count()).select_from(LoginThrottle)) == 0
