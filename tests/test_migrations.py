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
        # The migrations' own default trigger rules are rows too: force (the refusal is tested below).
        downgrade(revision="base", x_arg=["force=1"])
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
        downgrade(revision="e63b2c9f1a44", x_arg=["force=1"])  # drops trigger_rule (its default rules)
        db.engine.dispose()


def _revision() -> str:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _load_demo():
    from app.services import clock
    from seeds import load

    assert load(db.session, advocates=12, now=clock.utcnow()) is not None
    db.session.commit()
    db.session.remove()


def _refused(capfd, revision: str) -> str:
    """Flask-Migrate logs the refusal (alembic.ini's handler writes to stderr) and exits with 1."""
    capfd.readouterr()
    with pytest.raises(SystemExit) as exited:
        downgrade(revision=revision)
    assert exited.value.code == 1
    return capfd.readouterr().err


def test_downgrade_with_data_refuses_without_force_then_goes_to_base_and_back(empty_url, tmp_path, capfd):
    """A downgrade that would drop tables holding rows is refused and changes nothing; with -x force=1 it
    goes to base on either engine (SQLite's batch copies of referenced tables included), and up again."""
    from sqlalchemy import func, select

    from app.models import Advocate, LedgerEntry

    app = create_app(make_config(empty_url, str(tmp_path / "uploads")))
    with app.app_context():
        upgrade()
        _load_demo()
        tables = _tables()
        message = _refused(capfd, "base")
        assert "Refusing to downgrade" in message and "advocate" in message and "ledger_entry" in message
        assert _tables() == tables
        assert _revision() == "c3a7d0000003"  # head: the steps it ran before the check were rolled back
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) > 0
        db.session.remove()
        downgrade(revision="base", x_arg=["force=1"])
        assert _tables() == {"alembic_version"}
        upgrade()
        assert _diff() == []
        assert db.session.scalar(select(func.count()).select_from(Advocate)) == 0
        db.session.remove()
        db.engine.dispose()


def test_one_step_downgrade_dropping_a_table_with_rows_is_refused(empty_url, tmp_path, capfd):
    """6e0b1e000002's downgrade drops account_event: refused while it has rows, one step down with force."""
    from sqlalchemy import select, text

    from app.models import AccountEvent, Advocate, EventKind, EventSource
    from app.services import clock

    app = create_app(make_config(empty_url, str(tmp_path / "uploads")))
    with app.app_context():
        upgrade()
        _load_demo()
        advocate = db.session.scalars(select(Advocate).limit(1)).one()
        db.session.add(AccountEvent(advocate_id=advocate.id, source=EventSource.ADVOCATE,
                                    kind=EventKind.OWNER, from_value="a@x.invalid", to_value="b@x.invalid",
                                    reason="", at=clock.utcnow()))
        db.session.commit()
        db.session.remove()
        downgrade(revision="9c1d2e000005", x_arg=["force=1"])  # badge_assertion holds the demo's badges
        downgrade(revision="6e0b1e000002")  # job slots and filter indexes: no table dropped, no force
        assert db.session.execute(text("SELECT count(*) FROM account_event")).scalar() == 1
        db.session.remove()
        message = _refused(capfd, "-1")
        assert "account_event" in message and "advocate," not in message
        assert "account_event" in _tables()
        downgrade(revision="-1", x_arg=["force=1"])
        assert "account_event" not in _tables() and "advocate" in _tables()
        upgrade()
        assert _diff() == []
        db.session.remove()
        db.engine.dispose()


def test_job_slots_migrate_up_and_down_with_runs_in_the_table(empty_url, tmp_path):
    """9c1d2e000005 adds job_run.due_at and .abandoned and the slot index: old runs stay (manual, not
    abandoned); down again, every run stays without the two columns; up again, models match."""
    from datetime import datetime

    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    run_then = sa.table("job_run", *(sa.column(name) for name in (
        "id", "name", "holder", "started_at", "finished_at", "duration_ms", "items", "error")))
    at = datetime(2026, 6, 15, 12, 0)
    app = create_app(make_config(empty_url, str(tmp_path / "uploads")))
    with app.app_context():
        upgrade(revision="8b0a4d000004")
        db.session.execute(run_then.insert(), [
            {"id": n, "name": "sweep", "holder": "host:1", "started_at": at,
             "finished_at": None if n == 2 else at,
             "duration_ms": 5, "items": n, "error": None} for n in (1, 2)])
        db.session.commit()
        upgrade()
        rows = db.session.execute(sa.text("SELECT id, due_at, abandoned FROM job_run ORDER BY id")).all()
        assert [(r.id, r.due_at, bool(r.abandoned)) for r in rows] == [(1, None, False), (2, None, False)]
        insert = sa.text("INSERT INTO job_run (id, name, holder, started_at, items, due_at, abandoned) "
                         "VALUES (:id, 'sweep', 'h', :at, 0, :at, :abandoned)")
        db.session.execute(insert, {"id": 3, "at": at, "abandoned": True})
        db.session.execute(insert, {"id": 4, "at": at, "abandoned": False})  # an abandoned run frees it
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(insert, {"id": 5, "at": at, "abandoned": False})
        db.session.rollback()
        db.session.remove()
        downgrade(revision="8b0a4d000004")
        assert db.session.execute(sa.text("SELECT count(*) FROM job_run")).scalar() == 4
        db.session.remove()
        assert "due_at" not in {c["name"] for c in inspect(db.engine).get_columns("job_run")}
        upgrade()
        assert _diff() == []
        db.session.remove()
        db.engine.dispose()
