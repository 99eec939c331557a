"""Twenty parallel wrong guesses at one account from one address: the password is checked at most
LOGIN_MAX_FAILURES times (the count is one atomic upsert, committed before argon2 runs), the owner
still signs in from another address, and the guessing address is told when to try again."""

import threading

import pytest

from app.extensions import db
from app.security import throttle_policy
from app.services import clock
from app.services.errors import RateLimited
from app.services.people import passwords, sign_in
from tests.factories import PASSWORD, make_advocate
from tests.reliability.conftest import THREADS, race

STRANGER, OWNER = "203.0.113.9", "198.51.100.7"


@pytest.fixture
def checks(monkeypatch):
    """Every password verification, counted across threads."""
    calls, lock = [], threading.Lock()
    real = passwords.verify_password

    def counting(password_hash, password):
        with lock:
            calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return calls


def _advocate_email(app) -> str:
    with app.app_context():
        email = make_advocate(db.session).email
        db.session.commit()
        return email


def _attempt(app, email, password, ip):
    with app.test_request_context():
        return sign_in.sign_in(db.session, email=email, password=password, ip=ip, now=clock.utcnow(),
                               policy=throttle_policy(), commit=db.session.commit)


def test_parallel_guesses_are_counted_atomically_and_never_lock_the_owner_out(race_app, checks):
    email = _advocate_email(race_app)
    limit = race_app.config["LOGIN_MAX_FAILURES"]

    def guess(session):
        sign_in.sign_in(session, email=email, password="a wrong guess", ip=STRANGER, now=clock.utcnow(),
                        policy=throttle_policy(), commit=session.commit)

    outcomes = race(race_app, guess)
    assert outcomes == {"ValidationFailed": limit, "RateLimited": THREADS - limit}
    assert len(checks) == limit
    with race_app.app_context():
        assert _attempt(race_app, email, PASSWORD, OWNER).email == email
        with pytest.raises(RateLimited) as refused:
            _attempt(race_app, email, PASSWORD, STRANGER)
        db.session.rollback()
    assert refused.value.retry_after > 0 and "Try again in 15 minutes" in refused.value.message
    assert len(checks) == limit + 1


def test_parallel_sign_in_requests_get_five_checks_and_fifteen_refusals(race_app, checks):
    email = _advocate_email(race_app)
    statuses, lock = [], threading.Lock()

    def post(session):
        response = race_app.test_client().post("/login", data={"email": email, "password": "a wrong guess"},
                                               environ_base={"REMOTE_ADDR": STRANGER})
        with lock:
            statuses.append((response.status_code, response.headers.get("Retry-After")))

    race(race_app, post)
    limit = race_app.config["LOGIN_MAX_FAILURES"]
    assert sorted(status for status, _ in statuses) == [401] * limit + [429] * (THREADS - limit)
    assert all(int(after) > 0 for status, after in statuses if status == 429)
    assert len(checks) == limit
    owner = race_app.test_client().post("/login", data={"email": email, "password": PASSWORD},
                                        environ_base={"REMOTE_ADDR": OWNER})
    assert owner.status_code == 302 and owner.headers["Location"] == "/portal/"
