"""The advocate's own email choices on the profile page (no id in the URL: always the signed-in one)."""

import re

from app.models import AskFrequency
from tests.factories import make_advocate


def _ticked(html: str) -> set[str]:
    """The email categories whose checkbox is ticked on the page."""
    boxes = re.findall(r'<input[^>]*name="emails"[^>]*>', html)
    assert len(boxes) == 3
    return {re.search(r'value="(\w+)"', box).group(1) for box in boxes if " checked" in box}


def test_the_profile_shows_every_category_ticked_by_default(portal):
    html = portal.get("/portal/profile").get_data(as_text=True)
    assert "Email me about" in html and "always arrive" in html
    assert _ticked(html) == {"missions", "reminders", "checkins"}
    assert 'action="/portal/profile/emails"' in html


def test_unticked_categories_are_saved_as_opt_outs(portal, session, advocate):
    response = portal.post("/portal/profile/emails", data={"emails": ["missions"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/profile")
    session.expire_all()
    assert advocate.email_opt_outs == ["reminders", "checkins"]
    html = portal.get("/portal/profile").get_data(as_text=True)
    assert "Your email choices are saved." in html
    assert _ticked(html) == {"missions"}
    portal.post("/portal/profile/emails", data={"emails": ["missions", "reminders", "checkins"]})
    session.expire_all()
    assert advocate.email_opt_outs == []


def test_nothing_ticked_turns_every_email_off(portal, session, advocate):
    portal.post("/portal/profile/emails", data={})
    session.expire_all()
    assert advocate.email_opt_outs == ["missions", "reminders", "checkins"]


def test_an_unknown_category_is_refused_next_to_the_field(portal, session, advocate):
    response = portal.post("/portal/profile/emails", data={"emails": ["missions", "newsletter"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="emails-error"' in html
    session.expire_all()
    assert advocate.email_opt_outs == []


def test_an_advocate_changes_only_their_own_choices(portal, session, advocate):
    other = make_advocate(session, email_opt_outs=["checkins"])
    session.commit()
    portal.post("/portal/profile/emails", data={"emails": []}, query_string={"advocate_id": other.id})
    session.expire_all()
    assert advocate.email_opt_outs == ["missions", "reminders", "checkins"]
    assert other.email_opt_outs == ["checkins"]


def test_the_two_profile_forms_leave_each_other_alone(portal, session, advocate):
    portal.post("/portal/profile", data={"high_frequency": "y"})
    portal.post("/portal/profile/emails", data={"emails": ["reminders"]})
    session.expire_all()
    assert advocate.ask_frequency == AskFrequency.HIGH
    assert advocate.email_opt_outs == ["missions", "checkins"]
    portal.post("/portal/profile", data={})
    session.expire_all()
    assert advocate.email_opt_outs == ["missions", "checkins"]
    html = portal.get("/portal/profile").get_data(as_text=True)
    assert _ticked(html) == {"reminders"}
