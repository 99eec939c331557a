"""POST /api/v1/events (SPEC §8 through §15): keys and scopes, 201 with the outcome, 400/404/422,
and Idempotency-Key replays that make one ask."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import ActivityKind, Ask, AskState, StaffUser, TriggerEvent
from tests.api.conftest import ApiClient, error_of
from tests.factories import make_activity, make_advocate, make_mission
from tests.services.asks.support import sent_ask

D = timedelta(days=1)


@pytest.fixture
def review(session, now):
    mission = make_mission(session, title="Review us on G2", closes_at=now + 120 * D,
                           activity=make_activity(session, kind=ActivityKind.REVIEW))
    session.commit()
    return mission


@pytest.fixture
def maya(session):
    advocate = make_advocate(session, email="maya@brightlane.example", external_id="CRM-1042", nps=None)
    session.commit()
    return advocate


def nps(score=10, who=None, at="2026-06-15T10:00:00Z"):
    return {"type": "nps_submitted", "advocate": who or {"email": "maya@brightlane.example"},
            "occurred_at": at, "data": {"score": score}}


def count(session, model, *where):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_an_nps_event_is_stored_updates_the_nps_and_sends_the_ask(api, session, review, maya):
    response = api.post("/events", json=nps())
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["type"], body["advocate_id"], body["occurred_at"], body["data"], body["source"]) == (
        "nps_submitted", maya.id, "2026-06-15T10:00:00Z", {"score": 10}, "api")
    outcome = body["outcome"]
    assert outcome["result"] == "sent" and outcome["message"].startswith("Asked for “Review us on G2”: sent.")
    assert (outcome["rule"]["event_type"], outcome["rule"]["min_value"], outcome["rule"]["max_value"],
            outcome["rule"]["activity_kind"]) == ("nps_submitted", 9, 10, "review")
    assert (outcome["ask"]["state"], outcome["ask"]["mission_id"]) == ("sent", review.id)
    session.expire_all()
    assert maya.nps == 10
    event = session.get(TriggerEvent, body["id"])
    actor = session.get(StaffUser, event.actor_id)
    assert actor.name == "API key: CRM sync"
    ask = session.get(Ask, outcome["ask"]["id"])
    assert (ask.source, ask.trigger_event_id) == ("trigger", event.id)


def test_outcomes_without_an_ask_and_a_queued_one(api, session, review, maya, now):
    no_rule = api.post("/events", json=nps(score=8)).get_json()["outcome"]
    assert (no_rule["result"], no_rule["rule"], no_rule["ask"]) == ("no_rule", None, None)
    no_mission = api.post("/events", json={"type": "milestone", "advocate": {"external_id": "CRM-1042"},
                                           "occurred_at": "2026-06-15T11:00:00+01:00",
                                           "data": {"name": "100 seats"}}).get_json()["outcome"]
    assert no_mission["result"] == "no_mission" and no_mission["rule"]["activity_kind"] == "social_post"
    assert "no open mission for this activity kind" in no_mission["message"].lower()
    other = make_advocate(session, external_id="42")
    sent_ask(session, other, now - 10 * D)
    session.commit()
    queued = api.post("/events", json={"type": "renewal", "advocate": {"external_id": 42},
                                       "occurred_at": "2026-06-14T09:00:00"}).get_json()["outcome"]
    assert (queued["result"], queued["ask"]["reason"], queued["ask"]["queued_until"]) == (
        "queued", "frequency_cap", "2026-08-04T12:00:00Z")


def test_an_older_nps_event_is_superseded(api, session, review, maya):
    assert api.post("/events", json=nps(score=3, at="2026-06-14T10:00:00Z")).status_code == 201
    late = api.post("/events", json=nps(score=10, at="2026-06-01T10:00:00Z"))
    assert late.status_code == 201 and late.get_json()["outcome"]["result"] == "superseded"
    session.expire_all()
    assert maya.nps == 3
    assert count(session, Ask) == 0


def test_no_key_is_401_and_a_read_key_is_403(client, read_api, session, review, maya):
    response = ApiClient(client, None).post("/events", json=nps())
    assert response.status_code == 401 and error_of(response)["code"] == "unauthorized"
    response = read_api.post("/events", json=nps())
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert count(session, TriggerEvent) == 0


@pytest.mark.parametrize("who", [{"email": "nobody@example.com"}, {"external_id": "CRM-404"}])
def test_an_unknown_advocate_is_404(api, session, review, maya, who):
    response = api.post("/events", json=nps(who=who))
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "not_found" and error["field"] == f"advocate.{next(iter(who))}"
    assert count(session, TriggerEvent) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"type": None}, "type"), ({"type": "nps"}, "type"), ({"type": 5}, "type"),
    ({"advocate": None}, "advocate"), ({"advocate": {}}, "advocate"), ({"advocate": "maya"}, "advocate"),
    ({"advocate": {"email": 5}}, "advocate.email"),
    ({"advocate": {"external_id": ["x"]}}, "advocate.external_id"),
    ({"advocate": {"email": "x" * 300}}, "advocate.email"),
    ({"occurred_at": None}, "occurred_at"), ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"occurred_at": "2031-01-01T00:00:00Z"}, "occurred_at"),
    ({"occurred_at": "1999-12-31T00:00:00Z"}, "occurred_at"),
    ({"occurred_at": "9999-12-31T23:59:59-14:00"}, "occurred_at"),
    ({"data": None}, "data.score"), ({"data": {"score": 11}}, "data.score"),
    ({"data": {"score": "10"}}, "data.score"), ({"data": {"score": 9.0}}, "data.score"),
    ({"data": []}, "data"), ({"data": {"score": 9, "x": "y" * 3000}}, "data"),
])
def test_validation_errors_are_422_naming_the_field(api, session, review, maya, change, field):
    response = api.post("/events", json={**nps(), **change})
    assert response.status_code == 422, response.get_data(as_text=True)
    error = error_of(response)
    assert (error["code"], error["field"]) == ("validation_failed", field)
    assert count(session, TriggerEvent) == 0 and count(session, Ask) == 0


@pytest.mark.parametrize(("event", "field"), [
    ({"type": "support_resolved", "data": {"csat": 6}}, "data.csat"),
    ({"type": "support_resolved", "data": {}}, "data.csat"),
    ({"type": "milestone", "data": {"name": {"a": 1}}}, "data.name"),
])
def test_validation_per_type(api, session, maya, event, field):
    response = api.post("/events", json={"advocate": {"email": maya.email},
                                         "occurred_at": "2026-06-15T10:00:00Z", **event})
    assert response.status_code == 422 and error_of(response)["field"] == field


@pytest.mark.parametrize("raw", [b"not json", b"[1]", b'"x"', b"{"])
def test_malformed_bodies_are_400(api, maya, raw):
    response = api.post("/events", data=raw, content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "malformed"


def test_an_idempotent_replay_returns_the_first_response_and_makes_one_ask(api, session, review, maya):
    first = api.post("/events", json=nps(), key="nps-123")
    again = api.post("/events", json=nps(), key="nps-123")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert count(session, TriggerEvent) == 1
    assert count(session, Ask, Ask.state == AskState.SENT) == 1 and count(session, Ask) == 1
    other = api.post("/events", json=nps(score=9), key="nps-123")
    assert other.status_code == 409 and error_of(other)["code"] == "conflict"


def test_the_same_event_without_a_key_is_recorded_again_and_the_governor_blocks_the_repeat(
        api, session, review, maya):
    api.post("/events", json=nps())
    second = api.post("/events", json=nps()).get_json()["outcome"]
    assert (second["result"], second["ask"]["reason"]) == ("blocked", "already_asked")
    assert count(session, TriggerEvent) == 2 and count(session, Ask, Ask.state == AskState.SENT) == 1
