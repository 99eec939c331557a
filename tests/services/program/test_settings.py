"""Program settings: code defaults, admin overrides, validation naming the field."""

import pytest

from app.models import ProgramSetting
from app.services.errors import ValidationFailed
from app.services.program import settings
from tests.factories import make_staff


def test_defaults_apply_until_an_admin_saves(session, now):
    cfg = settings.load(session)
    assert (cfg.timezone, cfg.silver_points, cfg.leaderboard_size, cfg.currency) == ("UTC", 1000, 50, "USD")


def test_saved_values_override_the_defaults_and_record_who(session, now):
    staff = make_staff(session)
    settings.save(session, changes={"silver_points": 800, "timezone": "Europe/Berlin"}, actor_id=staff.id,
                  now=now)
    cfg = settings.load(session)
    assert (cfg.silver_points, cfg.timezone, cfg.gold_points) == (800, "Europe/Berlin", 3000)
    row = session.get(ProgramSetting, "silver_points")
    assert (row.updated_by_id, row.updated_at) == (staff.id, now)


def test_unknown_rows_in_the_table_are_ignored(session, now):
    session.add(ProgramSetting(key="retired_setting", value=1))
    session.flush()
    assert "retired_setting" not in settings.load(session).values


@pytest.mark.parametrize(("changes", "field"), [
    ({"nonsense": 1}, "nonsense"),
    ({"silver_points": 0}, "silver_points"),
    ({"silver_points": "1000"}, "silver_points"),
    ({"silver_points": 10.5}, "silver_points"),
    ({"silver_points": True}, "silver_points"),
    ({"leaderboard_size": 4}, "leaderboard_size"),
    ({"evidence_max_mb": 11}, "evidence_max_mb"),
    ({"platinum_gold_months": -1}, "platinum_gold_months"),
    ({"silver_points": 3000}, "gold_points"),
    ({"platinum_points": 2999}, "gold_points"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"currency": "usd"}, "currency"),
    ({"currency": "EURO"}, "currency"),
    ({"currency": "E1R"}, "currency"),
    ({"currency": "ÉUR"}, "currency"),
    ({"currency": 978}, "currency"),
])
def test_invalid_settings_name_the_field_and_save_nothing(session, now, changes, field):
    with pytest.raises(ValidationFailed) as error:
        settings.save(session, changes=changes, actor_id=None, now=now)
    assert error.value.field == field
    assert session.query(ProgramSetting).count() == 0


def test_thresholds_are_checked_against_the_saved_values(session, now):
    settings.save(session, changes={"gold_points": 5000}, actor_id=None, now=now)
    with pytest.raises(ValidationFailed):
        settings.save(session, changes={"platinum_points": 4000}, actor_id=None, now=now)
    settings.save(session, changes={"silver_points": 4000}, actor_id=None, now=now)
    assert settings.load(session).silver_points == 4000
