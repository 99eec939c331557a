"""POST /api/v1/opportunities (SPEC §14, §15): 201 then 200 by the CRM's id, links replaced, the figures
count the deal, Idempotency-Key replays, scopes, and every bad body a 4xx naming its field."""

import pytest
from sqlalchemy import func, select

from app.models import Opportunity
from tests.api.conftest import error_of
from tests.services.attribution.support import content_item, reference_request, referral

BODY = {"id": "006Dn000004xyz", "name": "Northwind renewal", "amount": 48000, "currency": "USD",
        "stage": "won", "close_date": "2026-05-20"}


def test_upsert_by_the_crm_id(api, read_api, session, now):
    first, second = reference_request(session, now), reference_request(session, now)
    review, friend = content_item(session), referral(session)
    session.commit()
    created = api.post("/opportunities", json={**BODY, "references": [first.id, second.id],
                                               "content": [review.id]})
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["id"], body["amount"], body["currency"], body["stage"], body["close_date"]) == (
        "006Dn000004xyz", 48000, "USD", "won", "2026-05-20")
    assert body["references"] == sorted([first.id, second.id]) and body["content"] == [review.id]
    assert (body["sourced"], body["influenced"]) == (False, True)
    updated = api.post("/opportunities", json={**BODY, "amount": 50000, "referrals": [friend.id]})
    assert updated.status_code == 200, updated.json
    assert (updated.json["amount"], updated.json["references"], updated.json["referrals"]) == (
        50000, [], [friend.id])
    assert updated.json["sourced"] is True
    assert session.scalar(select(func.count()).select_from(Opportunity)) == 1
    kpis = read_api.get("/kpis?from=2026-05-01&to=2026-05-31").json
    assert kpis["revenue"]["sourced_opportunities_cents"] == 5_000_000
    assert kpis["revenue"]["influenced_cents"] == 5_000_000 and kpis["currency"] == "USD"


def test_an_idempotency_key_replays_the_first_answer(api, session):
    first = api.post("/opportunities", json=BODY, key="crm-1")
    again = api.post("/opportunities", json=BODY, key="crm-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert api.post("/opportunities", json={**BODY, "amount": 1}, key="crm-1").status_code == 409


@pytest.mark.parametrize(("change", "field", "says"), [
    ({"currency": "EUR"}, "currency", "program's currency, USD"),
    ({"currency": "dollars"}, "currency", "three-letter"),
    ({"stage": "closed"}, "stage", "one of open, won, lost"),
    ({"close_date": None}, "close_date", "required for a won"),
    ({"close_date": "20 May"}, "close_date", "ISO 8601 date"),
    ({"amount": "48000"}, "amount", "whole number"),
    ({"amount": -5}, "amount", "whole number"),
    ({"id": " "}, "id", "required"),
    ({"id": None}, "id", "required"),
    ({"references": [999999]}, "references", "no reference request with id 999999"),
    ({"referrals": ["1"]}, "referrals", "list of up to 100 referral ids"),
    ({"content": [999999]}, "content", "no content item"),
])
def test_bad_bodies_are_422_naming_the_field(api, session, change, field, says):
    response = api.post("/opportunities", json={**BODY, **change})
    assert response.status_code == 422, response.json
    error = error_of(response)
    assert error["field"] == field and says in error["message"], error
    assert session.scalar(select(func.count()).select_from(Opportunity)) == 0


def test_malformed_json_is_400_and_keys_are_checked(api, read_api, client):
    malformed = api.post("/opportunities", data="{", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400
    assert read_api.post("/opportunities", json=BODY).status_code == 403
    assert client.post("/api/v1/opportunities", json=BODY).status_code == 401
