"""The staff overview figures."""

from datetime import timedelta

from app.models import AdvocateState, Status
from app.services import missions
from tests.factories import make_advocate, make_mission, make_staff, make_submitted_attempt


def test_the_overview_counts_waiting_submissions_advocates_and_points(as_role, client, session, now):
    staff = as_role("marketing")
    attempt = make_submitted_attempt(session, mission=make_mission(session))
    other = make_submitted_attempt(session, advocate=make_advocate(session, status=Status.GOLD))
    make_advocate(session, state=AdvocateState.INVITED)
    missions.approve_attempt(session, staff=staff, attempt_id=other.id, now=now)
    session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert '<span class="value">1</span>\n    <span class="label">waiting for approval' in page
    assert '<span class="value">2</span>\n    <span class="label">active advocates' in page
    assert '<span class="value">150</span>\n    <span class="label">points awarded this month' in page
    assert attempt.advocate.name not in page


def test_a_csm_overview_covers_only_their_book(as_role, client, session):
    csm = as_role("csm")
    make_advocate(session, owner_id=csm.id)
    make_advocate(session, owner_id=make_staff(session).id)
    make_advocate(session)
    session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert '<span class="value">1</span>\n    <span class="label">active advocates' in page
    assert "waiting for approval" not in page


def test_a_csm_is_greeted_by_name_and_sees_their_book(as_role, client, session, now):
    csm = as_role("csm")
    csm.name = "Carla Mendes"
    mine = make_advocate(session, name="Nadia Okafor", owner_id=csm.id)
    make_advocate(session, name="Someone Else", owner_id=make_staff(session).id)
    mission = make_mission(session, title="G2 review")
    attempt = missions.start_mission(session, advocate=mine, mission_id=mission.id, now=now)
    attempt.deadline_at = now + timedelta(days=1)
    session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert "<h1>Hello, Carla Mendes</h1>" in page
    book = page.split('aria-label="Your book"')[1]
    assert '<span class="value">1</span>\n    <span class="label">advocate you own' in book
    assert '<span class="value">1</span>\n    <span class="label">escalation waiting on you' in book
    escalations = book.split('id="escalations"')[1].split("</section>")[0]
    assert "Nadia Okafor" in escalations and "G2 review" in escalations
    assert "16 Jun 2026, 12:00 UTC" in escalations
    assert "Nadia Okafor" in book.split('id="your-advocates"')[1] and "Someone Else" not in page


def test_marketing_sees_the_program_overview_not_a_book(as_role, client):
    as_role("marketing")
    page = client.get("/admin/").get_data(as_text=True)
    assert "<h1>Overview</h1>" in page and "Your book" not in page
