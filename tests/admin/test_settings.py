"""Program settings (admin only)."""

from app.models import ProgramSetting
from app.services import settings
from app.services.settings import DEFAULTS


def form(**overrides):
    data = {key: str(value) for key, value in DEFAULTS.items()}
    data.update(overrides)
    return data


def test_an_admin_saves_the_settings(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/settings", data=form(timezone="Europe/Berlin", silver_points="1200",
                                                        perks_gold="Front-row seats"))
    assert response.status_code == 302
    saved = settings.load(session)
    assert (saved.timezone, saved.silver_points) == ("Europe/Berlin", 1200)
    assert saved.perks_gold == "Front-row seats"


def test_an_unknown_timezone_is_refused_next_to_the_field(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/settings", data=form(timezone="Mars/Olympus"))
    assert 'id="timezone-error"' in response.get_data(as_text=True)
    assert session.query(ProgramSetting).count() == 0


def test_thresholds_must_rise(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/settings", data=form(gold_points="500"))
    assert 'id="gold_points-error"' in response.get_data(as_text=True)
    assert session.query(ProgramSetting).count() == 0


def test_out_of_range_numbers_are_refused(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/settings", data=form(evidence_max_mb="50"))
    assert 'id="evidence_max_mb-error"' in response.get_data(as_text=True)
    assert session.query(ProgramSetting).count() == 0


def test_the_page_links_to_the_reward_tiers(as_role, client):
    as_role("admin")
    assert "/admin/bands" in client.get("/admin/settings").get_data(as_text=True)


def test_marketing_may_not_change_settings(as_role, client, session):
    as_role("marketing")
    assert client.post("/admin/settings", data=form(program_name="Hijacked")).status_code == 403
    assert settings.load(session).program_name == "Rallypoint"
