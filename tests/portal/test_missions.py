"""Missions list and detail, starting and declining, and locked missions with their reason."""

from datetime import timedelta

from app.extensions import db
from app.models import Attempt, AttemptState, Evidence, Status
from app.services import missions
from tests.factories import make_activity, make_mission, make_staff
from tests.statements import fresh, watched


def test_missions_list_shows_available_and_locked_with_reasons(portal, session, advocate, now):
    make_mission(session, title="Write a review")
    make_mission(session, title="Join our webinar", activity=make_activity(session, min_status=Status.GOLD))
    session.commit()
    html = portal.get("/portal/missions").get_data(as_text=True)
    assert "Write a review" in html
    assert "Join our webinar" in html
    assert "Unlocks at Gold status." in html


def test_cooldown_shows_the_date_it_is_available_again(portal, session, advocate, now):
    activity = make_activity(session, name="Review", cooldown_days=30, requires_approval=False,
                             evidence=Evidence.NONE)
    first = make_mission(session, activity=activity, opens_at=now - timedelta(days=5))
    make_mission(session, title="Second review", activity=activity)
    attempt = missions.start_mission(session, advocate=advocate, mission_id=first.id,
                                     now=now - timedelta(days=2))
    missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id,
                            evidence=missions.EvidenceInput(), now=now - timedelta(days=2))
    session.commit()
    html = portal.get("/portal/").get_data(as_text=True)
    assert "You did this review recently." in html
    assert "Available again on 13 Jul 2026" in html


def test_mission_detail_shows_instructions_points_deadline_and_evidence(portal, session, now):
    mission = make_mission(session, instructions="Tell the world <b>loudly</b>.",
                           activity=make_activity(session, points=400, expires_after_days=10,
                                                  evidence=Evidence.FILE))
    session.commit()
    html = portal.get(f"/portal/missions/{mission.id}").get_data(as_text=True)
    assert "Tell the world &lt;b&gt;loudly&lt;/b&gt;." in html
    assert "400 points" in html
    assert "10 days after you start" in html
    assert "A file: PDF, image, TXT or DOCX, up to 5 MB" in html
    assert "Start this mission" in html


def test_start_creates_a_started_attempt_and_goes_to_it(portal, session, advocate):
    mission = make_mission(session)
    session.commit()
    response = portal.post(f"/portal/missions/{mission.id}/start")
    attempt = session.query(Attempt).filter_by(advocate_id=advocate.id).one()
    assert response.headers["Location"].endswith(f"/portal/attempts/{attempt.id}")
    assert attempt.state == AttemptState.STARTED
    assert "Submit your evidence" in portal.get(response.headers["Location"]).get_data(as_text=True)


def test_starting_a_locked_mission_shows_the_reason_and_changes_nothing(portal, session, advocate):
    mission = make_mission(session, activity=make_activity(session, min_status=Status.GOLD))
    session.commit()
    response = portal.post(f"/portal/missions/{mission.id}/start", follow_redirects=True)
    assert "Unlocks at Gold status." in response.get_data(as_text=True)
    assert session.query(Attempt).count() == 0


def test_starting_twice_shows_a_message_not_an_error(portal, session, advocate):
    mission = make_mission(session)
    session.commit()
    portal.post(f"/portal/missions/{mission.id}/start")
    response = portal.post(f"/portal/missions/{mission.id}/start", follow_redirects=True)
    assert response.status_code == 200
    assert "You have started this mission." in response.get_data(as_text=True)
    assert session.query(Attempt).count() == 1


def test_mission_outside_the_audience_is_404(portal, session, advocate):
    mission = make_mission(session, audience={"regions": ["APAC"]})
    session.commit()
    assert portal.get(f"/portal/missions/{mission.id}").status_code == 404
    assert portal.post(f"/portal/missions/{mission.id}/start").status_code == 404
    assert portal.post(f"/portal/missions/{mission.id}/decline").status_code == 404
    assert portal.get("/portal/missions/999999").status_code == 404


def test_decline_with_a_reason(portal, session, advocate):
    mission = make_mission(session, title="Speak at our conference")
    session.commit()
    response = portal.post(f"/portal/missions/{mission.id}/decline",
                           data={"reason": "Too busy this quarter", "confirmed": "yes"})
    assert response.status_code == 302
    attempt = session.query(Attempt).one()
    assert attempt.state == AttemptState.DECLINED
    assert attempt.transitions[-1].reason == "Too busy this quarter"
    assert 'class="pill pill-declined"' in portal.get("/portal/missions").get_data(as_text=True)


def test_decline_reason_too_long_is_a_field_error(portal, session):
    mission = make_mission(session)
    session.commit()
    response = portal.post(f"/portal/missions/{mission.id}/decline", data={"reason": "x" * 501})
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert session.query(Attempt).count() == 0


def test_the_home_page_asks_as_often_for_one_past_mission_as_for_many(app, portal, session, advocate, now):
    """Its attempt lists come with their missions: not one query per attempt on a closed mission."""
    staff = make_staff(session)

    def done_and_closed():
        mission = make_mission(session, activity=make_activity(session, evidence=Evidence.NONE))
        attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
        missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id,
                                evidence=missions.EvidenceInput(), now=now)
        missions.approve_attempt(session, staff=staff, attempt_id=attempt.id, now=now)
        mission.closes_at = now - timedelta(minutes=1)

    def home_page_statements():
        session.commit()
        with watched(db.engine) as seen:
            page = fresh(app, lambda: portal.get("/portal/"))
        assert page.status_code == 200
        return len(seen.statements), page.get_data(as_text=True).count('class="pill pill-approved"')

    done_and_closed()
    one, shown = home_page_statements()
    for _ in range(3):
        done_and_closed()
    assert home_page_statements() == (one, shown + 3)
