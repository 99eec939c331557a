"""Advocates over the API: list with filters and cursors, one advocate, ledger, adjustments, askability."""

import pytest
from sqlalchemy import func, select

from app.models import Advocate, AdvocateState, LedgerEntry, LedgerReason, Status
from app.services.points import ledger
from tests.api.conftest import error_of
from tests.factories import fund, make_activity, make_advocate


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["id"] for row in response.get_json()["data"]]


def test_lists_advocates_by_id_across_pages_with_a_cursor(api, session):
    made = [make_advocate(session).id for _ in range(5)]
    session.commit()
    first = api.get("/advocates?limit=2")
    assert _ids(first) == made[:2]
    cursor = first.get_json()["next_cursor"]
    second = api.get(f"/advocates?limit=2&cursor={cursor}")
    assert _ids(second) == made[2:4]
    third = api.get(f"/advocates?limit=2&cursor={second.get_json()['next_cursor']}")
    assert _ids(third) == made[4:] and third.get_json()["next_cursor"] is None


def test_filters_by_state_status_readiness_and_email(api, session):
    paused = make_advocate(session, state=AdvocateState.PAUSED)
    gold = make_advocate(session, status=Status.GOLD, readiness_tier=1)
    other = make_advocate(session, readiness_tier=2)
    session.commit()
    assert _ids(api.get("/advocates?state=paused")) == [paused.id]
    assert _ids(api.get("/advocates?status=gold")) == [gold.id]
    assert _ids(api.get("/advocates?readiness=2")) == [other.id]
    assert _ids(api.get(f"/advocates?email={other.email.upper()}")) == [other.id]


@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "limit"), ("limit=501", "limit"), ("limit=abc", "limit"), ("limit=-1", "limit"),
    ("limit=%C2%B2", "limit"), ("state=sleeping", "state"), ("status=diamond", "status"),
    ("readiness=4", "readiness"),
])
def test_bad_list_parameters_are_422_naming_the_field(api, query, field):
    response = api.get(f"/advocates?{query}")
    assert response.status_code == 422 and error_of(response)["field"] == field


def test_the_limit_goes_up_to_500(api, session):
    make_advocate(session)
    session.commit()
    assert len(_ids(api.get("/advocates?limit=500"))) == 1


@pytest.mark.parametrize("cursor", ["garbage", "MQ", "eyJpZCI6MX0.tampered", ""])
def test_a_tampered_cursor_is_400_not_500(api, session, cursor):
    for _ in range(3):
        make_advocate(session)
    session.commit()
    good = api.get("/advocates?limit=1").get_json()["next_cursor"]
    response = api.get(f"/advocates?cursor={cursor or good[:-2] + 'xx'}")
    assert response.status_code == 400 and error_of(response)["field"] == "cursor"


def test_a_cursor_from_another_list_is_refused(api, session):
    for _ in range(2):
        make_advocate(session)
    make_activity(session)
    make_activity(session)
    session.commit()
    cursor = api.get("/advocates?limit=1").get_json()["next_cursor"]
    assert api.get(f"/activities?cursor={cursor}").status_code == 400


def test_one_advocate_with_balance_lifetime_points_status_and_readiness(api, session):
    advocate = make_advocate(session, readiness_tier=1, status=Status.SILVER)
    fund(session, advocate, 120)
    session.commit()
    body = api.get(f"/advocates/{advocate.id}").get_json()
    assert body["balance"] == 120 and body["lifetime_points"] == 120
    assert body["status"] == "silver" and body["readiness"] == 1 and body["email"] == advocate.email


@pytest.mark.parametrize("path", ["/advocates/999999", "/advocates/99999999999", "/advocates/0",
                                  "/advocates/999999/ledger", "/advocates/999999/askability"])
def test_unknown_advocates_are_404(api, path):
    response = api.get(path)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_the_ledger_is_newest_first_and_paginated(api, session, now):
    advocate = make_advocate(session)
    entries = [ledger.post_entry(session, advocate_id=advocate.id, amount=10 + n, reason=LedgerReason.BONUS,
                                 idempotency_key=f"t:{n}", now=now).entry_id for n in range(3)]
    session.commit()
    first = api.get(f"/advocates/{advocate.id}/ledger?limit=2")
    assert _ids(first) == entries[::-1][:2]
    rest = api.get(f"/advocates/{advocate.id}/ledger?limit=2&cursor={first.get_json()['next_cursor']}")
    assert _ids(rest) == [entries[0]] and rest.get_json()["next_cursor"] is None


