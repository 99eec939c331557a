"""POST and GET /api/v1/reference-requests (SPEC §10, §15): 201 with the state and ranked matches,
the chain on GET, scopes, 422 naming the field, Idempotency-Key replays filing once."""

from sqlalchemy import func, select

from app.models import ReferenceRequest
from app.services import references
from tests.api.conftest import ApiClient, error_of
from tests.services.references.support import LINKS, referee, reference_activity

BODY = {"prospect_company": "Northwind", "industry": "Software", "size_band": "51-200", "region": "EMEA",
        "use_cases": ["sso"], "needed_by": "2026-07-01", "crm_opportunity_id": 4711,
        "opportunity_amount": 48000}


def setup_matches(session, now):
    reference_activity(session)
    best = referee(session, now, industry="Software", company_size="51-200", region="EMEA", use_cases=["sso"])
    second = referee(session, now, industry="Software")
    session.commit()
    return best, second


def test_filing_answers_the_ranked_matches(api, session, now):
    best, second = setup_matches(session, now)
    response = api.post("/reference-requests", json=BODY)
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["state"], body["prospect_company"]) == ("open", "Northwind")
    assert body["crm_opportunity_id"] == "4711"
    assert body["needed_by"] == "2026-07-01" and body["opportunity_amount"] == 48000
    assert [(m["advocate_id"], m["fit_score"]) for m in body["matches"]] == [(best.id, 110), (second.id, 65)]
    assert body["matches"][0]["reasons"][0] == "Same industry (Software): +40"
    assert body["asks"] == []


def test_get_shows_the_state_and_the_chain(api, read_api, session, now):
    best, _ = setup_matches(session, now)
    created = api.post("/reference-requests", json=BODY).json
    references.send_ask(session, request_id=created["id"], advocate_id=None, sent_by="Mia", now=now,
                        links=LINKS)
    session.commit()
    body = read_api.get(f"/reference-requests/{created['id']}").json
    assert body["state"] == "asked" and body["matches"] == []
    assert [(a["advocate_id"], a["rank"], a["state"]) for a in body["asks"]] == [(best.id, 1, "offered")]
    assert read_api.get("/reference-requests/999999").status_code == 404


def test_bad_bodies_name_the_field(api, session, now):
    for body, field in (({**BODY, "prospect_company": " "}, "prospect_company"),
                        ({**BODY, "needed_by": "July"}, "needed_by"),
                        ({**BODY, "needed_by": "2020-01-01"}, "needed_by"),
                        ({**BODY, "opportunity_amount": "5"}, "opportunity_amount"),
                        ({**BODY, "use_cases": ["50% off"]}, "use_cases")):
        response = api.post("/reference-requests", json=body)
        assert response.status_code == 422, (body, response.json)
        assert error_of(response)["field"] == field


def test_a_read_key_cannot_file(read_api, session):
    assert read_api.post("/reference-requests", json=BODY).status_code == 403


def test_a_replay_files_once(api, session, now):
    setup_matches(session, now)
    first = api.post("/reference-requests", json=BODY, key="req-1")
    again = api.post("/reference-requests", json=BODY, key="req-1")
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"]
    assert session.scalar(select(func.count()).select_from(ReferenceRequest)) == 1


def test_documented_in_openapi(client: ApiClient, api, session):
    spec = api.get("/openapi.json").json
    assert set(spec["paths"]["/reference-requests"]) == {"post"}
    assert "matches" in spec["components"]["schemas"]["ReferenceRequest"]["properties"]
