"""Route inventory: every portal and admin endpoint refuses the wrong audience, every form
needs a CSRF token, and the headers and cookies a baseline scan would check are in place.

The walk reads app.url_map, so routes added later are covered without editing this file.
"""

import shutil
import tempfile
import uuid

import pytest
from werkzeug.routing import IntegerConverter, UUIDConverter

from app import create_app
from app.extensions import db
from app.models import StaffRole
from config import DevelopmentConfig, ProductionConfig, config_from_env
from tests.conftest import make_config, session_token
from tests.factories import PASSWORD, make_advocate, make_staff

DUMMY_BY_CONVERTER = {IntegerConverter: 1, UUIDConverter: uuid.UUID(int=1)}
EXEMPT_FROM_CSRF = ("/api/",)  # machine API: bearer keys, no cookies


def _rules(app, prefix: str = "", method: str | None = None):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.rule.startswith(prefix):
            continue
        for verb in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method is None or verb == method:
                yield rule, verb


def _url(app, rule) -> str:
    values = {name: DUMMY_BY_CONVERTER.get(type(conv), "x") for name, conv in rule._converters.items()}
    return app.url_map.bind("localhost").build(rule.endpoint, values, append_unknown=False)


def _request(client, verb, url):
    return client.open(url, method=verb, data={}, follow_redirects=False)


def _audience_cases(prefix):
    app = create_app(make_config("sqlite://", tempfile.gettempdir() + "/rallypoint-inventory"))
    return [pytest.param(rule.rule, verb, id=f"{verb} {rule.rule}") for rule, verb in _rules(app, prefix)]


def _find(app, path, verb):
    return next(rule for rule, v in _rules(app) if rule.rule == path and v == verb)


PORTAL = _audience_cases("/portal")
ADMIN = _audience_cases("/admin")
API = [case for case in _audience_cases("/api/") if case.values[0] != "/api/v1/openapi.json"]


def test_the_inventory_finds_every_area():
    assert PORTAL and ADMIN and API


@pytest.mark.parametrize(("path", "verb"), PORTAL + ADMIN)
def test_anonymous_visitors_are_sent_to_sign_in(app, client, path, verb):
    response = _request(client, verb, _url(app, _find(app, path, verb)))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("path", "verb"), API)
def test_the_api_needs_a_key_even_with_a_staff_session(app, session, login, path, verb):
    client = login(make_staff(session, role=StaffRole.ADMIN))
    session.commit()
    url = _url(app, _find(app, path, verb))
    for headers in ({}, {"Authorization": "Bearer rp_wrong"}):
        response = client.open(url, method=verb, json={}, headers=headers)
        assert response.status_code == 401, f"{verb} {path}: {response.status_code}"
        assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("path", "verb"), PORTAL)
def test_staff_cannot_use_the_portal(app, session, login, path, verb):
    client = login(make_staff(session))
    session.commit()
    assert _request(client, verb, _url(app, _find(app, path, verb))).status_code == 403


@pytest.mark.parametrize(("path", "verb"), ADMIN)
def test_advocates_cannot_use_the_staff_area(app, session, login, path, verb):
    client = login(make_advocate(session))
    session.commit()
    assert _request(client, verb, _url(app, _find(app, path, verb))).status_code == 403


def test_every_form_post_without_a_csrf_token_is_refused(app_factory, session):
    csrf_app = app_factory(WTF_CSRF_ENABLED=True)
    posts = [rule for rule, _ in _rules(csrf_app, method="POST")
             if not rule.rule.startswith(EXEMPT_FROM_CSRF)]
    assert posts, "no POST routes found"
    with csrf_app.app_context():
        staff, advocate = make_staff(db.session), make_advocate(db.session)
        db.session.commit()
        users = [None, session_token(staff), session_token(advocate)]
        db.session.remove()
    for user_id in users:
        client = csrf_app.test_client()
        if user_id:
            with client.session_transaction() as sess:
                sess["_user_id"], sess["_fresh"] = user_id, True
        for rule in posts:
            response = client.post(_url(csrf_app, rule), data={})
            assert response.status_code == 400, f"{rule.rule} as {user_id}: {response.status_code}"


@pytest.mark.parametrize("path", ["/", "/login"])
def test_security_headers_are_set(client, path):
    headers = client.get(path).headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "X-Powered-By" not in headers


def test_the_session_cookie_is_httponly_and_samesite_lax(client, session):
    advocate = make_advocate(session)
    session.commit()
    response = client.post("/login", data={"email": advocate.email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_secrets(monkeypatch, missing):
    monkeypatch.setenv("RALLYPOINT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@/db")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        config_from_env()


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@/db")
    config = ProductionConfig()
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE
    assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.SECRET_KEY == "s3cret-from-env"


def _production_app(monkeypatch, template_db, tmp_path, **env):
    """An app on a ProductionConfig object, as `RALLYPOINT_ENV=production` builds it (on a copy of the
    migrated SQLite template)."""
    shutil.copy(template_db, tmp_path / "prod.db")
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    monkeypatch.delenv("STRICT_TRANSPORT_SECURITY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = ProductionConfig()
    config.UPLOAD_FOLDER = str(tmp_path / "uploads")
    return create_app(config)


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/openapi.json", "/no-such-page"])
def test_production_sends_strict_transport_security(monkeypatch, template_db, tmp_path, path):
    app = _production_app(monkeypatch, template_db, tmp_path)
    response = app.test_client().get(path, base_url="https://advocates.example.com")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    with app.app_context():
        db.engine.dispose()


def test_development_and_tests_send_no_strict_transport_security(client, template_db, tmp_path):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    shutil.copy(template_db, tmp_path / "dev.db")
    dev = create_app(type("Dev", (DevelopmentConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.db'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads")}))
    assert "Strict-Transport-Security" not in dev.test_client().get("/login").headers
    with dev.app_context():
        db.engine.dispose()


def test_production_hsts_can_be_changed_or_turned_off(monkeypatch, template_db, tmp_path):
    app = _production_app(monkeypatch, template_db, tmp_path, STRICT_TRANSPORT_SECURITY="max-age=300")
    assert app.test_client().get("/login").headers["Strict-Transport-Security"] == "max-age=300"
    off = _production_app(monkeypatch, template_db, tmp_path, STRICT_TRANSPORT_SECURITY="")
    assert "Strict-Transport-Security" not in off.test_client().get("/login").headers
    for made in (app, off):
        with made.app_context():
            db.engine.dispose()
