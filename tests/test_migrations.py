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


def test_live_api_keys_sharing_a_name_are_renamed_by_the_unique_index_migration(empty_url, tmp_path):
    """a7b8c9d0e1f2 adds uq_api_key_live_name; live duplicates made before it get "<name> (key <id>)"."""
    from datetime import datetime

    import sqlalchemy as sa
    from sqlalchemy import select

    from app.models import ApiKey, ApiScope, StaffRole, StaffUser

    staff_then = sa.table("staff_user", *(sa.column(name) for name in (
        "id", "email", "name", "role", "active", "session_version", "created_at")))

    app = create_app(make_config(empty_url, str(tmp_path / "uploads")))
    with app.app_context():
        upgrade(revision="e63b2c9f1a44")
        when = datetime(2026, 1, 1)
        for n, (name, revoked) in enumerate([("CRM", None), ("CRM", None), ("CRM", when), ("CRM", None),
                                             ("BI", None)], start=1):
            # A table construct: the staff_user of this revision still has session_version (5e55104a0001).
            db.session.execute(staff_then.insert().values(
                id=n, email=f"k{n}@keys.invalid", name=f"API key: {name}", role=StaffRole.MARKETING.value,
                active=False, session_version=1, created_at=when))
            db.session.add(ApiKey(id=n, name=name, scope=ApiScope.WRITE, prefix="rp_x", key_hash=f"{n:064d}",
                                  actor_id=n, created_at=when, revoked_at=revoked))
        db.session.commit()
        db.session.remove()
        upgrade()
        keys = db.session.execute(select(ApiKey.id, ApiKey.name, StaffUser.name).join(
            StaffUser, StaffUser.id == ApiKey.actor_id).order_by(ApiKey.id)).all()
        assert [tuple(k) for k in keys] == [
            (1, "CRM", "API key: CRM"), (2, "CRM (key 2)", "API key: CRM (key 2)"),
            (3, "CRM", "API key: CRM"), (4, "CRM (key 4)", "API key: CRM (key 4)"), (5, "BI", "API key: BI")]
        db.session.remove()
        downgrade(revision="e63b2c9f1a44")
        db.engine.dispose()
