"""Shared by the analytics tests: a session on SQLite and on PostgreSQL."""

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import make_config


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_session(request, app_factory, tmp_path):
    """A session on a freshly migrated database, SQLite or PostgreSQL."""
    if request.param == "sqlite":
        app = app_factory()
    else:
        app = create_app(make_config(request.getfixturevalue("pg_url"), str(tmp_path / "uploads")))
    with app.app_context():
        yield db.session
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
