"""Staff hide and unhide community feed items: marketing and admins only, asked first, CSRF-protected."""

import re

import pytest

from app.models import FeedItem
from app.services import feed
from tests.conftest import session_token
from tests.factories import make_advocate


@pytest.fixture
def item(session, now):
    advocate = make_advocate(session, name="Jane Doe")
    made = feed.record(session, kind="testimonial", advocate_id=advocate.id, subject="t:1",
                       text="published a testimonial", occurred_at=now)
    session.commit()
    return made


@pytest.mark.parametrize("role", ["marketing", "admin"])
def test_staff_list_hide_after_confirming_and_unhide(as_role, client, session, item, role):
    as_role(role)
    page = client.get("/admin/feed").get_data(as_text=True)
    assert "Jane Doe" in page and "published a testimonial" in page and "Community feed" in page
    asked = client.post(f"/admin/feed/{item.id}/hide")  # no confirmed=yes: the question, nothing done
    assert asked.status_code == 200 and "Hide this feed item?" in asked.get_data(as_text=True)
    session.expire_all()
    assert session.get(FeedItem, item.id).hidden_at is None
    done = client.post(f"/admin/feed/{item.id}/hide", data={"confirmed": "yes"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(FeedItem, item.id).hidden_at is not None
    assert feed.page(session).entries == []
    assert "Show again" in client.get("/admin/feed").get_data(as_text=True)
    assert client.post(f"/admin/feed/{item.id}/unhide").status_code == 302
    session.expire_all()
    assert session.get(FeedItem, item.id).hidden_at is None


@pytest.mark.parametrize("role", ["csm", "advocate"])
def test_other_roles_are_refused(as_role, client, session, item, role):
    as_role(role)
    assert client.get("/admin/feed").status_code in (302, 403)
    assert client.post(f"/admin/feed/{item.id}/hide", data={"confirmed": "yes"}).status_code in (302, 403)
    session.expire_all()
    assert session.get(FeedItem, item.id).hidden_at is None


def test_unknown_items_are_not_found(as_role, client):
    as_role("marketing")
    assert client.post("/admin/feed/999/hide", data={"confirmed": "yes"}).status_code == 404


def test_hiding_needs_a_csrf_token(app_factory, now):
    from app.extensions import db
    from app.models import StaffRole
    from tests.factories import make_staff

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        staff = make_staff(db.session, role=StaffRole.MARKETING)
        advocate = make_advocate(db.session)
        made = feed.record(db.session, kind="testimonial", advocate_id=advocate.id, subject="t:1", text="hi",
                           occurred_at=now)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token(staff), True
        assert client.post(f"/admin/feed/{made.id}/hide", data={"confirmed": "yes"}).status_code == 400
        db.session.expire_all()
        assert db.session.get(FeedItem, made.id).hidden_at is None
        page = client.get("/admin/feed").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        done = client.post(f"/admin/feed/{made.id}/hide", data={"confirmed": "yes", "csrf_token": token})
        assert done.status_code == 302
        db.session.expire_all()
        assert db.session.get(FeedItem, made.id).hidden_at is not None


def test_marketing_makes_a_feed_embed_on_the_form(as_role, client, session):
    from app.models import Embed

    as_role("marketing")
    response = client.post("/admin/embeds", data={
        "name": "Feed", "what": "feed", "period": "week", "rows": "5", "theme": "dark", "names": "full",
        "origins": "https://community.example.com"})
    assert response.status_code == 302
    made = session.query(Embed).one()
    assert (made.kind, made.rows) == ("feed", 5)
    assert "Community feed, latest 5" in client.get("/admin/embeds").get_data(as_text=True)
