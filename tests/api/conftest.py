"""API request helpers: keys made through the service, a client that sends them."""

import pytest

from app.models import ApiScope, StaffRole
from app.services import clock
from app.services.api import keys as api_keys
from tests.factories import make_staff


@pytest.fixture
def make_key(session):
    """Create an API key ("write" by default) and return its secret."""

    def build(scope: str = "write", name: str = "CRM sync") -> str:
        admin = make_staff(session, role=StaffRole.ADMIN)
        made = api_keys.create_key(session, name=name, scope=ApiScope(scope), created_by=admin,
                                   now=clock.utcnow())
        session.commit()
        return made.secret

    return build


class ApiClient:
    def __init__(self, client, secret: str | None):
        self.client, self.secret = client, secret

    def _headers(self, headers: dict | None) -> dict:
        base = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**base, **(headers or {})}

    def get(self, path: str, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json=None, key: str | None = None, **kwargs):
        headers = self._headers(kwargs.pop("headers", None))
        if key is not None:
            headers["Idempotency-Key"] = key
        if json is not None:
            kwargs["json"] = json
        return self.client.post(f"/api/v1{path}", headers=headers, **kwargs)

    def put(self, path: str, json=None, key: str | None = None, **kwargs):
        headers = self._headers(kwargs.pop("headers", None))
        if key is not None:
            headers["Idempotency-Key"] = key
        if json is not None:
            kwargs["json"] = json
        return self.client.put(f"/api/v1{path}", headers=headers, **kwargs)


@pytest.fixture
def api(client, make_key) -> ApiClient:
    """A client with a write key."""
    return ApiClient(client, make_key("write"))


@pytest.fixture
def read_api(client, make_key) -> ApiClient:
    return ApiClient(client, make_key("read", name="BI export"))


def error_of(response) -> dict:
    assert response.is_json, response.get_data(as_text=True)
    return response.get_json()["error"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_app(request, app_factory, tmp_path):
    """The app (context pushed) on SQLite and on PostgreSQL. The clock is frozen, so every request of a
    test falls in one rate-limit window: the limit is lifted."""
    from app import create_app
    from app.extensions import db
    from tests.conftest import make_config

    unlimited = {"API_RATE_LIMIT_PER_MINUTE": 10**9}
    if request.param == "sqlite":
        app = app_factory(**unlimited)
    else:
        url = request.getfixturevalue("pg_url")
        app = create_app(make_config(url, str(tmp_path / "uploads"), **unlimited))
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


def write_key(session, name: str = "CRM sync") -> str:
    """A write key's secret, made through the service (for tests that build their own app)."""
    made = api_keys.create_key(session, name=name, scope=ApiScope.WRITE, created_by=None, now=clock.utcnow())
    session.commit()
    return made.secret
