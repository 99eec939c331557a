"""Program settings (admin only)."""

import re

from app.models import ActivityKind, ProgramSetting, Status
from app.services.program import settings
from app.services.program.settings import BRAND_KEYS, DEFAULTS


def form(**overrides):
    data = {key: value if isinstance(value, list) else str(value) for key, value in DEFAULTS.items()}
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


def test_the_currency_is_saved_in_capitals_and_a_bad_code_is_refused(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/settings", data=form(currency="EU"))
    assert re.search(r'id="currency-error"[^>]*>[^<]*three-letter ISO 4217', response.get_data(as_text=True))
    assert session.query(ProgramSetting).count() == 0
    assert client.post("/admin/settings", data=form(currency=" eur ")).status_code == 302
    assert settings.load(session).currency == "EUR"


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


NEW_KEYS = ("reminder_after_start_hours", "reminder_before_deadline_hours", "escalate_csm_days_before",
            "escalate_approval_days", "ask_gap_days_standard", "ask_year_cap_standard", "ask_gap_days_high",
            "ask_year_cap_high", "ask_min_nps", "reengage_first_days", "reengage_second_days",
            "reengage_third_days")


def test_the_form_shows_every_setting_under_its_heading(as_role, client):
    as_role("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'href="/admin/brand"' in html  # the brand's settings have their own page
    for key, value in DEFAULTS.items():
        if key in BRAND_KEYS:
            continue
        assert f'name="{key}"' in html, key
        if isinstance(value, int):
            assert f'id="{key}" name="{key}"' in html and f'value="{value}"' in html
    for key in NEW_KEYS:
        assert f'id="{key}-hint"' in html, key
    for heading in ("Reminders and escalations", "Ask governor", "Re-engagement"):
        assert f"<legend>{heading}</legend>" in html


def test_the_clockwork_and_governor_settings_are_saved(as_role, client, session):
    as_role("admin")
    changed = {"reminder_after_start_hours": "24", "reminder_before_deadline_hours": "12",
               "escalate_csm_days_before": "0", "escalate_approval_days": "5", "ask_gap_days_standard": "45",
               "ask_year_cap_standard": "6", "ask_gap_days_high": "7", "ask_year_cap_high": "20",
               "ask_min_nps": "8", "reengage_first_days": "20", "reengage_second_days": "50",
               "reengage_third_days": "120"}
    assert client.post("/admin/settings", data=form(**changed)).status_code == 302
    saved = settings.load(session)
    assert {key: saved.values[key] for key in NEW_KEYS} == {key: int(v) for key, v in changed.items()}
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'id="ask_min_nps" name="ask_min_nps" required type="number" value="8"' in html


def test_re_engagement_days_must_rise_and_nothing_is_saved(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/settings",
                           data=form(reengage_first_days="70", reminder_after_start_hours="12"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="reengage_second_days-error"' in html
    assert "must rise" in html
    assert session.query(ProgramSetting).count() == 0
    assert settings.load(session).reminder_after_start_hours == 48


def test_new_settings_out_of_range_are_refused_next_to_the_field(as_role, client, session):
    as_role("admin")
    for key, bad in (("ask_min_nps", "11"), ("ask_year_cap_high", "0"),
                     ("reminder_before_deadline_hours", "0"), ("escalate_approval_days", "-1"),
                     ("trigger_followup_hours", "0"), ("trigger_followup_hours", "721")):
        html = client.post("/admin/settings", data=form(**{key: bad})).get_data(as_text=True)
        assert f'id="{key}-error"' in html, key
    html = client.post("/admin/settings", data=form(ask_gap_days_standard="soon")).get_data(as_text=True)
    assert 'id="ask_gap_days_standard-error"' in html
    assert session.query(ProgramSetting).count() == 0


def test_the_qualifying_kinds_are_checkboxes_an_admin_saves(as_role, client, session, now):
    from app.services.missions.default_catalog import load_catalog

    load_catalog(session, now)
    session.commit()
    as_role("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    boxes = re.findall(r'<input (checked )?id="(\w+_qualifying_kinds)-\d+" name="\2" '
                       r'type="checkbox" value="(\w+)"', html)
    ticked = {(name, kind) for checked, name, kind in boxes if checked}
    assert len(boxes) == 2 * len(ActivityKind)
    assert ticked == {("silver_qualifying_kinds", "review"), ("silver_qualifying_kinds", "testimonial"),
                      ("gold_qualifying_kinds", "case_study")}
    kinds = {"silver_qualifying_kinds": ["testimonial", "beta"],
             "gold_qualifying_kinds": ["reference_call", "case_study"]}
    response = client.post("/admin/settings", data=form(**kinds))
    assert response.status_code == 302
    saved = settings.load(session)
    assert saved.silver_qualifying_kinds == ["testimonial", "beta"]
    assert saved.gold_qualifying_kinds == ["reference_call", "case_study"]


def test_an_unreachable_status_is_refused_next_to_its_kinds_with_the_reason(as_role, client, session, now):
    from app.services.missions.default_catalog import load_catalog

    load_catalog(session, now)
    session.commit()
    as_role("admin")
    html = client.post("/admin/settings", data=form(silver_qualifying_kinds=["reference_call"])
                       ).get_data(as_text=True)
    assert 'id="silver_qualifying_kinds-error"' in html and "Nothing was saved: see the marked field" in html
    assert "Silver needs one approved reference call, but every active one is offered only from Silver or " \
           "higher (Reference call: Silver)" in html
    none = client.post("/admin/settings", data={**form(), "gold_qualifying_kinds": []}).get_data(as_text=True)
    assert 'id="gold_qualifying_kinds-error"' in none and "Choose at least one kind" in none
    assert session.query(ProgramSetting).count() == 0


def test_a_status_already_out_of_reach_is_flagged_on_the_page(as_role, client, session, now):
    from tests.factories import make_activity

    make_activity(session, kind=ActivityKind.CASE_STUDY, min_status=Status.GOLD, name="Case study")
    as_role("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    assert ("Out of reach today: Silver needs one approved review or testimonial, but no active activity "
            "of those kinds exists.") in html
    assert "Out of reach today: Gold needs one published case study, but every active one is offered only " \
           "from Gold or higher (Case study: Gold)" in html
    make_activity(session, kind=ActivityKind.TESTIMONIAL)
    session.commit()
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "Out of reach today: Silver" not in html and "Out of reach today: Gold" in html


def test_the_feed_kinds_are_checkboxes_an_admin_saves(as_role, client, session):
    as_role("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    ticked = re.findall(r'<input checked id="feed_public_kinds-\d+" name="feed_public_kinds" type="checkbox" '
                        r'value="(\w+)"', html)
    assert set(ticked) == set(DEFAULTS["feed_public_kinds"])
    response = client.post("/admin/settings", data=form(feed_public_kinds=["webinar"]))
    assert response.status_code == 302
    assert settings.load(session).feed_public_kinds == ["webinar"]


def test_reference_settings_are_saved_and_checked(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/settings", data=form(reference_answer_days="0"))
    assert 'id="reference_answer_days-error"' in response.get_data(as_text=True)
    assert session.query(ProgramSetting).count() == 0
    response = client.post("/admin/settings", data=form(
        reference_min_status="gold", reference_quarter_cap="3", reference_answer_days="7"))
    assert response.status_code == 302
    saved = settings.load(session)
    assert saved.reference_min_status == "gold"
    assert (saved.reference_quarter_cap, saved.reference_answer_days) == (3, 7)
