"""The email outbox view: admins only, newest first, states shown, message bodies never rendered as markup."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import OutboxMessage, StaffRole
from tests.conftest import session_token
from tests.factories import make_staff

SCRIPT = "<script>alert(1)</script>"


def _message(session, now, key, **values):
    defaults = dict(dedupe_key=key, kind="reminder", to_email="ada@example.com", subject=f"Subject {key}",
                    body_text="Plain body", body_html="<p>HTML body</p>", created_at=now,
                    next_attempt_at=now, attempts=0)
    message = OutboxMessage(**{**defaults, **values})
    session.add(message)
    session.flush()
    return message


def test_admins_see_the_outbox_newest_first_with_states(as_role, client, session, now):
    as_role("admin")
    _message(session, now - timedelta(hours=3), "old", sent_at=now - timedelta(hours=2))
    _message(session, now - timedelta(hours=2), "retrying", attempts=2, last_error="ConnectionRefusedError",
             next_attempt_at=now + timedelta(minutes=30))
    _message(session, now - timedelta(hours=1), "failed", attempts=6, failed_at=now)
    _message(session, now, "new")
    session.commit()
    page = client.get("/admin/outbox").get_data(as_text=True)
    order = [page.index(f"Subject {key}") for key in ("new", "failed", "retrying", "old")]
    assert order == sorted(order)
    assert "Queued" in page and "Sent" in page and "Failed" in page
    assert "Retrying" in page and "2 failed attempts" in page and "ConnectionRefusedError" in page
    assert "Email is not configured; messages wait here." in page


def test_the_notice_is_gone_when_mail_is_configured(app_factory):
    app = app_factory(MAIL_SERVER="smtp.example.com")
    with app.app_context():
        admin = make_staff(db.session, role=StaffRole.ADMIN)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = session_token(admin)
        page = client.get("/admin/outbox").get_data(as_text=True)
        db.session.remove()
    assert "Email is not configured" not in page


@pytest.mark.parametrize("role", ["marketing", "csm", "advocate"])
def test_only_admins_may_see_the_outbox(as_role, client, session, now, role):
    as_role(role)
    message = _message(session, now, "k")
    session.commit()
    assert client.get("/admin/outbox").status_code == 403
    assert client.get(f"/admin/outbox/{message.id}").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/outbox")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_detail_shows_both_bodies_escaped(as_role, client, session, now):
    as_role("admin")
    message = _message(session, now, "k", subject=f"Hi {SCRIPT}", body_text=f"Text {SCRIPT}",
                       body_html=f"<p>Hello</p>{SCRIPT}")
    session.commit()
    for url in ("/admin/outbox", f"/admin/outbox/{message.id}"):
        page = client.get(url).get_data(as_text=True)
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "Text &lt;script&gt;" in page and "&lt;p&gt;Hello&lt;/p&gt;" in page


def test_a_missing_message_is_not_found(as_role, client):
    as_role("admin")
    assert client.get("/admin/outbox/999").status_code == 404
