"""The schema comes only from migrations: they go up, down and up again, and match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from tests.conftest import make_config


def _tables() -> set[str]:
    return {t for t in inspect(db.engine).get_table_names() if not t.startswith("sqlite_")}


def _diff() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "render_as_batch": True})
        return compare_metadata(context, db.metadata)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("pg_empty_url")


def test_upgrade_downgrade_upgrade_and_models_match(empty_url, tmp_path):
    app = create_app(make_config(empty_url, str(tmp_path / "uploads")))
    with app.app_context():
        upgrade()
        assert set(db.metadata.tables) <= _tables()
        assert _diff() == []
        downgrade(revision="base")
        assert _tables() == {"alembic_version"}
        upgrade()
        assert _diff() == []
        db.session.remove()
        db.engine.dispose()
