"""GET /api/v1/kpis: a read key, the period parameters, the figures as JSON and their documented schema."""

import pytest

from app.models import ApiKey
from app.services import clock
from app.services.api import keys as api_keys
from app.services.program import settings as settings_service
from tests.api.conftest import error_of
from tests.services.analytics.test_kpis import TZ, build_program

IN_PERIOD = "/kpis?from=2026-05-01&to=2026-06-15"


@pytest.fixture
def new_york(session, now):
    settings_service.save(session, changes={"timezone": TZ}, actor_id=None, now=now)
    session.commit()


def test_without_a_key_it_is_401(client):
    response = client.get("/api/v1/kpis")
    assert response.status_code == 401 and error_of(response)["code"] == "unauthorized"


def test_a_read_key_reads_the_figures_and_a_revoked_one_is_401(read_api, session):
    assert read_api.get("/kpis").status_code == 200
    key = session.query(ApiKey).one()
    api_keys.revoke_key(session, key_id=key.id, now=clock.utcnow())
    session.commit()
    response = read_api.get("/kpis")
    assert response.status_code == 401 and "revoked" in error_of(response)["message"]


def test_a_write_key_reads_them_too(api):
    assert api.get("/kpis").status_code == 200


def test_the_default_period_is_the_30_days_ending_today(read_api, new_york):
    # The frozen clock says 2026-06-15 12:00 UTC: 08:00 in New York.
    body = read_api.get("/kpis?colour=blue").get_json()  # unknown parameters are ignored, as on the lists
    assert body["period"] == {"from": "2026-05-17", "to": "2026-06-15", "days": 30, "timezone": TZ,
                              "starts_at": "2026-05-17T04:00:00Z", "ends_at": "2026-06-16T04:00:00Z"}
    assert [m["month"] for m in body["actions_by_month"]] == ["2026-05", "2026-06"]
    assert body["asks_per_advocate_year"]["window"] == {"from": "2025-06-16", "to": "2026-06-15"}
    assert body["as_of"] == "2026-06-15T12:00:00Z" == body["advocates"]["as_of"]


def test_only_from_or_only_to(read_api):
    assert read_api.get("/kpis?to=2026-03-31").get_json()["period"]["from"] == "2026-03-02"
    assert read_api.get("/kpis?from=2026-06-01").get_json()["period"]["to"] == "2026-06-15"
    assert read_api.get("/kpis?from=&to=").get_json()["period"]["from"] == "2026-05-17"


def test_the_figures_of_the_hand_computed_program(read_api, session, new_york):
    build_program(session)
    session.commit()
    body = read_api.get(IN_PERIOD).get_json()
    assert body["advocates"]["by_state"] == {"invited": 1, "active": 4, "paused": 1, "opted_out": 1}
    assert body["advocates"]["by_status"] == {"bronze": 2, "silver": 1, "gold": 1, "platinum": 0}
    assert body["advocates"]["by_readiness_tier"] == [
        {"tier": 1, "eligible_records": 2, "active_advocates": 1},
        {"tier": 2, "eligible_records": 1, "active_advocates": 1},
        {"tier": 3, "eligible_records": 1, "active_advocates": 0},
        {"tier": None, "eligible_records": 1, "active_advocates": 1}]
    assert body["coverage"] == {"eligible_advocates": 3, "eligible_customers": 5, "rate": 0.6,
                                "target": {"min": 0.2, "max": 0.3}, "within_target": False}
    assert body["activation"] == {"eligible_customers": 5, "activated": 3, "rate": 0.6}
    may, june = body["actions_by_month"]
    assert (may["month"], may["total"], may["by_kind"]["review"]) == ("2026-05", 2, 2)
    assert (june["month"], june["total"], june["by_kind"]["webinar"], june["by_kind"]["social_post"]) == (
        "2026-06", 3, 1, 1)
    assert body["reviews"] == {"count": 3, "average_rating": None, "rated": 0}
    assert body["referrals"] == {
        "clicks": 2, "submissions": 5, "qualified": 4, "converted": 2, "lost": 1, "rejected": 1,
        "by_state": {"submitted": 1, "qualified": 1, "converted": 2, "lost": 1, "rejected": 1},
        "conversion_rate": 0.4, "deal_amount_cents": 620_000}
    asks = body["asks_per_advocate_year"]
    bands = ("none", "one", "healthy", "acceptable", "burnout_risk", "burning")
    assert asks["bands"] == dict.fromkeys(bands, 1)
    assert asks["advocates"] == 6
    assert asks["band_limits"]["healthy"] == {"min": 2, "max": 4}
    assert asks["band_limits"]["burning"] == {"min": 11, "max": None}
    assert body["half_life"] == {"median_days": 4.7, "advocates": 4, "single_action": 2}
    assert body["currency"] == "USD"
    assert body["revenue"] == {
        "sourced_cents": 200_000, "converted_referrals": 2, "sourced_opportunities": 0,
        "sourced_opportunities_cents": 0, "unreported_referrals": 2, "unreported_referrals_cents": 200_000,
        "won_opportunities": 0, "won_cents": 0, "influenced_opportunities": 0, "influenced_cents": 0,
        "influenced_lift_percent": 25, "influenced_lift_cents": 0}
    assert body["cost"] == {"rewards_cents": 5000, "redemptions_fulfilled": 3, "redemptions_without_cost": 1,
                            "incentives_cents": None, "total_cents": 5000}
    assert body["roi"] == 39.0
    assert {n["figure"] for n in body["notes"]} == {"revenue.influenced_cents", "cost.rewards_cents",
                                                   "cost.incentives_cents", "currency"}


