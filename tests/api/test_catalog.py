"""Activities and missions over the API, and creating a mission through the catalog service."""

from datetime import datetime, timedelta

import pytest

from app.models import Mission
from tests.api.conftest import error_of
from tests.factories import make_activity, make_advocate, make_mission


def test_lists_the_activity_catalog_with_points(api, session):
    activity = make_activity(session, points=400)
    session.commit()
    rows = api.get("/activities").get_json()["data"]
    assert [(r["key"], r["points"]) for r in rows] == [(activity.key, 400)]


def test_lists_missions_and_only_open_ones_with_state_open(api, session, now):
    open_now = make_mission(session)
    later = make_mission(session, opens_at=now + timedelta(days=3))
    make_mission(session, archived=True)
    session.commit()
    every = [m["id"] for m in api.get("/missions").get_json()["data"]]
    assert open_now.id in every and later.id in every and len(every) == 3
    assert [m["id"] for m in api.get("/missions?state=open").get_json()["data"]] == [open_now.id]
    response = api.get("/missions?state=closed")
    assert response.status_code == 422 and error_of(response)["field"] == "state"


def test_missions_paginate(api, session):
    ids = [make_mission(session).id for _ in range(3)]
    session.commit()
    first = api.get("/missions?limit=2").get_json()
    second = api.get(f"/missions?limit=2&cursor={first['next_cursor']}").get_json()
    assert [m["id"] for m in first["data"] + second["data"]] == ids and second["next_cursor"] is None


def _mission_body(activity, **overrides):
    body = {"activity_key": activity.key, "title": "Review us on G2", "instructions": "Tell it straight.",
            "opens_at": "2026-07-01T09:00:00+02:00", "closes_at": "2026-07-31T18:00:00Z",
            "audience": {"min_status": "silver", "regions": ["EMEA"], "readiness_tiers": [1, 2]}}
    body.update(overrides)
    return body


def test_creates_a_mission_with_its_audience_in_utc(api, session):
    activity = make_activity(session)
    named = make_advocate(session)
    session.commit()
    body = _mission_body(activity, audience={"advocate_emails": [named.email], "tags": ["beta"]})
    response = api.post("/missions", json=body, key="m1")
    assert response.status_code == 201, response.get_data(as_text=True)
    mission = session.get(Mission, response.get_json()["id"])
    assert mission.opens_at == datetime(2026, 7, 1, 7, 0)
    assert mission.closes_at == datetime(2026, 7, 31, 18, 0)
    assert mission.audience == {"tags": ["beta"], "advocate_ids": [named.id]}
    assert mission.created_by_id is not None
    assert api.post("/missions", json=body, key="m1").get_json()["id"] == mission.id
    assert session.query(Mission).count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"activity_key": "no-such-activity"}, "activity_key"), ({"title": ""}, "title"),
    ({"opens_at": "next tuesday"}, "opens_at"), ({"closes_at": 20260701}, "closes_at"),
    ({"closes_at": "2026-06-01T00:00:00Z"}, "closes_at"), ({"audience": ["EMEA"]}, "audience"),
    ({"audience": {"min_status": "diamond"}}, "audience.min_status"),
    ({"audience": {"readiness_tiers": [4]}}, "audience.readiness_tiers"),
    ({"audience": {"regions": "EMEA"}}, "audience.regions"),
    ({"audience": {"advocate_emails": ["nobody@example.com"]}}, "audience.advocate_emails"),
    ({"completion_limit": 0}, "completion_limit"),
])
def test_bad_missions_are_422_naming_the_field(api, session, overrides, field):
    activity = make_activity(session)
    session.commit()
    response = api.post("/missions", json=_mission_body(activity, **overrides))
    assert response.status_code == 422 and error_of(response)["field"] == field
    assert session.query(Mission).count() == 0


def test_a_read_key_cannot_create_missions(read_api, session):
    activity = make_activity(session)
    session.commit()
    assert read_api.post("/missions", json=_mission_body(activity)).status_code == 403
