"""PATCH /api/v1/advocates/{id}: pause, resume, remove, owner and ask frequency, with each error code;
and the per-state message an advocate who is not active gets when a submission is recorded for them."""

import pytest
from sqlalchemy import select

from app.models import AccountEvent, AdvocateState, AskFrequency, EventSource, StaffRole
from tests.api.conftest import error_of
from tests.factories import make_advocate, make_mission, make_staff


def patch(api, advocate_id, body, key=None, **kwargs):
    headers = {"Authorization": f"Bearer {api.secret}", **({"Idempotency-Key": key} if key else {})}
    return api.client.patch(f"/api/v1/advocates/{advocate_id}", json=body, headers=headers, **kwargs)


def test_pauses_with_a_reason_and_answers_the_advocate(api, session):
    advocate = make_advocate(session)
    session.commit()
    response = patch(api, advocate.id, {"state": "paused", "reason": "On leave until March"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == "paused" and response.get_json()["id"] == advocate.id
    event = session.scalars(select(AccountEvent).where(AccountEvent.advocate_id == advocate.id)).one()
    assert (event.source, event.from_value, event.to_value, event.reason) == (
        EventSource.API, "active", "paused", "On leave until March")
    assert event.actor.name.startswith("API key:")


def test_changes_owner_and_ask_frequency_together(api, session):
    owner = make_staff(session, role=StaffRole.CSM, email="casey@example.com")
    advocate = make_advocate(session, ask_frequency=AskFrequency.HIGH)
    session.commit()
    response = patch(api, advocate.id, {"owner_email": "Casey@Example.com", "ask_frequency": "standard"})
    assert response.status_code == 200
    data = response.get_json()
    assert (data["owner_id"], data["ask_frequency"]) == (owner.id, "standard")


def test_removes_and_the_key_replays_the_first_answer(api, session):
    advocate = make_advocate(session)
    session.commit()
    body = {"state": "opted_out", "reason": "Asked to leave by email"}
    first = patch(api, advocate.id, body, key="rm-1")
    again = patch(api, advocate.id, body, key="rm-1")
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true" and again.get_json() == first.get_json()
    session.expire_all()
    assert session.get(type(advocate), advocate.id).state == AdvocateState.OPTED_OUT
    assert len(session.scalars(select(AccountEvent)).all()) == 1


@pytest.mark.parametrize(("body", "field", "words"), [
    ({}, None, "at least one change"),
    ({"reason": "only a reason"}, None, "at least one change"),
    ({"state": "paused", "colour": "red"}, "colour", "unknown field"),
    ({"state": "asleep", "reason": "x"}, "state", "one of"),
    ({"state": "invited", "reason": "x"}, "state", "active, paused, opted_out"),
    ({"state": "paused"}, "reason", "why"),
    ({"owner_email": "nobody@example.com"}, "owner_email", "No active staff"),
    ({"owner_email": 42}, "owner_email", "text"),
    ({"ask_frequency": "high"}, "ask_frequency", "own opt-in"),
    ({"ask_frequency": "sometimes"}, "ask_frequency", "one of"),
])
def test_bad_values_are_422_naming_the_field(api, session, body, field, words):
    advocate = make_advocate(session)
    session.commit()
    response = patch(api, advocate.id, body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == field and words in error["message"]
    session.expire_all()
    assert session.get(type(advocate), advocate.id).state == AdvocateState.ACTIVE
    assert session.scalars(select(AccountEvent)).all() == []


def test_a_move_the_table_forbids_is_409(api, session):
    invited = make_advocate(session, state=AdvocateState.INVITED, password_hash=None)
    session.commit()
    response = patch(api, invited.id, {"state": "paused", "reason": "x"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_transition" and error_of(response)["field"] == "state"


def test_an_unknown_advocate_is_404_and_a_read_key_403(api, read_api, session):
    advocate = make_advocate(session)
    session.commit()
    assert patch(api, 999_999, {"state": "paused", "reason": "x"}).status_code == 404
    assert patch(api, 2**31, {"state": "paused", "reason": "x"}).status_code == 404  # past the id range
    assert patch(read_api, advocate.id, {"state": "paused", "reason": "x"}).status_code == 403


def test_not_json_is_400(api, session):
    advocate = make_advocate(session)
    session.commit()
    response = api.client.patch(f"/api/v1/advocates/{advocate.id}", data="state=paused",
                                headers={"Authorization": f"Bearer {api.secret}",
                                         "Content-Type": "application/json"})
    assert response.status_code == 400


@pytest.mark.parametrize(("state", "words"), [(AdvocateState.INVITED, "accept your invitation"),
                                              (AdvocateState.PAUSED, "paused"),
                                              (AdvocateState.OPTED_OUT, "left the program")])
def test_a_submission_for_someone_not_active_says_why_in_their_state(api, session, state, words):
    advocate, mission = make_advocate(session, state=state), make_mission(session)
    session.commit()
    response = api.post("/attempts", json={"mission_id": mission.id, "advocate_id": advocate.id,
                                           "evidence": {"link": "https://g2.example.com/r/1"}})
    assert response.status_code in (409, 422), response.get_data(as_text=True)
    message = error_of(response)["message"]
    assert words in message and (state == AdvocateState.PAUSED or "paused" not in message)


def test_the_import_takes_state_and_owner_email_columns(api, session):
    owner = make_staff(session, role=StaffRole.CSM, email="casey@example.com")
    paused = make_advocate(session, email="ana@example.com", name="Ana")
    make_advocate(session, email="bob@example.com", name="Bob", company="Bob Co")
    session.commit()
    csv = (b"email,name,company,state,owner_email\n"
           b"ana@example.com,Ana,,paused,casey@example.com\n"
           b"bob@example.com,Bob,Changed Co,opted_out,who@example.com\n")
    response = api.post("/advocates/import", data=csv, content_type="text/csv")
    assert response.status_code == 200
    assert response.get_json() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": [
        {"line": 3, "key": "bob@example.com",
         "reasons": ["owner_email who@example.com: no active staff user has this email"]}]}
    session.expire_all()
    ana = session.get(type(paused), paused.id)
    assert (ana.state, ana.owner_id) == (AdvocateState.PAUSED, owner.id)
    bob = session.scalars(select(type(paused)).where(type(paused).email == "bob@example.com")).one()
    assert (bob.state, bob.company) == (AdvocateState.ACTIVE, "Bob Co")
    sources = session.scalars(select(AccountEvent.source)).all()
    assert sources == [EventSource.IMPORT, EventSource.IMPORT]
