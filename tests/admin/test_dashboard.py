"""The staff overview figures."""

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
