"""The API guard: bearer keys, scopes, revocation, the per-minute limit, last use, no CSRF."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import ApiKey
from app.services import clock
from app.services.api import keys as api_keys
from tests.api.conftest import ApiClient, error_of
from tests.factories import make_advocate


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer rp_not-a-real-key", "Basic dXNlcjpwdw==",
                                    "Bearer " + "x" * 5000])
def test_requests_without_a_valid_key_are_401_json(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/advocates", headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_session_cookie_is_not_a_key(login, client, session):
    from app.models import StaffRole
    from tests.factories import make_staff

    login(make_staff(session, role=StaffRole.ADMIN))
    session.commit()
    assert client.get("/api/v1/advocates").status_code == 401


def test_a_revoked_key_is_401(api, session):
    assert api.get("/advocates").status_code == 200
    key = session.query(ApiKey).one()
    api_keys.revoke_key(session, key_id=key.id, now=clock.utcnow())
    session.commit()
    response = api.get("/advocates")
    assert response.status_code == 401 and "revoked" in error_of(response)["message"]


def test_a_read_key_reads_but_cannot_write(read_api, session):
    advocate = make_advocate(session)
    session.commit()
    assert read_api.get(f"/advocates/{advocate.id}").status_code == 200
    response = read_api.post(f"/advocates/{advocate.id}/adjustments", json={"amount": 5, "reason": "x"})
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert db.session.get(type(advocate), advocate.id).balance == 0


def test_the_openapi_document_needs_no_key(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"].startswith("3.")


def test_more_than_the_limit_per_minute_is_429_and_the_next_minute_is_free(app_factory, make_key):
    app = app_factory(API_RATE_LIMIT_PER_MINUTE=3)
    with app.app_context():
        api = ApiClient(app.test_client(), make_key("read"))
        assert [api.get("/advocates").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert error_of(api.get("/advocates"))["code"] == "rate_limited"
        clock.freeze(clock.utcnow() + timedelta(minutes=1))
        assert api.get("/advocates").status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(api, session, now):
    api.get("/advocates")
    key = session.query(ApiKey).one()
    assert key.last_used_at == now
    clock.freeze(now + timedelta(seconds=30))
    api.get("/advocates")
    session.expire_all()
    assert session.get(ApiKey, key.id).last_used_at == now
    clock.freeze(now + timedelta(seconds=61))
    api.get("/advocates")
    session.expire_all()
    assert session.get(ApiKey, key.id).last_used_at == now + timedelta(seconds=61)


def test_api_writes_need_no_csrf_token(app_factory, make_key):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        advocate = make_advocate(db.session)
        db.session.commit()
        api = ApiClient(app.test_client(), make_key("write"))
        response = api.post(f"/advocates/{advocate.id}/adjustments", json={"amount": 5, "reason": "Thanks"})
        assert response.status_code == 201


def test_unknown_api_paths_and_methods_answer_json(api):
    assert error_of(api.get("/nothing-here"))["code"] == "not_found"
    response = api.client.delete("/api/v1/advocates", headers={"Authorization": f"Bearer {api.secret}"})
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


class _Spy:
    """Stands in for hmac.compare_digest and records what it was asked to compare."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def __call__(self, a, b):
        self.calls.append((a, b))
        return self.real(a, b)


@pytest.fixture
def compare_spy(monkeypatch):
    import hmac

    spy = _Spy(hmac.compare_digest)
    monkeypatch.setattr(api_keys.hmac, "compare_digest", spy)
    return spy


def test_a_key_is_found_by_its_public_prefix_and_its_hash_compared_in_constant_time(session, make_key,
                                                                                    compare_spy):
    secret = make_key("read")
    key = api_keys.authenticate(session, secret=secret)
    assert compare_spy.calls == [(key.key_hash.encode(), api_keys.hash_secret(secret).encode())]


@pytest.mark.parametrize("case", ["same prefix, wrong rest", "unknown prefix", "revoked"])
def test_unknown_wrong_and_revoked_keys_take_the_same_comparison_path(session, make_key, compare_spy, case):
    from app.services.errors import Unauthorized

    secret = make_key("read")
    if case == "revoked":
        api_keys.revoke_key(session, key_id=session.query(ApiKey).one().id, now=clock.utcnow())
        session.commit()
        tried = secret
    elif case == "unknown prefix":
        tried = "rp_" + "Z" * 43
    else:
        tried = secret[:api_keys.VISIBLE] + "x" * (len(secret) - api_keys.VISIBLE)
    with pytest.raises(Unauthorized, match="unknown or has been revoked"):
        api_keys.authenticate(session, secret=tried)
    assert len(compare_spy.calls) == 1, "one constant-time comparison, found or not"
    assert compare_spy.calls[0][1] == api_keys.hash_secret(tried).encode()


def test_the_database_is_never_asked_for_the_secret_or_its_hash(session, make_key, app):
    from sqlalchemy import event

    secret = make_key("read")
    statements = []
    engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(repr(parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        api_keys.authenticate(session, secret=secret)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements and not any(secret in s or api_keys.hash_secret(secret) in s for s in statements)
