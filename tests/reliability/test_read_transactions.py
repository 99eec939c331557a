"""Reads never take SQLite's write lock, a sign-in's password check holds none, writers still wait
for each other, and a read request that writes by mistake fails (app/db/transactions.py).

"Another connection can write" is tried from outside the app, on a plain connection that gives up
after 200 ms: on SQLite it needs the database's write lock, on PostgreSQL the row locks of the
rows it updates (the person's row and their sign-in throttle counts)."""

import threading

import pytest
import sqlalchemy as sa

from app.db.transactions import writing
from app.extensions import db
from app.models import Advocate
from app.services.messaging import notifications
from app.services.people import passwords
from tests.conftest import session_token
from tests.factories import PASSWORD, make_advocate
from tests.reliability.conftest import THREADS, race

GIVE_UP_MS = 200


def _outside_engine(app) -> sa.Engine:
    """A plain engine on the app's database, without the app's transaction setup, quick to give up."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        return sa.create_engine(url, connect_args={"timeout": GIVE_UP_MS / 1000}, poolclass=sa.pool.NullPool)
    return sa.create_engine(url, connect_args={"options": f"-c lock_timeout={GIVE_UP_MS}"},
                            poolclass=sa.pool.NullPool)


def _write_from_outside(engine: sa.Engine, advocate_id: int) -> None:
    """Update the advocate's row and every throttle count; raises if a lock is held for longer."""
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE advocate SET nps = nps WHERE id = :id"), {"id": advocate_id})
        conn.execute(sa.text("UPDATE login_throttle SET count = count"))


def _advocate(app) -> tuple[int, str]:
    with app.app_context():
        advocate = make_advocate(db.session)
        db.session.commit()
        return advocate.id, advocate.email


def _signed_in_client(app, advocate_id: int):
    client = app.test_client()
    with app.app_context():
        token = session_token(db.session.get(Advocate, advocate_id))
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = token, True
    return client


@pytest.mark.parametrize("path", ["/portal/", "/portal/leaderboard", "/portal/missions"])
def test_while_a_page_is_being_served_another_connection_can_write(race_app, monkeypatch, path):
    advocate_id, _ = _advocate(race_app)
    client, outside = _signed_in_client(race_app, advocate_id), _outside_engine(race_app)
    wrote, real = [], notifications.unread_count

    def write_mid_page(session, **recipient):  # rendering: the page's reads are done, its transaction open
        assert db.session().in_transaction()
        _write_from_outside(outside, advocate_id)
        wrote.append(True)
        return real(session, **recipient)

    monkeypatch.setattr(notifications, "unread_count", write_mid_page)
    assert client.get(path).status_code == 200
    assert wrote


def test_a_sign_in_checks_the_password_without_holding_a_write_lock(race_app, monkeypatch):
    advocate_id, email = _advocate(race_app)
    outside, checked, real = _outside_engine(race_app), [], passwords.verify_password

    def verify_while_another_writes(password_hash, password):
        _write_from_outside(outside, advocate_id)
        checked.append(True)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", verify_while_another_writes)
    response = race_app.test_client().post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/portal/"
    assert checked


def test_a_sign_in_that_upgrades_the_hash_hashes_without_holding_a_write_lock(race_app, monkeypatch):
    advocate_id, email = _advocate(race_app)
    outside, hashed, real = _outside_engine(race_app), [], passwords.hash_password
    monkeypatch.setattr(passwords, "needs_rehash", lambda _hash: True)

    def hash_while_another_writes(password):
        _write_from_outside(outside, advocate_id)
        hashed.append(True)
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", hash_while_another_writes)
    response = race_app.test_client().post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302 and hashed


def test_writers_that_read_first_wait_for_each_other_and_none_fails(race_app):
    advocate_id, _ = _advocate(race_app)
    row = sa.select(Advocate.lifetime_points).where(Advocate.id == advocate_id)

    def read_then_write(session):
        session.scalar(row)  # a read first: on SQLite a deferred transaction could not upgrade now
        threading.Event().wait(0.01)
        session.execute(sa.update(Advocate).where(Advocate.id == advocate_id)
                        .values(lifetime_points=Advocate.lifetime_points + 1))

    assert race(race_app, read_then_write) == {"ok": THREADS}
    with race_app.app_context():
        assert db.session.scalar(row) == THREADS


def test_parallel_sign_ins_all_succeed(race_app):
    emails = [_advocate(race_app)[1] for _ in range(THREADS)]
    statuses, lock = [], threading.Lock()

    def sign_in(_session):
        with lock:
            email = emails.pop()
        response = race_app.test_client().post("/login", data={"email": email, "password": PASSWORD})
        with lock:
            statuses.append(response.status_code)

    race(race_app, sign_in)
    assert statuses == [302] * THREADS


@pytest.fixture
def routes_app(race_app):
    """The race app with three extra routes: a GET that writes by mistake, the same write done
    through `writing`, and the same write on a POST."""
    def bump():
        db.session.execute(sa.update(Advocate).values(lifetime_points=Advocate.lifetime_points + 1))

    def by_mistake():
        bump()
        db.session.commit()
        return "wrote"

    def declared():
        with writing(db.session):
            bump()
        return str(db.session.scalar(sa.select(sa.func.sum(Advocate.lifetime_points))))

    race_app.add_url_rule("/test/by-mistake", "by_mistake", by_mistake, methods=["GET", "POST"])
    race_app.add_url_rule("/test/declared", "declared", declared, methods=["GET", "POST"])
    return race_app


def test_a_read_request_that_writes_by_mistake_fails(routes_app):
    _advocate(routes_app)
    client = routes_app.test_client()
    with pytest.raises(sa.exc.DBAPIError, match="(?i)read-?only"):
        client.get("/test/by-mistake")
    assert client.post("/test/by-mistake").status_code == 200


def test_a_read_request_writes_in_its_own_write_transaction_through_writing(routes_app):
    _advocate(routes_app)
    client = routes_app.test_client()
    assert client.get("/test/declared").text == "1"
    assert client.post("/test/declared").text == "2"
    assert client.get("/test/declared").text == "3"

