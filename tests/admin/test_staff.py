"""The staff page (admins only): the list, changing a role, deactivating (sessions end), reactivating,
a new invitation link, and the refusals (yourself, the last admin)."""

from flask import g

from app.models import Invite, StaffRole, StaffUser
from tests.conftest import session_token
from tests.factories import make_staff


def test_only_admins_see_the_staff_page_and_its_link(as_role, client, session):
    as_role("marketing")
    assert client.get("/admin/staff").status_code == 403
    assert "/admin/staff" not in client.get("/admin/").get_data(as_text=True)


def test_a_csm_cannot_manage_staff(as_role, client, session):
    as_role("csm")
    other = make_staff(session, role=StaffRole.MARKETING)
    session.commit()
    assert client.get("/admin/staff").status_code == 403
    assert client.post(f"/admin/staff/{other.id}/role", data={"role": "admin"}).status_code == 403
    assert client.post(f"/admin/staff/{other.id}/deactivate").status_code == 403
    session.expire_all()
    assert (other.role, other.active) == (StaffRole.MARKETING, True)


def test_the_list_shows_names_roles_states_and_last_sign_in(as_role, client, session, now):
    admin = as_role("admin")
    make_staff(session, role=StaffRole.CSM, name="Casey Invited", password_hash=None)
    make_staff(session, role=StaffRole.MARKETING, name="Morgan Gone", active=False, last_login_at=now)
    session.commit()
    page = client.get("/admin/staff").get_data(as_text=True)
    assert admin.name in page and "(you)" in page
    assert "Casey Invited" in page and ">Invited<" in page and "New invitation link" in page
    assert "Morgan Gone" in page and ">Deactivated<" in page and "Reactivate" in page
    assert "/admin/staff" in client.get("/admin/").get_data(as_text=True)


def test_changing_a_role(as_role, client, session):
    as_role("admin")
    person = make_staff(session, role=StaffRole.CSM, name="Robin")
    session.commit()
    response = client.post(f"/admin/staff/{person.id}/role", data={"role": "marketing"},
                           follow_redirects=True)
    assert "Robin is now in marketing." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(StaffUser, person.id).role == StaffRole.MARKETING


def test_the_last_admin_cannot_demote_themselves(as_role, client, session):
    admin = as_role("admin")
    response = client.post(f"/admin/staff/{admin.id}/role", data={"role": "csm"}, follow_redirects=True)
    assert "at least one active admin" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(StaffUser, admin.id).role == StaffRole.ADMIN


def test_an_admin_who_hands_over_goes_to_the_overview(as_role, client, session):
    admin = as_role("admin")
    make_staff(session, role=StaffRole.ADMIN)
    session.commit()
    response = client.post(f"/admin/staff/{admin.id}/role", data={"role": "marketing"})
    assert response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/staff").status_code == 403


def test_nobody_deactivates_themselves(as_role, client, session):
    admin = as_role("admin")
    make_staff(session, role=StaffRole.ADMIN)
    session.commit()
    response = client.post(f"/admin/staff/{admin.id}/deactivate", data={"confirmed": "yes"},
                           follow_redirects=True)
    assert "cannot deactivate yourself" in response.get_data(as_text=True)


def as_other(other, path):
    """A request by a second browser; the test's app context (and Flask-Login's g) is shared, so forget
    the user it loaded afterwards."""
    response = other.get(path)
    g.pop("_login_user", None)
    return response


def test_deactivating_asks_first_and_changes_nothing_until_confirmed(as_role, client, session):
    as_role("admin")
    person = make_staff(session, role=StaffRole.MARKETING, name="Sam")
    session.commit()
    page = client.post(f"/admin/staff/{person.id}/deactivate").get_data(as_text=True)
    assert "Deactivate Sam?" in page and 'name="confirmed"' in page
    session.expire_all()
    assert session.get(StaffUser, person.id).active


def test_deactivating_signs_the_person_out_at_once(as_role, client, session, app):
    as_role("admin")
    person = make_staff(session, role=StaffRole.MARKETING, name="Sam")
    session.commit()
    theirs = app.test_client()
    with theirs.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = session_token(person), True
    assert as_other(theirs, "/admin/").status_code == 200
    response = client.post(f"/admin/staff/{person.id}/deactivate", data={"confirmed": "yes"},
                           follow_redirects=True)
    assert "Sam is deactivated" in response.get_data(as_text=True)
    g.pop("_login_user", None)
    after = as_other(theirs, "/admin/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/login")
    client.post(f"/admin/staff/{person.id}/reactivate")
    g.pop("_login_user", None)
    # Reactivated, they sign in again: the old cookie's session was ended for good.
    again = as_other(theirs, "/admin/")
    assert again.status_code == 302 and again.headers["Location"].startswith("/login")


def test_a_new_invitation_link_is_shown_to_copy(as_role, client, session):
    as_role("admin")
    person = make_staff(session, role=StaffRole.CSM, name="New Person", password_hash=None)
    session.commit()
    response = client.post(f"/admin/staff/{person.id}/invite", data={"confirmed": "yes"})
    invite = session.query(Invite).filter_by(staff_id=person.id).one()
    assert response.headers["Location"].endswith(f"/admin/invites/{invite.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/invite/" in page and "Invitation link" in page
