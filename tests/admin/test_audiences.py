"""The mission form's audience picker: values come from advocates, the count is shown before saving
(live through a staff-only JSON endpoint, or with "Check audience"), and a value that matches nobody
is a warning that needs "save anyway" to be saved."""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.models import Advocate, AdvocateState, Mission, Status
from app.services.missions import eligibility
from tests.admin.test_missions import mission_form
from tests.factories import make_activity, make_advocate, make_mission


@pytest.fixture
def people(session):
    make_advocate(session, name="Erin Emea", region="EMEA", industry="Software", tags=["beta"],
                  company="Eastwind", readiness_tier=1)
    make_advocate(session, name="Eli Emea", region="EMEA", industry="Retail", status=Status.GOLD)
    make_advocate(session, name="Nora North", region="North America", industry="Software",
                  tags=["beta", "vip"], status=Status.SILVER, readiness_tier=2, state=AdvocateState.INVITED)
    make_advocate(session, name="Otto Out", region="EMEA", industry="Software", tags=["beta"],
                  state=AdvocateState.OPTED_OUT)
    session.commit()


def _by_the_rule(session, audience, activity_min=Status.BRONZE) -> int:
    mission = SimpleNamespace(audience=audience, activity=SimpleNamespace(min_status=activity_min))
    needed = eligibility.required_status(mission)
    return sum(1 for a in session.scalars(select(Advocate)) if a.state != AdvocateState.OPTED_OUT
               and a.status.rank >= needed.rank and eligibility.in_audience(a, mission))


@pytest.mark.parametrize("role, status", [("advocate", 403), ("csm", 403), ("marketing", 200),
                                          ("admin", 200)])
@pytest.mark.parametrize("url", ["/admin/audiences/count?regions=EMEA", "/admin/audiences/advocates?q=emea"])
def test_the_picker_endpoints_are_for_curators_only(as_role, client, people, role, status, url):
    as_role(role)
    assert client.get(url).status_code == status


def test_the_picker_endpoints_ask_anonymous_visitors_to_sign_in(client, people):
    response = client.get("/admin/audiences/advocates?q=emea")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("query, audience", [
    ("", {}),
    ("regions=EMEA", {"regions": ["EMEA"]}),
    ("regions=EMEA&tags=beta", {"regions": ["EMEA"], "tags": ["beta"]}),
    ("industries=Software&tags=vip&tags=beta", {"industries": ["Software"], "tags": ["vip", "beta"]}),
    ("min_status=silver", {"min_status": "silver"}),
    ("readiness_tiers=1&readiness_tiers=2&regions=EMEA", {"readiness_tiers": [1, 2], "regions": ["EMEA"]}),
    ("regions=North+Amercia", {"regions": ["North Amercia"]}),
])
def test_the_count_is_the_eligibility_rule(as_role, client, session, people, query, audience):
    as_role("marketing")
    result = client.get(f"/admin/audiences/count?{query}").get_json()
    assert result["matching"] == _by_the_rule(session, audience)
    start = f"{result['matching']} advocate" if result["matching"] else "No advocate"
    assert result["text"].startswith(start)


def test_the_count_takes_the_activity_minimum_and_named_advocates(as_role, client, session, people):
    as_role("marketing")
    gold_only = make_activity(session, min_status=Status.GOLD)
    session.commit()
    assert client.get(f"/admin/audiences/count?activity_id={gold_only.id}").get_json()["matching"] == 1
    nora = session.scalars(select(Advocate).where(Advocate.name == "Nora North")).one()
    named = client.get(f"/admin/audiences/count?regions=APAC&advocate_emails={nora.email}").get_json()
    assert named["matching"] == _by_the_rule(session, {"advocate_ids": [nora.id]}) == 1
    unknown = client.get("/admin/audiences/count?advocate_emails=ghost@example.com").get_json()
    assert unknown["unknown_emails"] == ["ghost@example.com"] and "ghost@example.com" in unknown["text"]


def test_the_search_shows_name_and_company(as_role, client, people):
    as_role("marketing")
    found = client.get("/admin/audiences/advocates?q=east").get_json()["advocates"]
    assert [(a["name"], a["company"]) for a in found] == [("Erin Emea", "Eastwind")]
    assert client.get("/admin/audiences/advocates?q=e").get_json() == {"advocates": []}


def test_the_form_offers_the_values_advocates_hold_with_counts(as_role, client, people):
    as_role("marketing")
    page = client.get("/admin/missions/new").get_data(as_text=True)
    assert "EMEA (3)" in page and "North America (1)" in page and "beta (3)" in page and "vip (1)" in page
    assert 'id="audience-count"' in page and "3 advocates match this audience, 2 of them active." in page
    assert 'src="/static/js/audience.js"' in page and 'data-count-url="/admin/audiences/count"' in page


def test_check_audience_shows_the_count_and_saves_nothing(as_role, client, session, people):
    as_role("marketing")
    activity = make_activity(session)
    session.commit()
    response = client.post("/admin/missions/new", data=mission_form(activity, regions=["EMEA"], tags=["beta"],
                                                                    check="Check audience"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 advocate matches this audience, 1 of them active." in page
    assert session.scalar(select(func.count(Mission.id))) == 0


def test_an_old_value_that_matches_nobody_is_a_warning_next_to_its_field(as_role, client, session, people):
    as_role("marketing")
    mission = make_mission(session, audience={"regions": ["North Amercia", "EMEA"], "tags": ["beta"]})
    session.commit()
    page = client.get(f"/admin/missions/{mission.id}").get_data(as_text=True)
    assert 'id="regions-warning" class="field-warning">“North Amercia” matches no advocate.' in page
    assert "North Amercia (no advocate)" in page and 'name="save_anyway"' in page
    assert 'id="tags-warning"' not in page


def test_saving_a_nobody_value_needs_save_anyway(as_role, client, session, people):
    as_role("marketing")
    mission = make_mission(session, audience={"regions": ["North Amercia"]})
    session.commit()
    data = mission_form(mission.activity, title="Renamed", regions=["North Amercia"],
                        version_id=mission.version_id)
    refused = client.post(f"/admin/missions/{mission.id}", data=data).get_data(as_text=True)
    assert 'id="regions-error"' in refused and "Tick “save anyway”" in refused
    session.refresh(mission)
    assert mission.title != "Renamed"
    assert client.post(f"/admin/missions/{mission.id}", data={**data, "save_anyway": "y"}).status_code == 302
    session.refresh(mission)
    assert mission.title == "Renamed" and mission.audience == {"regions": ["North Amercia"]}


def test_values_that_exist_save_without_a_tick(as_role, client, session, people):
    as_role("marketing")
    activity = make_activity(session)
    session.commit()
    response = client.post("/admin/missions/new", data=mission_form(activity, regions=["EMEA"]))
    assert response.status_code == 302
    assert session.scalars(select(Mission)).one().audience == {"regions": ["EMEA"]}
