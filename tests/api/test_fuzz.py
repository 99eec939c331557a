"""Never a 500 for bad input: every API write (POST and PUT) gets malformed, mistyped and oversized bodies."""

import pytest

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
        for method in sorted(rule.methods & {"POST", "PUT"} if rule.endpoint.startswith("api.") else ()):
            paths.append((method, app.url_map.bind("localhost").build(
                rule.endpoint, {name: attempt_id for name in rule.arguments})))
    return paths


@pytest.fixture
def targets(app, session):
    attempt = make_submitted_attempt(session)
    session.commit()
    paths = _write_paths(app, attempt.id)
    assert len(paths) >= 8 and ("PUT", f"/api/v1/advocates/by-external-id/{attempt.id}") in paths
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
