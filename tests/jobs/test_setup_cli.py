"""`flask setup` starts a production program on an empty SQLite or PostgreSQL database (SPEC §16):
the default catalog and reward tiers of §2, starter missions and the first admin's invitation; a
second run changes nothing. `flask seed demo` refuses to run in production."""

import re

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import (
    ActivityType,
    Advocate,
    Invite,
    Mission,
    ProgramSetting,
    RewardTierBand,
    StaffRole,
    StaffUser,
    TriggerRule,
)
from config import ProductionConfig
from tests.conftest import make_config, migrate_database
from tests.factories import make_staff

MODELS = (ActivityType, RewardTierBand, Mission, StaffUser, Advocate, Invite, ProgramSetting, TriggerRule)
SETUP = ["setup", "--admin-email", "Ada.Admin@Example.com", "--name", "Ada Admin",
         "--url", "https://advocates.example.com"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_app(request, app_factory, tmp_path):
    """An app on a freshly migrated, empty database of each engine."""
    if request.param == "sqlite":
        app = app_factory()
    else:
        app = create_app(make_config(request.getfixturevalue("pg_url"), str(tmp_path / "uploads")))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def counts() -> dict[str, int]:
    db.session.rollback()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in MODELS}


def test_setup_on_an_empty_database_then_again_changes_nothing(engine_app):
    runner = engine_app.test_cli_runner()
    rules = counts()["TriggerRule"]
    assert rules > 0  # the default trigger rules come with the migrations

    first = runner.invoke(args=SETUP)

    assert first.exit_code == 0, first.output
    after = counts()
    assert (after["ActivityType"], after["RewardTierBand"], after["Mission"]) == (11, 4, 3)
    assert (after["StaffUser"], after["Invite"], after["Advocate"], after["TriggerRule"]) == (1, 1, 0, rules)
    admin = db.session.scalars(select(StaffUser)).one()
    assert (admin.email, admin.name, admin.role, admin.password_hash) == (
        "ada.admin@example.com", "Ada Admin", StaffRole.ADMIN, None)
    assert "11 activities, 4 reward tiers and 3 starter missions" in first.output
    link = re.search(r"https://advocates\.example\.com(/invite/\S+)", first.output).group(1)
    page = engine_app.test_client().get(link)
    assert page.status_code == 200 and "ada.admin@example.com" in page.get_data(as_text=True)

    again = runner.invoke(args=SETUP)

    assert again.exit_code == 0, again.output
    assert "Already set up" in again.output and "nothing changed" in again.output
    assert "ada.admin@example.com, has not accepted yet" in again.output and "/invite/" not in again.output
    assert counts() == after


@pytest.mark.parametrize(("args", "message"), [
    (["--admin-email", "ada.example.com", "--name", "Ada"],
     "Invalid value for --admin-email: 'ada.example.com' is not a valid email address"),
    (["--admin-email", "ada@", "--name", "Ada"], "Invalid value for --admin-email"),
    (["--admin-email", "ada@example.com", "--name", "  "],
     "Invalid value for --name: Give the first admin's name."),
    (["--name", "Ada"], "Missing option '--admin-email'"),
])
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(app, args, message):
    before = counts()
    result = app.test_cli_runner().invoke(args=["setup", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert counts() == before


def test_a_database_setup_did_not_make_is_refused_untouched(app, session):
    make_staff(session, email="someone@example.com")
    session.commit()
    before = counts()
    result = app.test_cli_runner().invoke(args=SETUP)
    assert result.exit_code == 1
    assert ("This database already holds a program that setup did not make (1 staff); nothing was changed."
            in result.output)
    assert counts() == before


def test_the_first_admin_who_accepted_is_reported_on_a_second_run(app, session):
    runner = app.test_cli_runner()
    runner.invoke(args=SETUP)
    admin = session.scalars(select(StaffUser)).one()
    admin.password_hash = "set"
    session.commit()
    again = runner.invoke(args=SETUP)
    assert again.exit_code == 0 and "ada.admin@example.com, has accepted their invitation" in again.output


def test_without_url_the_link_says_to_put_in_the_sites_address(app):
    result = app.test_cli_runner().invoke(args=["setup", "--admin-email", "ada@example.com", "--name", "Ada",
                                                "--program-name", "Acme Champions"])
    assert result.exit_code == 0, result.output
    assert "http://localhost/invite/" in result.output and "No --url given" in result.output
    from app.services.program import settings

    assert settings.load(db.session).program_name == "Acme Champions"


def test_seed_demo_refuses_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("RALLYPOINT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    migrate_database(url, str(tmp_path / "uploads"))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "uploads"))
    app = create_app()  # the configuration RALLYPOINT_ENV names, as `flask --app wsgi` builds it
    assert app.config["DEMO_ALLOWED"] is False and ProductionConfig.DEMO_ALLOWED is False

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed", "demo", "--advocates", "5"])

        assert result.exit_code == 1
        assert "The demo never loads in production" in result.output and "flask setup" in result.output
        assert counts()["Advocate"] == counts()["StaffUser"] == 0
        db.engine.dispose()


def test_seed_demo_refuses_whenever_the_config_forbids_it(app_factory):
    app = app_factory(DEMO_ALLOWED=False)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed", "demo", "--advocates", "5"])
        assert result.exit_code == 1 and "never loads in production" in result.output
        assert counts()["Advocate"] == 0
