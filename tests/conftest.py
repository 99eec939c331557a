"""Shared fixtures: an app per test on its own SQLite file (schema made by the migrations once
per session and copied), a frozen clock, a client and sign-in helpers."""

import os
import shutil
from datetime import datetime, timedelta

import pytest
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.services import clock
from app.services.people import sessions as login_sessions
from config import TestConfig

FROZEN_AT = datetime(2026, 6, 15, 12, 0, 0)

pytest_plugins = ["tests.pg"]


def make_config(database_url: str, upload_folder: str, **overrides):
    return type("Cfg", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": upload_folder, **overrides})


def system_binary(name: str, package: str) -> str:
    """The path of a program from a Debian package a test needs. Without it the test is skipped,
    unless CI is set: CI installs the package (.ci/run), so there it fails."""
    found = shutil.which(name) or shutil.which(name, path="/usr/bin:/usr/sbin:/sbin")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI (Debian package '{package}').", pytrace=False)
        pytest.skip(f"{name} is not installed (apt-get install {package}).")
    return found


def migrate_database(database_url: str, upload_folder: str) -> None:
    """Build a schema the only way production does: by running the migrations."""
    app = create_app(make_config(database_url, upload_folder))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    migrate_database(f"sqlite:///{path}", str(folder / "uploads"))
    return path


@pytest.fixture
def app_factory(template_db, tmp_path):
    """Build an app on a fresh copy of the migrated database; extra config as keyword arguments."""
    made = []

    def build(**overrides):
        path = tmp_path / f"test{len(made)}.db"
        shutil.copy(template_db, path)
        app = create_app(make_config(f"sqlite:///{path}", str(tmp_path / "uploads"), **overrides))
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture(autouse=True)
def now():
    """The clock is frozen for every test; move it with clock.freeze(...)."""
    clock.freeze(FROZEN_AT)
    yield FROZEN_AT
    clock.freeze(None)


@pytest.fixture
def client(app):
    return app.test_client()


def session_token(user, *, remember: bool = False, lifetime: timedelta = timedelta(days=3650)) -> str:
    """Start a real sign-in session for `user` (committed, with everything pending) and return its
    token: the value Flask-Login keeps as `_user_id` in the session and remember-me cookies.

    Long-lived by default, since many tests move the frozen clock by days; tests of expiry pass
    their own `lifetime`."""
    token = login_sessions.start(db.session, user=user, now=clock.utcnow(), lifetime=lifetime,
                                 remember=remember)
    db.session.commit()
    return token


@pytest.fixture
def login(client):
    """Sign a user in on the test client (as the sign-in page would after a password check)."""

    def sign_in(user):
        token = session_token(user)
        with client.session_transaction() as sess:
            sess["_user_id"] = token
            sess["_fresh"] = True
        return client

    return sign_in


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_session(request, app_factory, tmp_path):
    """A session on a freshly migrated database, SQLite or PostgreSQL (`pg_url`, tests/pg.py)."""
    if request.param == "sqlite":
        app = app_factory()
    else:
        app = create_app(make_config(request.getfixturevalue("pg_url"), str(tmp_path / "uploads")))
    with app.app_context():
        yield db.session
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
