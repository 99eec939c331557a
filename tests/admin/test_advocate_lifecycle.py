"""The account section of the advocate page: pause, resume and remove with a reason, change the owner,
the history; who may do which; an erased advocate shows as erased."""

from sqlalchemy import select

from app.models import AccountEvent, Advocate, AdvocateState, StaffRole
from tests.factories import make_advocate, make_staff


def state_of(session, advocate):
    session.expire_all()
    return session.get(Advocate, advocate.id).state


def test_marketing_pauses_with_a_reason_and_sees_it_in_the_history(as_role, client, session):
    as_role("marketing")
    advocate = make_advocate(session, name="Pat Doe")
    session.commit()
    page = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    assert "Remove from the program" in page and "Change owner" in page
    response = client.post(f"/admin/advocates/{advocate.id}/state",
                           data={"state": "paused", "reason": "Parental leave"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Pat Doe is now paused." in text and "Parental leave" in text
    assert state_of(session, advocate) == AdvocateState.PAUSED


def test_a_missing_reason_is_shown_next_to_the_field_and_changes_nothing(as_role, client, session):
    as_role("admin")
    advocate = make_advocate(session)
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/state", data={"state": "opted_out", "reason": ""})
    assert response.status_code == 200
    assert 'id="reason-error"' in response.get_data(as_text=True)
    assert state_of(session, advocate) == AdvocateState.ACTIVE


def test_a_move_not_offered_is_refused(as_role, client, session):
    as_role("admin")
    advocate = make_advocate(session, state=AdvocateState.INVITED, password_hash=None)
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/state", data={"state": "paused", "reason": "x"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert state_of(session, advocate) == AdvocateState.INVITED


def test_a_csm_pauses_and_resumes_in_their_book_but_cannot_remove(as_role, client, session):
    csm = as_role("csm")
    advocate = make_advocate(session, owner_id=csm.id)
    session.commit()
    page = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    assert "Pause" in page and "Remove from the program" not in page and "Change owner" not in page
    client.post(f"/admin/advocates/{advocate.id}/state", data={"state": "paused", "reason": "Busy quarter"})
    assert state_of(session, advocate) == AdvocateState.PAUSED
    client.post(f"/admin/advocates/{advocate.id}/state", data={"state": "opted_out", "reason": "x"})
    assert state_of(session, advocate) == AdvocateState.PAUSED
    assert client.post(f"/admin/advocates/{advocate.id}/owner", data={"owner_id": csm.id}).status_code == 403


def test_a_csm_cannot_touch_another_csm_s_advocate(as_role, client, session):
    as_role("csm")
    theirs = make_advocate(session, owner_id=make_staff(session, role=StaffRole.CSM).id)
    session.commit()
    response = client.post(f"/admin/advocates/{theirs.id}/state", data={"state": "paused", "reason": "x"})
    assert response.status_code == 404
    assert state_of(session, theirs) == AdvocateState.ACTIVE
    assert client.get(f"/admin/advocates/{theirs.id}").status_code == 404



def test_changing_the_owner(as_role, client, session):
    as_role("marketing")
    old = make_staff(session, role=StaffRole.CSM)
    new = make_staff(session, role=StaffRole.CSM, name="Nia New")
    gone = make_staff(session, role=StaffRole.CSM, active=False)
    advocate = make_advocate(session, owner_id=old.id)
    session.commit()
    page = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    assert "Nia New (CSM)" in page and f'value="{gone.id}"' not in page
    response = client.post(f"/admin/advocates/{advocate.id}/owner",
                           data={"owner_id": new.id, "reason": "Territory change"}, follow_redirects=True)
    assert "Nia New now owns" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Advocate, advocate.id).owner_id == new.id
    event = session.scalars(select(AccountEvent)).one()
    assert (event.from_value, event.to_value, event.reason) == (old.email, new.email, "Territory change")
    refused = client.post(f"/admin/advocates/{advocate.id}/owner", data={"owner_id": gone.id})
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)


def test_an_erased_advocate_shows_as_erased_without_actions(as_role, client, session, now):
    as_role("admin")
    advocate = make_advocate(session, name="Erased advocate", state=AdvocateState.OPTED_OUT, erased_at=now,
                             password_hash=None)
    session.commit()
    page = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    assert "<strong>Erased</strong>" in page and "Change owner" not in page and 'name="state"' not in page
