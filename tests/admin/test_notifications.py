"""Staff see their own in-app notifications, with an unread badge in the nav, and no one else's."""

import pytest

from app.models import Notification, StaffRole
from tests.factories import make_advocate, make_staff


def _add(session, now, title, **recipient):
    note = Notification(kind="escalation", title=title, body="Advocate: Maya", link="/admin/approvals",
                        created_at=now, **recipient)
    session.add(note)
    return note


@pytest.mark.parametrize("role", ["admin", "marketing", "csm"])
def test_every_staff_role_sees_its_own_notifications_only(as_role, client, session, now, role):
    me = as_role(role)
    other = make_staff(session, role=StaffRole.CSM)
    advocate = make_advocate(session)
    _add(session, now, "Mine: waiting for approval", staff_id=me.id)
    _add(session, now, "Colleague: escalated", staff_id=other.id)
    _add(session, now, "Advocate: reminder", advocate_id=advocate.id)
    assert advocate.id == me.id  # ids are per table: the same number must not mix the two
    session.commit()
    html = client.get("/admin/notifications").get_data(as_text=True)
    assert "Mine: waiting for approval" in html and 'href="/admin/approvals"' in html
    assert "Colleague" not in html and "Advocate: reminder" not in html
    assert 'class="count-badge"' in html and "Mark all as read" in html


def test_mark_all_read_touches_only_my_notifications(as_role, client, session, now):
    me = as_role("csm")
    other = make_staff(session)
    advocate = make_advocate(session)
    _add(session, now, "Mine", staff_id=me.id)
    _add(session, now, "Theirs", staff_id=other.id)
    _add(session, now, "Advocate's", advocate_id=advocate.id)
    session.commit()
    response = client.post("/admin/notifications/read")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/notifications")
    session.expire_all()
    unread = {n.title for n in session.query(Notification).filter(Notification.read_at.is_(None))}
    assert unread == {"Theirs", "Advocate's"}
    html = client.get("/admin/notifications").get_data(as_text=True)
    assert 'class="count-badge"' not in html and "Mark all as read" not in html
    assert "All caught up." in html


def test_the_nav_badge_counts_my_unread_notifications(as_role, client, session, now):
    me = as_role("marketing")
    for n in range(3):
        _add(session, now, f"Note {n}", staff_id=me.id)
    _add(session, now, "Read already", staff_id=me.id).read_at = now
    _add(session, now, "Someone else", staff_id=make_staff(session).id)
    session.commit()
    html = client.get("/admin/advocates").get_data(as_text=True)
    assert 'href="/admin/notifications">Notifications <span class="count-badge">' in html
    assert '<span class="visually-hidden">(</span>3<span class="visually-hidden"> unread)</span>' in html


def test_an_empty_list_says_so(as_role, client):
    as_role("csm")
    html = client.get("/admin/notifications").get_data(as_text=True)
    assert "Nothing here yet" in html and 'aria-current="page">Notifications' in html


def test_visitors_are_sent_to_sign_in(client):
    assert "/login" in client.get("/admin/notifications").headers["Location"]


def test_advocates_cannot_open_staff_notifications(as_role, client):
    as_role("advocate")
    assert client.get("/admin/notifications").status_code == 403
    assert client.post("/admin/notifications/read").status_code == 403
