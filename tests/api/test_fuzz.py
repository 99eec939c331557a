"""Never a 500 for bad input: every API write (each route with a write method: POST, PUT, PATCH) gets
malformed, mistyped and oversized bodies."""

import pytest

from app.api.auth import WRITE_METHODS
from tests.api.conftest import error_of
from tests.factories import make_submitted_attempt

RAW_BODIES = [
    b"not json", b"{", b'{"amount": 5,}', b"\xff\xfe\x00", b"[1, 2]", b'"text"', b"null", b"42",
    b"[" * 5000 + b"]" * 5000, b'{"amount": NaN, "reason": "x"}', b'{"amount": Infinity}',
    b'{"amount": 1' + b"0" * 5000 + b"}",
]
JSON_BODIES = [
    {"amount": 10**40, "reason": "x"}, {"amount": -(10**40)}, {"amount": 1e308}, {"amount": [], "reason": {}},
    {"mission_id": 2**63, "advocate_id": 2**31}, {"mission_id": -1, "advocate_id": 0, "evidence": []},
    {"evidence": {"link": ["x"], "text": 5}},
    {"activity_key": 5, "title": None, "opens_at": [], "closes_at": {}},
    {"audience": {"advocate_emails": [1, 2], "readiness_tiers": ["1"], "min_status": []}},
    {"reason": "x" * 100_000}, {"title": "t" * 10_000, "activity_key": "k" * 10_000},
    {"opens_at": "9999-99-99", "closes_at": "0000-01-01T00:00:00"},
    {"type": "nps_submitted", "advocate": {"email": ["x"]}, "occurred_at": 5, "data": {"score": 10**40}},
    {"type": "renewal", "advocate": {"external_id": 10**40}, "occurred_at": "9999-12-31T23:59:59-14:00"},
    {"type": ["milestone"], "advocate": [], "data": "x"},
    {"type": "support_resolved", "data": {"csat": 1e308}},
]


def _write_paths(app, attempt_id: int) -> list[tuple[str, str]]:
    paths = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & WRITE_METHODS if rule.endpoint.startswith("api.") else ()):
            paths.append((method, app.url_map.bind("localhost").build(
                rule.endpoint, {name: attempt_id for name in rule.arguments})))
    return paths


@pytest.fixture
def targets(app, session):
    attempt = make_submitted_attempt(session)
    session.commit()
    paths = _write_paths(app, attempt.id)
    assert len(paths) >= 9 and ("PUT", f"/api/v1/advocates/by-external-id/{attempt.id}") in paths
    assert ("PATCH", f"/api/v1/advocates/{attempt.id}") in paths
    return paths


@pytest.mark.parametrize("raw", RAW_BODIES, ids=range(len(RAW_BODIES)))
def test_malformed_bodies_are_400_on_every_write(api, targets, raw):
    for method, path in targets:
        response = api.client.open(path, method=method, data=raw, content_type="application/json",
                                   headers={"Authorization": f"Bearer {api.secret}"})
        assert response.status_code == 400, (path, response.status_code)
        assert error_of(response)["code"] == "malformed"


@pytest.mark.parametrize("body", JSON_BODIES, ids=range(len(JSON_BODIES)))
def test_mistyped_and_oversized_bodies_never_500(api, targets, body):
    for method, path in targets:
        response = api.client.open(path, method=method, json=body,
                                   headers={"Authorization": f"Bearer {api.secret}",
                                            "Idempotency-Key": "fuzz"})
        status = response.status_code
        assert 400 <= status < 500 or status in (200, 201), (path, status)
        if response.status_code >= 400:
            assert set(error_of(response)) == {"code", "message", "field"}


@pytest.mark.parametrize("key", ["", "x" * 201, "tab\there"])
def test_bad_idempotency_keys_are_422(api, targets, key):
    method, path = targets[0]
    response = api.client.open(path, method=method, json={},
                               headers={"Authorization": f"Bearer {api.secret}", "Idempotency-Key": key})
    assert response.status_code == 422 and error_of(response)["field"] == "Idempotency-Key"


@pytest.mark.parametrize("query", ["limit=99999999999999999999", "cursor=%00", "advocate_id=1e5",
                                   "readiness=99999999999999999999999", "email=%00%ff"])
def test_odd_query_strings_never_500(api, query):
    for path in ("/advocates", "/attempts", "/redemptions", "/leaderboards/week"):
        assert api.get(f"{path}?{query}").status_code < 500


# Found by the property run (tests/api/test_property.py); a 500 on PostgreSQL, which cannot store NUL.

@pytest.mark.parametrize("query", ["email=a%00b", "region=%00", "industry=x%00", "activity_key=%00",
                                   "x%00=1"])
