"""Every portal page: renders for an advocate, sends anonymous visitors to sign in, refuses staff."""

import pytest

from app.models import StaffRole
from tests.conftest import session_token
from tests.factories import make_mission, make_staff
from tests.portal.conftest import started

GET_PAGES = ["/portal/", "/portal/missions", "/portal/points", "/portal/status", "/portal/leaderboard",
             "/portal/leaderboard?period=month", "/portal/leaderboard?period=week", "/portal/notifications",
             "/portal/profile"]


@pytest.mark.parametrize("url", GET_PAGES)
def test_every_page_renders_for_an_advocate(portal, url):
    response = portal.get(url)
    assert response.status_code == 200
    assert b'aria-current="page"' in response.data


def test_mission_and_attempt_pages_render(client, login, session, advocate, now):
    attempt = started(session, advocate, now)
    other = make_mission(session)
    session.commit()
    login(advocate)
    assert client.get(f"/portal/missions/{other.id}").status_code == 200
    assert client.get(f"/portal/attempts/{attempt.id}").status_code == 200


@pytest.mark.parametrize("url", [*GET_PAGES, "/portal/missions/1", "/portal/attempts/1"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", GET_PAGES)
def test_staff_get_403(client, login, session, url):
    staff = make_staff(session, role=StaffRole.ADMIN)
    session.commit()
    login(staff)
    assert client.get(url).status_code == 403


def test_staff_cannot_post_portal_actions(client, login, session):
    staff = make_staff(session)
    mission = make_mission(session)
    session.commit()
    login(staff)
    assert client.post(f"/portal/missions/{mission.id}/start").status_code == 403
    assert client.post("/portal/profile", data={"high_frequency": "y"}).status_code == 403


def test_nav_marks_the_current_page_and_shows_unread_count(portal, session, advocate, now):
    from app.models import Notification

    session.add(Notification(advocate_id=advocate.id, kind="x", title="Hello", created_at=now))
    session.commit()
    html = portal.get("/portal/points").get_data(as_text=True)
    assert 'href="/portal/points" aria-current="page"' in html
    assert 'class="count-badge"' in html


def test_csrf_is_required_on_portal_forms(app_factory, session, now):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.extensions import db
        from tests.factories import make_advocate

        advocate = make_advocate(db.session)
        mission = make_mission(db.session)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = session_token(advocate)
        assert client.post(f"/portal/missions/{mission.id}/start").status_code == 400
        assert client.post("/portal/profile", data={"high_frequency": "y"}).status_code == 400
        db.session.refresh(advocate)
        assert advocate.ask_frequency.value == "standard"
        db.session.remove()
