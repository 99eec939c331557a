"""Admin → API keys: admins only; the secret is shown once and stored hashed; revoking stops it."""

import re

import pytest

from app.models import ApiKey, ApiScope
from app.services.api import keys as api_keys
from tests.conftest import session_token

SECRET = re.compile(r'value="(rp_[A-Za-z0-9_-]{40,})"')


def _create(client, name="CRM sync", scope="write"):
    return client.post("/admin/api-keys", data={"name": name, "scope": scope})


@pytest.mark.parametrize("role", ["marketing", "csm", "advocate"])
def test_only_admins_see_or_make_keys(as_role, client, session, role):
    as_role(role)
    assert client.get("/admin/api-keys").status_code == 403
    assert _create(client).status_code == 403
    assert session.query(ApiKey).count() == 0


def test_the_secret_is_shown_once_and_only_its_hash_is_kept(as_role, client, session):
    as_role("admin")
    response = _create(client)
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(1)
    key = session.query(ApiKey).one()
    assert key.key_hash == api_keys.hash_secret(secret) and secret not in (key.prefix, key.key_hash)
    assert key.scope == ApiScope.WRITE and secret.startswith(key.prefix)
    listing = client.get("/admin/api-keys").get_data(as_text=True)
    assert secret not in listing and key.prefix in listing and "CRM sync" in listing and "never" in listing
    assert client.get("/api/v1/advocates", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert "never" not in client.get("/admin/api-keys").get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "scope": "read"}, "Name the key."), ({"name": "x" * 81, "scope": "read"}, "80"),
    ({"name": "ok", "scope": "admin"}, "Not a valid choice"),
])
def test_bad_input_is_shown_next_to_the_field(as_role, client, session, data, message):
    as_role("admin")
    response = client.post("/admin/api-keys", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert session.query(ApiKey).count() == 0


def test_a_revoked_key_answers_401(as_role, client, session):
    as_role("admin")
    secret = SECRET.search(_create(client, scope="read").get_data(as_text=True)).group(1)
    key = session.query(ApiKey).one()
    response = client.post(f"/admin/api-keys/{key.id}/revoke", data={"confirmed": "yes"})
    assert response.status_code == 302
    assert "revoked" in client.get("/admin/api-keys").get_data(as_text=True)
    api = client.get("/api/v1/advocates", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


def test_key_forms_need_a_csrf_token(app_factory):
    from app.extensions import db
    from app.models import StaffRole
    from tests.factories import make_staff

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = make_staff(db.session, role=StaffRole.ADMIN)
        made = api_keys.create_key(db.session, name="k", scope=ApiScope.READ, created_by=admin,
                                   now=admin.created_at)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token(admin), True
        assert client.post("/admin/api-keys", data={"name": "x", "scope": "read"}).status_code == 400
        assert client.post(f"/admin/api-keys/{made.key.id}/revoke").status_code == 400
        db.session.expire_all()
        assert db.session.query(ApiKey).count() == 1
        assert db.session.get(ApiKey, made.key.id).revoked_at is None
        page = client.get("/admin/api-keys").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        created = client.post("/admin/api-keys", data={"name": "x", "scope": "read", "csrf_token": token})
        assert created.status_code == 201


def test_a_second_live_key_with_the_same_name_is_refused_on_the_form(login, client, session):
    from app.models import ApiKey, StaffRole
    from tests.factories import make_staff

    login(make_staff(session, role=StaffRole.ADMIN))
    session.commit()
    assert client.post("/admin/api-keys", data={"name": "CRM", "scope": "read"}).status_code == 201
    again = client.post("/admin/api-keys", data={"name": "CRM", "scope": "write"})
    assert again.status_code == 422 and "already named" in again.get_data(as_text=True)
    assert session.query(ApiKey).count() == 1
