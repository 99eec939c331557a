"""Server-side sign-in sessions: a token signs in only while its row is live and its person active."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AdvocateState, LoginSession
from app.services.errors import NotFound
from app.services.people import sessions as login_sessions
from tests.factories import make_advocate, make_staff
from tests.statements import watched

HOURS_12 = timedelta(hours=12)


def start(session, user, now, lifetime=HOURS_12, **kwargs):
    return login_sessions.start(session, user=user, now=now, lifetime=lifetime, **kwargs)


def test_a_started_session_loads_its_person_with_the_token_as_id(session, now):
    advocate = make_advocate(session)
    token = start(session, advocate, now, ip="10.0.0.1", user_agent="Firefox")
    assert advocate.get_id() == token
    row = session.scalars(select(LoginSession)).one()
    assert row.token_hash != token and token not in row.token_hash and len(row.token_hash) == 64
    assert (row.advocate_id, row.staff_id, row.expires_at, row.ip) == (advocate.id, None, now + HOURS_12,
                                                                       "10.0.0.1")
    session.expire_all()
    loaded = login_sessions.load_user(session, token=token, now=now)
    assert loaded.id == advocate.id and loaded.get_id() == token


def test_a_person_without_a_session_has_no_id(session):
    with pytest.raises(RuntimeError):
        make_staff(session).get_id()


def test_a_session_ends_at_its_absolute_expiry(session, now):
    staff = make_staff(session)
    token = start(session, staff, now, lifetime=timedelta(days=14), remember=True)
    assert login_sessions.load_user(session, token=token, now=now + timedelta(days=13, hours=23)) is staff
    assert login_sessions.load_user(session, token=token, now=now + timedelta(days=14)) is None


def test_an_ended_session_no_longer_signs_in(session, now):
    advocate = make_advocate(session)
    token, other = start(session, advocate, now), start(session, advocate, now)
    assert login_sessions.end(session, token=token, now=now) is True
    assert login_sessions.end(session, token=token, now=now) is False
    assert login_sessions.load_user(session, token=token, now=now) is None
    assert login_sessions.load_user(session, token=other, now=now) is advocate


def test_ending_all_sessions_touches_only_that_person(session, now):
    advocate, staff = make_advocate(session), make_staff(session)
    mine = [start(session, advocate, now) for _ in range(3)]
    theirs = start(session, staff, now)
    assert login_sessions.end_all(session, user=advocate, now=now) == 3
    assert all(login_sessions.load_user(session, token=t, now=now) is None for t in mine)
    assert login_sessions.load_user(session, token=theirs, now=now) is staff
    assert login_sessions.live_count(session, user=advocate, now=now) == 0
    assert login_sessions.end_all_of(session, staff_id=staff.id, now=now) == (staff, 1)
    with pytest.raises(NotFound):
        login_sessions.end_all_of(session, advocate_id=999_999, now=now)


def test_an_inactive_person_is_not_signed_in_by_a_live_session(session, now):
    advocate, staff = make_advocate(session), make_staff(session)
    tokens = start(session, advocate, now), start(session, staff, now)
    advocate.state, staff.active = AdvocateState.OPTED_OUT, False
    assert [login_sessions.load_user(session, token=t, now=now) for t in tokens] == [None, None]


@pytest.mark.parametrize("token", [None, "", "garbage", "a12.3", "s1.1", "x" * 500])
def test_garbage_and_old_style_ids_sign_nobody_in(session, now, token):
    make_advocate(session)
    assert login_sessions.load_user(session, token=token, now=now) is None


def test_the_remember_flag_is_kept(session, now):
    advocate = make_advocate(session)
    remembered, plain = start(session, advocate, now, remember=True), start(session, advocate, now)
    assert login_sessions.is_remembered(session, token=remembered, now=now) is True
    assert login_sessions.is_remembered(session, token=plain, now=now) is False


def test_purge_forgets_long_dead_sessions_only(session, now):
    advocate = make_advocate(session)
    ended = start(session, advocate, now - timedelta(days=40))
    login_sessions.end(session, token=ended, now=now - timedelta(days=40))
    start(session, advocate, now - timedelta(days=60), lifetime=timedelta(days=14))
    live = start(session, advocate, now)
    assert login_sessions.purge(session, before=now - timedelta(days=30)) == 2
    assert session.scalar(select(func.count()).select_from(LoginSession)) == 1
    assert login_sessions.load_user(session, token=live, now=now) is advocate


@pytest.mark.parametrize("make", [make_advocate, make_staff])
def test_a_request_finds_its_session_and_person_in_one_query(session, now, make):
    """Every signed-in request runs this; the person comes with the session row."""
    user = make(session)
    token = start(session, user, now)
    kind, user_id = type(user), user.id
    session.commit()
    session.expunge_all()
    with watched(db.engine) as seen:
        loaded = login_sessions.load_user(session, token=token, now=now)
    assert (type(loaded), loaded.id, loaded.get_id()) == (kind, user_id, token)
    assert seen.selects() == 1
