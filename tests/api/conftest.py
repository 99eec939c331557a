"""API request helpers: keys made through the service, a client that sends them."""

import pytest

from app.models import ApiScope, StaffRole
from app.services import api_keys, clock
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
