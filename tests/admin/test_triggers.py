"""Trigger events in the staff area: the rules page (marketing and admin), recording an event by
hand through the API's service, the events list and detail, and the advocate page's events."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import ActivityKind, Ask, AskState, TriggerEvent, TriggerRule
from app.services import clock, triggers
from tests.conftest import session_token
from tests.factories import make_activity, make_advocate, make_mission, make_staff

D = timedelta(days=1)


def count(session, model, *where):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def review(session, now):
    mission = make_mission(session, title="Review us on G2", closes_at=now + 120 * D,
                           activity=make_activity(session, kind=ActivityKind.REVIEW, name="G2 review"))
    session.commit()
    return mission


def event_form(who, **changes):
    return {"identify_by": "email", "advocate": who.email, "event_type": "nps_submitted", "score": "10",
            "csat": "", "milestone": "", "occurred_at": "2026-06-15T09:30", **changes}


def field_error(page: str, field_id: str) -> str:
    found = re.search(rf'<small id="{field_id}-error" class="field-error">([^<]*)</small>', page)
    assert found, f"no error shown for {field_id}"
    return found.group(1)


# --- Recording an event by hand -----------------------------------------------------------------

def test_marketing_records_an_nps_event_and_sees_the_outcome(as_role, client, session, review):
    staff = as_role("marketing")
    advocate = make_advocate(session, name="Maya Thompson", nps=None)
    session.commit()
    page = client.get("/admin/events/new").get_data(as_text=True)
    assert 'value="2026-06-15T12:00"' in page  # now, in the program's timezone
    response = client.post("/admin/events/new", data=event_form(advocate))
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Asked for “Review us on G2”: sent." in detail and "Maya Thompson" in detail
    event = session.scalars(select(TriggerEvent)).one()
    assert (event.source, event.actor_id, event.data, event.occurred_at.hour) == ("staff", staff.id,
                                                                                   {"score": 10}, 9)
    assert advocate.nps == 10
    assert count(session, Ask, Ask.trigger_event_id == event.id, Ask.state == AskState.SENT) == 1


def test_by_external_id_in_the_program_timezone(login, client, session, review, now):
    from app.services.program import settings

    settings.save(session, changes={"timezone": "Europe/Berlin"}, actor_id=None, now=now)
    login(make_staff(session))
    advocate = make_advocate(session, external_id="CRM-7")
    session.commit()
    client.post("/admin/events/new", data=event_form(advocate, identify_by="external_id", advocate="CRM-7",
                                                     event_type="renewal", score=""))
    event = session.scalars(select(TriggerEvent)).one()
    assert (event.advocate_id, event.occurred_at.hour) == (advocate.id, 7)  # 09:30 in Berlin is 07:30 UTC


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"score": ""}, "score", "The NPS score is required"),
    ({"score": "11"}, "score", "from 0 to 10"),
    ({"score": "ten"}, "score", "Enter a whole number"),
    ({"event_type": "support_resolved", "csat": "9"}, "csat", "from 1 to 5"),
    ({"event_type": "support_resolved"}, "csat", "required"),
    ({"advocate": "nobody@example.com"}, "advocate", "No advocate has the email nobody@example.com"),
    ({"identify_by": "external_id", "advocate": "CRM-404"}, "advocate", "No advocate has external_id"),
    ({"advocate": ""}, "advocate", "required"),
    ({"occurred_at": "2026-07-30T10:00"}, "occurred_at", "in the future"),
    ({"occurred_at": "yesterday"}, "occurred_at", "Not a valid datetime"),
    ({"event_type": "sneezed"}, "event_type", "required"),
    ({"event_type": "milestone", "milestone": "m" * 201}, "milestone", "200"),
])
def test_bad_input_is_shown_next_to_the_field_and_changes_nothing(as_role, client, session, review, changes,
                                                                   field, message):
    as_role("marketing")
    advocate = make_advocate(session, nps=6)
    session.commit()
    response = client.post("/admin/events/new", data=event_form(advocate, **changes))
    assert response.status_code == 200
    assert message in field_error(response.get_data(as_text=True), field)
    assert count(session, TriggerEvent) == 0 and count(session, Ask) == 0
    assert advocate.nps == 6


def test_the_other_details_are_ignored(as_role, client, session, review):
    as_role("admin")
    advocate = make_advocate(session)
    session.commit()
    client.post("/admin/events/new", data=event_form(advocate, event_type="milestone", score="3",
                                                     milestone="  1,000 dashboards "))
    assert session.scalars(select(TriggerEvent)).one().data == {"name": "1,000 dashboards"}


# --- The rules page ------------------------------------------------------------------------------

def test_the_rules_page_lists_the_defaults(as_role, client):
    as_role("marketing")
    page = client.get("/admin/triggers/rules").get_data(as_text=True)
    for text in ("NPS score 9–10", "any renewal", "any milestone", "CSAT 5", "Review", "Social post",
                 "Testimonial", "48 h"):
        assert text in page


def test_a_rule_is_added_edited_and_disabled(as_role, client, session):
    as_role("marketing")
    added = client.post("/admin/triggers/rules/new", data={"event_type": "onboarding_completed",
                                                           "activity_kind": "social_post", "priority": "2",
                                                           "enabled": "y"})
    assert added.status_code == 302
    rule = session.scalars(select(TriggerRule).where(TriggerRule.event_type == "onboarding_completed")).one()
    assert (rule.activity_kind, rule.priority, rule.enabled) == (ActivityKind.SOCIAL_POST, 2, True)
    edited = client.post(f"/admin/triggers/rules/{rule.id}", data={
        "event_type": "nps_submitted", "min_value": "10", "max_value": "10", "activity_kind": "testimonial",
        "priority": "0", "enabled": "y"})
    assert edited.status_code == 302
    session.expire_all()
    assert (rule.event_type.value, rule.min_value, rule.max_value) == ("nps_submitted", 10, 10)
    assert client.post(f"/admin/triggers/rules/{rule.id}/toggle").status_code == 302
    session.expire_all()
    assert rule.enabled is False
    assert "Disabled" in client.get("/admin/triggers/rules").get_data(as_text=True)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"event_type": "renewal", "min_value": "3"}, "min_value", "carry no number"),
    ({"event_type": "nps_submitted", "min_value": "9", "max_value": "8"}, "max_value", "not be above"),
    ({"event_type": "support_resolved", "max_value": "6"}, "max_value", "from 1 to 5"),
    ({"event_type": "nps_submitted", "min_value": "x"}, "min_value", "whole number"),
    ({"event_type": "nps_submitted", "activity_kind": ""}, "activity_kind", "required"),
])
def test_a_bad_rule_is_refused_next_to_its_field(as_role, client, session, data, field, message):
    as_role("marketing")
    before = count(session, TriggerRule)
    form = {"activity_kind": "review", "priority": "1", "enabled": "y", **data}
    response = client.post("/admin/triggers/rules/new", data=form)
    assert response.status_code == 200
    assert message in field_error(response.get_data(as_text=True), field).replace("This field is", "required")
    assert count(session, TriggerRule) == before


def test_a_bad_edit_changes_nothing(as_role, client, session):
    as_role("admin")
    rule = session.scalars(select(TriggerRule).where(TriggerRule.event_type == "nps_submitted")).first()
    client.post(f"/admin/triggers/rules/{rule.id}", data={"event_type": "nps_submitted", "min_value": "12",
                                                          "activity_kind": "review", "priority": "1"})
    session.expire_all()
    assert (rule.min_value, rule.max_value, rule.enabled) == (9, 10, True)


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/admin/triggers/rules"), ("get", "/admin/triggers/rules/new"),
    ("post", "/admin/triggers/rules/new"),
    ("get", "/admin/triggers/rules/1"), ("post", "/admin/triggers/rules/1"),
    ("post", "/admin/triggers/rules/1/toggle"), ("get", "/admin/events/new"), ("post", "/admin/events/new"),
])
def test_a_csm_cannot_edit_rules_or_record_events(as_role, client, session, method, path):
    as_role("csm")
    response = getattr(client, method)(path, data={"event_type": "renewal", "activity_kind": "review",
                                                   "priority": "1"})
    assert response.status_code == 403
    rule = session.get(TriggerRule, 1)
    assert (rule.event_type.value, rule.enabled) == ("nps_submitted", True)


def test_the_forms_need_a_csrf_token(app_factory):
    from app.extensions import db

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        staff = make_staff(db.session)
        advocate = make_advocate(db.session)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token(staff), True
        assert client.post("/admin/events/new", data=event_form(advocate)).status_code == 400
        assert client.post("/admin/triggers/rules/1/toggle").status_code == 400
        assert client.post("/admin/triggers/rules/new", data={
            "event_type": "renewal", "activity_kind": "review", "priority": "1"}).status_code == 400
        assert db.session.scalar(select(func.count()).select_from(TriggerEvent)) == 0
        assert db.session.get(TriggerRule, 1).enabled is True
        page = client.get("/admin/events/new").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        posted = client.post("/admin/events/new", data={**event_form(advocate), "csrf_token": token})
        assert posted.status_code == 302
        db.session.remove()


# --- Reading -------------------------------------------------------------------------------------

def _record(session, advocate, event_type, data=None):
    return triggers.record_event(session, event_type=event_type,
                                 advocate=triggers.AdvocateRef(email=advocate.email),
                                 occurred_at=clock.utcnow() - timedelta(hours=1), data=data or {},
                                 source="api", actor_id=None, now=clock.utcnow())


@pytest.fixture
def three_events(session, review):
    csm = make_staff(session, role="csm")
    mine = make_advocate(session, name="Mine Maria", owner_id=csm.id)
    theirs = make_advocate(session, name="Other Oscar", nps=4)
    _record(session, mine, "nps_submitted", {"score": 10})
    other = _record(session, theirs, "renewal")
    _record(session, mine, "support_resolved", {"csat": 3})
    session.commit()
    return csm, other


def test_a_csm_sees_the_events_of_their_book(login, client, three_events):
    csm, other = three_events
    login(csm)
    page = client.get("/admin/events").get_data(as_text=True)
    assert "Mine Maria" in page and "Other Oscar" not in page
    assert "Sent" in page and "No rule" in page and "score 10" in page and "CSAT 3" in page
    assert "Record an event" not in page
    assert client.get(f"/admin/events/{other.event.id}").status_code == 404


def test_the_events_list_is_paginated_newest_first(as_role, client, three_events, monkeypatch):
    as_role("marketing")
    monkeypatch.setattr("app.admin.triggers.PER_PAGE", 2)
    first = client.get("/admin/events").get_data(as_text=True)
    assert "Record an event" in first and "Other Oscar" in first and 'rel="next"' in first
    assert "Blocked" in first and "NPS below 7" in first
    second = client.get("/admin/events?page=2").get_data(as_text=True)
    assert "Mine Maria" in second and "Other Oscar" not in second and "Blocked" not in second


def test_the_event_page_and_the_advocate_page_show_the_outcome(as_role, client, session, review):
    as_role("marketing")
    advocate = make_advocate(session, name="Nico Unhappy", nps=5)
    result = _record(session, advocate, "renewal")
    session.commit()
    detail = client.get(f"/admin/events/{result.event.id}").get_data(as_text=True)
    assert "Blocked" in detail and "Latest NPS is 5" in detail and "any renewal" in detail
    record = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    assert "Trigger events" in record and "Renewal" in record and f"/admin/events/{result.event.id}" in record


def test_user_text_is_escaped(as_role, client, session, review):
    as_role("marketing")
    advocate = make_advocate(session, name="<script>alert(1)</script>")
    result = _record(session, advocate, "milestone", {"name": "<b>big</b>"})
    session.commit()
    for path in ("/admin/events", f"/admin/events/{result.event.id}", f"/admin/advocates/{advocate.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "<b>big</b>" not in page


@pytest.mark.parametrize("role", ["csm", "marketing", "admin"])
def test_the_nav_has_one_events_link_for_every_staff_role(as_role, client, role):
    as_role(role)
    page = client.get("/admin/").get_data(as_text=True)
    assert page.count('href="/admin/events"') == 1