@pytest.mark.parametrize(("query", "field"), [
    ("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-6-1", "from"), ("to=20260601", "to"),
    ("from=0001-01-01", "from"), ("to=2026-02-30", "to"), ("from=２０２６-01-01", "from"),
    ("to=9999-12-31", "to"), ("to=2026-06-01T00:00:00", "to"), ("from=" + "9" * 5000, "from"),
    ("from=2026-06-02&to=2026-06-01", "from"), ("from=2023-01-01&to=2026-06-15", "from"),
    ("from=2026-07-01", "from"),  # after today, the default `to`
])
def test_bad_inverted_or_too_long_periods_are_422_naming_the_field(read_api, query, field):
    response = read_api.get(f"/kpis?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    error = error_of(response)
    assert (error["code"], error["field"]) == ("validation_failed", field) and error["message"]


# -- the response matches its OpenAPI schema -------------------------------------------------------

JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _type_ok(value, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, JSON_TYPES[name])


def conforms(value, schema: dict, path: str = "$") -> list[str]:
    """Where `value` breaks `schema` (type, required and undeclared properties, descriptions)."""
    problems = [] if schema.get("description") else [f"{path}: no description"]
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if not any(_type_ok(value, t) for t in types):
        return [*problems, f"{path}: {value!r} is not {types}"]
    if isinstance(value, dict):
        props = schema["properties"]
        problems += [f"{path}.{k}: undocumented" for k in value if k not in props]
        problems += [f"{path}.{k}: missing" for k in schema["required"] if k not in value]
        for key in value.keys() & props.keys():
            problems += conforms(value[key], props[key], f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems += conforms(item, schema["items"], f"{path}[{index}]")
    return problems


def test_every_field_of_a_response_is_documented_and_described(read_api, client, session, new_york):
    build_program(session)
    session.commit()
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Kpis"]
    for query in (IN_PERIOD, "/kpis?from=2026-01-01&to=2026-01-01"):
        assert conforms(read_api.get(query).get_json(), schema) == []


def test_the_schema_check_catches_an_undocumented_or_mistyped_field():
    schema = {"type": "object", "description": "x", "required": ["a"],
              "properties": {"a": {"type": "integer", "description": "a"}, "b": {"type": "string"}}}
    assert conforms({"a": 1, "b": "x", "c": 2}, schema) == ["$.c: undocumented", "$.b: no description"]
    assert conforms({"a": True}, schema) == ["$.a: True is not ['integer']"]


def test_the_operation_is_documented_with_its_parameters(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/kpis"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["from", "to"]
    assert {"200", "401", "422"} <= set(operation["responses"])


def test_it_is_read_only(read_api):
    response = read_api.post("/kpis", json={})
    assert response.status_code == 405 and response.is_json
