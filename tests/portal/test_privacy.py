"""The advocate's own membership and data: leave (confirmation, signed out everywhere), download my data
(only theirs), erase (current password, signed out, pseudonymised)."""

import json

from flask import g
from sqlalchemy import select

from app.models import Advocate, AdvocateState, Notification, Referral, ReferralState
from app.services import referrals
from tests.conftest import session_token
from tests.factories import PASSWORD, fund, make_advocate, make_submitted_attempt


def second_browser(app, advocate):
    other = app.test_client()
    with other.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = session_token(advocate), True
    return other


def get(client, path):
    """A request by a second browser; the test's app context (and Flask-Login's g) is shared."""
    response = client.get(path)
    g.pop("_login_user", None)
    return response


def test_the_profile_links_to_download_leave_and_erase(portal):
    page = portal.get("/portal/profile").get_data(as_text=True)
    for path in ("/portal/profile/export", "/portal/profile/leave", "/portal/profile/erase"):
        assert path in page


def test_leaving_asks_first_then_ends_every_session(portal, app, session, advocate):
    other = second_browser(app, advocate)
    assert get(other, "/portal/").status_code == 200
    page = portal.get("/portal/profile/leave").get_data(as_text=True)
    assert "Leave the program?" in page
    session.expire_all()
    assert session.get(Advocate, advocate.id).state == AdvocateState.ACTIVE  # asking changed nothing
    response = portal.post("/portal/profile/leave")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    g.pop("_login_user", None)
    session.expire_all()
    assert session.get(Advocate, advocate.id).state == AdvocateState.OPTED_OUT
    for client in (portal, other):
        assert get(client, "/portal/").headers["Location"].startswith("/login")


def test_download_is_a_json_file_of_the_advocate_s_own_data(portal, app, session, advocate, now):
    someone = make_advocate(session, name="Other Person", email="other@example.com")
    make_submitted_attempt(session, advocate=advocate, link="https://reviews.example.com/mine")
    make_submitted_attempt(session, advocate=someone, link="https://reviews.example.com/theirs")
    fund(session, advocate, 120)
    session.add(Notification(advocate_id=someone.id, kind="x", title="For someone else", created_at=now))
    code = referrals.get_or_create_code(session, advocate_id=advocate.id, now=now)
    session.add(Referral(code_id=code.id, referrer_id=advocate.id, friend_name="Pat Friend",
                         friend_email="pat@friend.example", state=ReferralState.SUBMITTED, created_at=now))
    session.commit()
    response = portal.get("/portal/profile/export")
    assert response.mimetype == "application/json" and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["name"] == "Maya Chen" and data["points"]["balance"] == 120
    assert [a["evidence"]["link"] for a in data["attempts"]] == ["https://reviews.example.com/mine"]
    assert [r["friend_name"] for r in data["referrals_made"]] == ["Pat Friend"]
    assert {"ledger", "redemptions", "notifications", "account_history", "status_history",
            "preferences"} <= data.keys()
    text = response.get_data(as_text=True)
    assert "Other Person" not in text and "other@example.com" not in text and "theirs" not in text
    assert "For someone else" not in text


def test_erasing_needs_the_current_password(portal, session, advocate):
    response = portal.post("/portal/profile/erase", data={"password": "wrong password", "understood": "y"})
    assert response.status_code == 200 and "not your current password" in response.get_data(as_text=True)
    unticked = portal.post("/portal/profile/erase", data={"password": PASSWORD})
    assert "Tick the box" in unticked.get_data(as_text=True)
    session.expire_all()
    assert session.get(Advocate, advocate.id).erased_at is None


def test_erasing_pseudonymises_and_signs_out(portal, app, session, advocate, now):
    other, old_email = second_browser(app, advocate), advocate.email
    assert "Erase your personal data?" in portal.get("/portal/profile/erase").get_data(as_text=True)
    response = portal.post("/portal/profile/erase", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    g.pop("_login_user", None)
    session.expire_all()
    erased = session.get(Advocate, advocate.id)
    assert (erased.name, erased.erased_at, erased.state) == ("Erased advocate", now, AdvocateState.OPTED_OUT)
    for client in (portal, other):
        assert get(client, "/portal/profile").headers["Location"].startswith("/login")
    assert session.scalar(select(Advocate.id).where(Advocate.email == old_email)) is None


def test_staff_cannot_use_the_advocate_s_data_pages(login, session, app):
    from tests.factories import make_staff

    client = login(make_staff(session))
    session.commit()
    for path in ("/portal/profile/export", "/portal/profile/leave", "/portal/profile/erase"):
        assert client.get(path).status_code == 403