def _entries(session, advocate_id):
    return session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.advocate_id == advocate_id))


def test_an_adjustment_posts_one_entry_recorded_as_the_key(api, session):
    advocate = make_advocate(session)
    session.commit()
    body = {"amount": 75, "reason": "Webinar help"}
    response = api.post(f"/advocates/{advocate.id}/adjustments", json=body, key="adj-1")
    assert response.status_code == 201
    body = response.get_json()
    assert body["balance"] == 75 and body["entry"]["reason"] == "adjustment"
    entry = session.get(LedgerEntry, body["entry"]["id"])
    assert entry.actor.name == "API key: CRM sync" and entry.note == "Webinar help"
    assert entry.idempotency_key.startswith("adjustment:api:")


def test_repeating_an_idempotency_key_replays_the_first_response_and_changes_nothing(api, session):
    advocate = make_advocate(session)
    session.commit()
    path, body = f"/advocates/{advocate.id}/adjustments", {"amount": 40, "reason": "Thanks"}
    first = api.post(path, json=body, key="same")
    again = api.post(path, json={"reason": "Thanks", "amount": 40}, key="same")
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _entries(session, advocate.id) == 1
    assert session.get(Advocate, advocate.id).balance == 40


def test_an_idempotency_key_reused_for_another_request_is_409(api, session):
    advocate = make_advocate(session)
    session.commit()
    api.post(f"/advocates/{advocate.id}/adjustments", json={"amount": 40, "reason": "Thanks"}, key="k")
    other = {"amount": 41, "reason": "Thanks"}
    response = api.post(f"/advocates/{advocate.id}/adjustments", json=other, key="k")
    assert response.status_code == 409 and error_of(response)["field"] == "Idempotency-Key"
    assert _entries(session, advocate.id) == 1


def test_without_an_idempotency_key_each_post_is_its_own_adjustment(api, session):
    advocate = make_advocate(session)
    session.commit()
    for _ in range(2):
        response = api.post(f"/advocates/{advocate.id}/adjustments", json={"amount": 5, "reason": "x"})
        assert response.status_code == 201
    assert _entries(session, advocate.id) == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"reason": "x"}, "amount"), ({"amount": 0, "reason": "x"}, "amount"),
    ({"amount": "5", "reason": "x"}, "amount"),
    ({"amount": True, "reason": "x"}, "amount"), ({"amount": 10**30, "reason": "x"}, "amount"),
    ({"amount": 1.5, "reason": "x"}, "amount"), ({"amount": 5}, "reason"),
    ({"amount": 5, "reason": "  "}, "reason"),
    ({"amount": 5, "reason": ["x"]}, "reason"), ({"amount": -50, "reason": "overdraw"}, "amount"),
])
def test_bad_adjustments_are_422_naming_the_field_and_change_nothing(api, session, body, field):
    advocate = make_advocate(session)
    session.commit()
    response = api.post(f"/advocates/{advocate.id}/adjustments", json=body, key="bad")
    assert response.status_code == 422 and error_of(response)["field"] == field
    assert _entries(session, advocate.id) == 0
    fixed = api.post(f"/advocates/{advocate.id}/adjustments", json={"amount": 5, "reason": "ok"}, key="bad")
    assert fixed.status_code == 201, "a failed request does not use up its idempotency key"


def test_adjusting_an_unknown_advocate_is_404(api):
    response = api.post("/advocates/424242/adjustments", json={"amount": 5, "reason": "x"})
    assert response.status_code == 404


def test_askability_reports_the_governor_decision(api, session, now):
    happy = make_advocate(session)
    unhappy = make_advocate(session, nps=3)
    activity = make_activity(session)
    session.commit()
    assert api.get(f"/advocates/{happy.id}/askability").get_json()["askable"] is True
    blocked = api.get(f"/advocates/{unhappy.id}/askability?activity_key={activity.key}").get_json()
    assert blocked["askable"] is False and blocked["reason"] == "low_nps" and blocked["askable_at"] is None
    response = api.get(f"/advocates/{happy.id}/askability?activity_key=nope")
    assert response.status_code == 422 and error_of(response)["field"] == "activity_key"
