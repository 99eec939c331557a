"""Attempts over the API: list with filters, record a submission, approve once, reject with a reason."""

import pytest
from sqlalchemy import select

from app.models import Attempt, AttemptState, AttemptTransition, LedgerEntry
from tests.api.conftest import error_of
from tests.factories import make_activity, make_advocate, make_mission, make_submitted_attempt


def test_lists_attempts_with_filters(api, session):
    mine = make_submitted_attempt(session)
    other = make_submitted_attempt(session)
    session.commit()
    assert [a["id"] for a in api.get("/attempts").get_json()["data"]] == [mine.id, other.id]
    by_advocate = api.get(f"/attempts?advocate_id={mine.advocate_id}").get_json()["data"]
    assert [a["id"] for a in by_advocate] == [mine.id]
    by_mission = api.get(f"/attempts?mission_id={other.mission_id}&state=submitted").get_json()["data"]
    assert [a["id"] for a in by_mission] == [other.id]
    assert api.get("/attempts?state=approved").get_json()["data"] == []
    assert error_of(api.get("/attempts?state=done"))["field"] == "state"
    assert error_of(api.get("/attempts?advocate_id=x"))["field"] == "advocate_id"


def test_attempts_paginate(api, session):
    ids = [make_submitted_attempt(session).id for _ in range(3)]
    session.commit()
    first = api.get("/attempts?limit=2").get_json()
    rest = api.get(f"/attempts?limit=2&cursor={first['next_cursor']}").get_json()
    assert [a["id"] for a in first["data"] + rest["data"]] == ids


def test_records_a_submission_for_an_advocate_as_the_key(api, session):
    advocate, mission = make_advocate(session), make_mission(session)
    session.commit()
    body = {"mission_id": mission.id, "advocate_id": advocate.id,
            "evidence": {"link": "https://g2.example.com/review/9"}}
    response = api.post("/attempts", json=body, key="sub-1")
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert data["state"] == "submitted" and data["evidence"]["link"].endswith("/9")
    moves = session.scalars(select(AttemptTransition).where(AttemptTransition.attempt_id == data["id"])).all()
    assert [(m.to_state, m.actor_kind, m.actor_name) for m in moves] == [
        (AttemptState.STARTED, "staff", "API key: CRM sync"),
        (AttemptState.SUBMITTED, "staff", "API key: CRM sync")]
    again = api.post("/attempts", json=body)
    assert again.status_code == 409 and error_of(again)["code"] == "invalid_transition"


@pytest.mark.parametrize(("body", "field"), [
    ({"advocate_id": None}, "advocate_id"), ({"mission_id": "1"}, "mission_id"),
    ({"evidence": {"link": "not a link"}}, "evidence.link"), ({"evidence": {"link": 5}}, "evidence.link"),
    ({"evidence": "https://x"}, "evidence"), ({"advocate_id": 987654}, "advocate_id"),
    ({"mission_id": 987654}, "mission_id"),
])
def test_bad_submissions_are_422_naming_the_field(api, session, body, field):
    advocate, mission = make_advocate(session), make_mission(session)
    session.commit()
    full = {"mission_id": mission.id, "advocate_id": advocate.id, "evidence": {"link": "https://x.example"}}
    response = api.post("/attempts", json={**full, **body})
    assert response.status_code == 422 and error_of(response)["field"] == field
    assert session.query(Attempt).count() == 0


def test_a_mission_not_offered_to_the_advocate_is_409(api, session):
    advocate = make_advocate(session, region="APAC")
    mission = make_mission(session, audience={"regions": ["EMEA"]})
    session.commit()
    response = api.post("/attempts", json={"mission_id": mission.id, "advocate_id": advocate.id,
                                           "evidence": {"link": "https://x.example"}})
    assert response.status_code == 409


def test_approving_awards_once_and_a_second_approve_is_409(api, session):
    attempt = make_submitted_attempt(session, mission=make_mission(session, activity=make_activity(session,
                                                                                                 points=150)))
    session.commit()
    response = api.post(f"/attempts/{attempt.id}/approve", json={"reason": "Verified on G2"})
    assert response.status_code == 200 and response.get_json()["points_awarded"] == 150
    second = api.post(f"/attempts/{attempt.id}/approve")
    assert second.status_code == 409 and error_of(second)["code"] == "invalid_transition"
    entries = session.scalars(select(LedgerEntry).where(LedgerEntry.advocate_id == attempt.advocate_id)).all()
    assert [e.amount for e in entries] == [150]
    session.refresh(attempt)
    assert attempt.decided_by.name == "API key: CRM sync"


def test_rejecting_needs_a_reason(api, session):
    attempt = make_submitted_attempt(session)
    session.commit()
    response = api.post(f"/attempts/{attempt.id}/reject", json={})
    assert response.status_code == 422 and error_of(response)["field"] == "reason"
    done = api.post(f"/attempts/{attempt.id}/reject", json={"reason": "The link is broken."})
    assert done.status_code == 200 and done.get_json()["state"] == "rejected"
    assert api.post(f"/attempts/{attempt.id}/reject", json={"reason": "again"}).status_code == 409


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_deciding_an_unknown_attempt_is_404(api, action):
    assert api.post(f"/attempts/777777/{action}", json={"reason": "x"}).status_code == 404


def test_a_read_key_cannot_decide(read_api, session):
    attempt = make_submitted_attempt(session)
    session.commit()
    assert read_api.post(f"/attempts/{attempt.id}/approve").status_code == 403
    session.refresh(attempt)
    assert attempt.state == AttemptState.SUBMITTED
