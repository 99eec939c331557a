"""Who may open which staff page: anonymous users sign in first, advocates are refused, and the
narrower pages refuse the roles they are not for."""

import pytest

from tests.conftest import session_token
from tests.factories import make_activity, make_mission

ALL = {"admin", "marketing", "csm"}
CURATORS = {"admin", "marketing"}
ADMIN = {"admin"}

PAGES = [
    ("/admin/", ALL),
    ("/admin/advocates", ALL),
    ("/admin/activities", CURATORS),
    ("/admin/activities/new", CURATORS),
    ("/admin/activities/{activity}", CURATORS),
    ("/admin/bands", CURATORS),
    ("/admin/missions", CURATORS),
    ("/admin/missions?view=closed", CURATORS),
    ("/admin/missions/new", CURATORS),
    ("/admin/missions/{mission}", CURATORS),
    ("/admin/approvals", CURATORS),
    ("/admin/invites", CURATORS),
    ("/admin/figures", CURATORS),
    ("/admin/settings", ADMIN),
]

POSTS = [
    ("/admin/activities/new", CURATORS),
    ("/admin/bands/new", CURATORS),
    ("/admin/missions/new", CURATORS),
    ("/admin/missions/1/archive", CURATORS),
    ("/admin/approvals/1/approve", CURATORS),
    ("/admin/approvals/1/reject", CURATORS),
    ("/admin/approvals/bulk", CURATORS),
    ("/admin/advocates/1/adjust", CURATORS),
    ("/admin/advocates/1/status", ADMIN),
    ("/admin/invites/advocate", CURATORS),
    ("/admin/invites/staff", ADMIN),
    ("/admin/invites/1/renew", CURATORS),
    ("/admin/settings", ADMIN),
]


@pytest.fixture
def ids(session):
    mission = make_mission(session, activity=make_activity(session))
    session.commit()
    return {"activity": mission.activity_id, "mission": mission.id}


@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, ids, url, allowed):
    response = client.get(url.format(**ids))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_advocates_are_refused_every_staff_page(as_role, client, ids, url, allowed):
    as_role("advocate")
    assert client.get(url.format(**ids)).status_code == 403


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_each_role_sees_only_its_pages(as_role, client, ids, role, url, allowed):
    as_role(role)
    response = client.get(url.format(**ids))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("url", "allowed"), POSTS)
def test_each_role_is_refused_actions_outside_its_remit(as_role, client, url, allowed, role):
    as_role(role)
    response = client.post(url, data={})
    if role in allowed:
        assert response.status_code != 403
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("url", "allowed"), POSTS)
def test_anonymous_posts_change_nothing_and_ask_for_sign_in(client, url, allowed):
    response = client.post(url, data={})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_csrf_token_is_required_on_staff_forms(app_factory):
    from app.extensions import db
    from tests.factories import make_staff

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        staff = make_staff(db.session, role="admin")
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = session_token(staff)
        response = client.post("/admin/bands/new", data={"new-name": "Gold", "new-points": "10"})
        assert response.status_code == 400
        db.session.remove()


def test_nav_shows_only_what_the_role_may_use(as_role, client):
    as_role("csm")
    page = client.get("/admin/").get_data(as_text=True)
    assert "/admin/advocates" in page
    assert "/admin/approvals" not in page and "/admin/settings" not in page
