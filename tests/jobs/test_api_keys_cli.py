"""`flask api-keys create|revoke`: the printed key works; revoked it is 401; errors exit non-zero."""

from sqlalchemy import select

from app.models import ApiKey, ApiScope
from tests.api.conftest import ApiClient


def run(app, *args):
    return app.test_cli_runner().invoke(args=["api-keys", *args])


def _secret(output: str) -> str:
    [secret] = [line for line in output.splitlines() if line.startswith("rp_")]
    return secret


def test_create_prints_a_key_that_authenticates_and_revoke_makes_it_401(app, session):
    result = run(app, "create", "--name", "CRM sync", "--scope", "write")
    assert result.exit_code == 0, result.output
    secret = _secret(result.output)
    key = session.scalars(select(ApiKey)).one()
    assert (key.name, key.scope, key.created_by_id) == ("CRM sync", ApiScope.WRITE, None)
    assert key.key_hash != secret and secret not in key.prefix + key.name
    api = ApiClient(app.test_client(), secret)
    assert api.get("/advocates").status_code == 200
    assert api.post("/advocates/import", json=[{"email": "a@example.com", "name": "A"}]).status_code == 200

    revoked = run(app, "revoke", "CRM sync")
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert api.get("/advocates").status_code == 401


def test_a_read_key_from_the_cli_cannot_write(app, session):
    secret = _secret(run(app, "create", "--name", "BI", "--scope", "read").output)
    api = ApiClient(app.test_client(), secret)
    assert api.get("/advocates").status_code == 200
    assert api.post("/advocates/import", json=[{"email": "a@example.com", "name": "A"}]).status_code == 403


def test_a_duplicate_live_name_is_refused_until_the_first_is_revoked(app, session):
    assert run(app, "create", "--name", "CRM sync", "--scope", "write").exit_code == 0
    again = run(app, "create", "--name", " CRM sync ", "--scope", "read")
    assert again.exit_code == 1 and "already named “CRM sync”" in again.output and "rp_" not in again.output
    assert len(session.scalars(select(ApiKey)).all()) == 1
    assert run(app, "revoke", "CRM sync").exit_code == 0
    assert run(app, "create", "--name", "CRM sync", "--scope", "read").exit_code == 0


def test_a_bad_scope_or_name_is_refused(app, session):
    bad_scope = run(app, "create", "--name", "X", "--scope", "admin")
    assert bad_scope.exit_code == 2 and "'admin' is not one of 'read', 'write'" in bad_scope.output
    blank = run(app, "create", "--name", "  ", "--scope", "read")
    assert blank.exit_code == 1 and "Name the key" in blank.output
    assert session.scalars(select(ApiKey)).all() == []


def test_revoking_an_unknown_or_already_revoked_name_exits_1(app, session):
    unknown = run(app, "revoke", "Nobody")
    assert unknown.exit_code == 1 and "No live API key is named “Nobody”" in unknown.output
    run(app, "create", "--name", "Once", "--scope", "read")
    assert run(app, "revoke", "Once").exit_code == 0
    assert run(app, "revoke", "Once").exit_code == 1
