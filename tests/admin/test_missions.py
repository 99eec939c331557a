"""Missions: dates in the program timezone, audience stored as the eligibility service reads it."""

from datetime import datetime

from sqlalchemy import func, select

from app.models import Mission
from app.services.program import settings
from tests.factories import make_activity, make_advocate, make_mission


def mission_form(activity, **overrides):
    data = {"title": "Review us on G2", "instructions": "Share your honest view.",
            "activity_id": str(activity.id),
            "min_status": "", "industries": [], "regions": [], "tags": [],
            "advocate_emails": "", "opens_at": "2026-07-01T09:00", "closes_at": "2026-07-31T18:00",
            "completion_limit": "", "points_override": ""}
    data.update(overrides)
    return data


def count_missions(session):
    return session.scalar(select(func.count(Mission.id)))


def test_dates_are_entered_in_the_program_timezone_and_stored_as_utc(as_role, client, session, now):
    staff = as_role("marketing")
    settings.save(session, changes={"timezone": "Europe/Berlin"}, actor_id=None, now=now)
    activity = make_activity(session)
    make_advocate(session, industry="Software"), make_advocate(session, industry="Retail")
    session.commit()
    data = mission_form(activity, readiness_tiers=["1", "2"], min_status="silver", points_override="500",
                        industries=["Software", "Retail"])
    assert client.post("/admin/missions/new", data=data).status_code == 302
    mission = session.scalars(select(Mission)).one()
    assert mission.opens_at == datetime(2026, 7, 1, 7, 0)
    assert mission.closes_at == datetime(2026, 7, 31, 16, 0)
    assert mission.audience == {"min_status": "silver", "readiness_tiers": [1, 2],
                                "industries": ["Software", "Retail"]}
    assert mission.points_override == 500 and mission.created_by_id == staff.id


def test_named_advocates_are_stored_by_id(as_role, client, session):
    as_role("marketing")
    first, second = make_advocate(session), make_advocate(session)
    activity = make_activity(session)
    session.commit()
    emails = f"{first.email}\n{second.email.upper()}"
    client.post("/admin/missions/new", data=mission_form(activity, advocate_emails=emails))
    assert session.scalars(select(Mission)).one().audience["advocate_ids"] == [first.id, second.id]


def test_an_unknown_named_advocate_is_refused_next_to_the_field(as_role, client, session):
    as_role("marketing")
    activity = make_activity(session)
    session.commit()
    response = client.post("/admin/missions/new",
                           data=mission_form(activity, advocate_emails="nobody@example.com"))
    page = response.get_data(as_text=True)
    assert 'id="advocate_emails-error"' in page and "nobody@example.com" in page
    assert count_missions(session) == 0


def test_a_mission_must_close_after_it_opens(as_role, client, session):
    as_role("marketing")
    activity = make_activity(session)
    session.commit()
    data = mission_form(activity, opens_at="2026-07-10T09:00", closes_at="2026-07-01T09:00")
    response = client.post("/admin/missions/new", data=data)
    assert 'id="closes_at-error"' in response.get_data(as_text=True)
    assert count_missions(session) == 0


def test_a_zero_completion_limit_is_refused(as_role, client, session):
    as_role("marketing")
    activity = make_activity(session)
    session.commit()
    response = client.post("/admin/missions/new", data=mission_form(activity, completion_limit="0"))
    assert 'id="completion_limit-error"' in response.get_data(as_text=True)
    assert count_missions(session) == 0


def test_editing_shows_local_dates_and_saves(as_role, client, session):
    as_role("marketing")
    mission = make_mission(session, opens_at=datetime(2026, 6, 1, 8, 0),
                           closes_at=datetime(2026, 6, 30, 8, 0))
    session.commit()
    page = client.get(f"/admin/missions/{mission.id}").get_data(as_text=True)
    assert 'value="2026-06-01T08:00"' in page
    data = mission_form(mission.activity, title="Renamed", version_id=str(mission.version_id))
    assert client.post(f"/admin/missions/{mission.id}", data=data).status_code == 302
    session.refresh(mission)
    assert mission.title == "Renamed"


def test_a_stale_mission_edit_asks_to_reload(as_role, client, session):
    as_role("marketing")
    mission = make_mission(session, title="Original")
    session.commit()
    stale = str(mission.version_id)
    mission.title = "Colleague's title"
    session.commit()
    response = client.post(f"/admin/missions/{mission.id}",
                           data=mission_form(mission.activity, title="Mine", version_id=stale))
    assert "Someone else changed this" in response.get_data(as_text=True)
    session.refresh(mission)
    assert mission.title == "Colleague's title"


def test_missions_are_listed_by_window_and_can_be_archived(as_role, client, session, now):
    as_role("marketing")
    open_one = make_mission(session, title="Open now")
    make_mission(session, title="Later", opens_at=datetime(2026, 9, 1), closes_at=datetime(2026, 10, 1))
    session.commit()
    assert "Open now" in client.get("/admin/missions").get_data(as_text=True)
    upcoming = client.get("/admin/missions?view=upcoming").get_data(as_text=True)
    assert "Later" in upcoming and "Open now" not in upcoming
    client.post(f"/admin/missions/{open_one.id}/archive", data={"archived": "1", "confirmed": "yes"})
    session.refresh(open_one)
    assert open_one.archived
    assert "Open now" in client.get("/admin/missions?view=archived").get_data(as_text=True)