def test_a_nul_in_any_query_parameter_is_422(api, session, query):
    advocate = make_submitted_attempt(session).advocate_id
    session.commit()
    paths = ("/advocates", "/leaderboards/week", f"/advocates/{advocate}/askability",
             f"/advocates/{advocate}")
    for path in paths:
        response = api.get(f"{path}?{query}")
        assert response.status_code == 422, (path, response.status_code)
        assert "NUL" in error_of(response)["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": 5, "reason": "a\u0000b"}, "reason"), ({"title": "x", "audience": {"regions": ["\u0000"]}},
                                                     "audience.regions"),
    ({"evidence": {"text": "\u0000"}}, "evidence.text"), ({"name\u0000": "x"}, None)])
def test_a_nul_in_a_json_body_is_422_naming_the_field(api, targets, body, field):
    for method, path in targets:
        response = api.client.open(path, method=method, json=body,
                                   headers={"Authorization": f"Bearer {api.secret}"})
        if path.endswith("/import"):
            continue  # an array of records: checked record by record (below)
        assert response.status_code == 422, (path, response.status_code)
        assert error_of(response)["field"] == field


def test_a_nul_in_an_imported_record_rejects_that_record_only(api):
    response = api.post("/advocates/import", json=[{"email": "a@x.example", "name": "A\u0000"},
                                                   {"email": "b@x.example", "name": "B"}])
    assert response.status_code == 200
    report = response.get_json()
    assert report["created"] == 1 and [r["line"] for r in report["rejected"]] == [1]
    csv = api.post("/advocates/import", data=b"email,name\nc@x.example,C\x00\n",
                   headers={"Content-Type": "text/csv"})
    assert csv.status_code == 200 and csv.get_json()["rejected"][0]["line"] == 2


@pytest.mark.parametrize(("external_id", "status"), [("%0A", 422), ("%09", 422), ("CRM%0A1", 201),
                                                     ("%2FCRM", 201), ("a%2Fb", 201), ("%00", 422)])
def test_any_external_id_in_the_path_reaches_the_importer(api, external_id, status):
    """A newline used to miss Werkzeug's `path` route (404), a leading slash to get a redirect."""
    response = api.put(f"/advocates/by-external-id/{external_id}", json={"email": "a@x.example", "name": "A"})
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json


# A lone surrogate (half of a UTF-16 pair) is valid JSON escape syntax and json.loads keeps it, but no
# database can store it as UTF-8 text: it was a 500 on SQLite and PostgreSQL on every write (issue 13).
SURROGATE_BODIES = [
    (rb'{"amount": 5, "reason": "a\ud800b"}', "reason"),
    (rb'{"amount": 5, "reason": "tail \udfff"}', "reason"),
    (b'{"amount": 5, "reason": "raw \xed\xa0\x80"}', "reason"),  # json.loads decodes with surrogatepass
    (rb'{"title": "x", "audience": {"regions": ["EU", "\udc00"]}}', "audience.regions"),
    (rb'{"evidence": {"text": "\ud83d"}}', "evidence.text"),
    (rb'{"name\ud800": "x"}', None),
]


@pytest.mark.parametrize(("raw", "field"), SURROGATE_BODIES, ids=range(len(SURROGATE_BODIES)))
def test_a_lone_surrogate_in_a_json_body_is_422_naming_the_field(api, targets, raw, field):
    wrong = []
    for method, path in targets:
        response = api.client.open(path, method=method, data=raw, content_type="application/json",
                                   headers={"Authorization": f"Bearer {api.secret}", "Idempotency-Key": "s"})
        if response.status_code != 422 or error_of(response)["field"] != field:
            wrong.append((method, path, response.status_code, response.get_data(as_text=True)[:200]))
    assert not wrong


def test_a_lone_surrogate_in_an_import_is_422_and_imports_nothing(api, session):
    from app.models import Advocate

    before = session.query(Advocate).count()
    response = api.post("/advocates/import", data=rb'[{"email": "a@x.example", "name": "A"},'
                        rb' {"email": "b@x.example", "name": "B\ud800"}]', content_type="application/json")
    assert response.status_code == 422 and error_of(response)["field"] == "name"
    assert session.query(Advocate).count() == before


def test_a_surrogate_pair_is_one_character_and_is_stored(api, session):
    """The escape of a real pair (an emoji) is not a lone surrogate: it is stored as the character."""
    body = rb'{"email": "e@x.example", "name": "E \ud83d\ude00"}'
    response = api.put("/advocates/by-external-id/CRM-emoji", data=body, content_type="application/json")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["name"] == "E \U0001f600"
