"""Invitations: who may invite whom, the link to copy, and new links replacing old ones."""

from sqlalchemy import select

from app.models import Advocate, Invite, StaffRole, StaffUser
from tests.factories import make_advocate, make_staff


def test_marketing_invites_an_advocate_and_sees_the_link(as_role, client, session):
    as_role("marketing")
    csm = make_staff(session, role=StaffRole.CSM, name="Carla CSM")
    session.commit()
    response = client.post("/admin/invites/advocate", data={
        "advocate-name": "Nina New", "advocate-email": "Nina@Example.com", "advocate-company": "Acme",
        "advocate-owner_id": str(csm.id)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    advocate = session.scalars(select(Advocate).where(Advocate.email == "nina@example.com")).one()
    assert advocate.owner_id == csm.id and advocate.company == "Acme"
    assert "http://localhost/invite/" in page


def test_the_invitation_link_opens_the_acceptance_page(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/invites/staff", data={
        "staff-name": "Sam Staff", "staff-email": "sam@example.com", "staff-role": "marketing"},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    link = page.split('id="invite-link" type="text" readonly value="')[1].split('"')[0]
    staff = session.scalars(select(StaffUser).where(StaffUser.email == "sam@example.com")).one()
    assert staff.role == StaffRole.MARKETING and staff.password_hash is None
    assert client.get(link.replace("http://localhost", "")).status_code == 200


def test_marketing_may_not_invite_staff(as_role, client, session):
    as_role("marketing")
    response = client.post("/admin/invites/staff", data={
        "staff-name": "Eve", "staff-email": "eve@example.com", "staff-role": "admin"})
    assert response.status_code == 403
    assert session.scalars(select(StaffUser).where(StaffUser.email == "eve@example.com")).first() is None
    assert "Invite a staff member" not in client.get("/admin/invites").get_data(as_text=True)


def test_inviting_an_existing_member_is_refused_next_to_the_email(as_role, client, session):
    as_role("marketing")
    existing = make_advocate(session)
    session.commit()
    response = client.post("/admin/invites/advocate", data={
        "advocate-name": "Again", "advocate-email": existing.email, "advocate-owner_id": "0"})
    assert 'id="advocate-email-error"' in response.get_data(as_text=True)
    assert session.scalars(select(Invite)).first() is None


def test_a_bad_email_changes_nothing(as_role, client, session):
    as_role("admin")
    response = client.post("/admin/invites/advocate", data={
        "advocate-name": "X", "advocate-email": "not-an-email", "advocate-owner_id": "0"})
    assert 'id="advocate-email-error"' in response.get_data(as_text=True)
    assert session.scalars(select(Advocate)).first() is None


def test_a_new_link_revokes_the_old_one(as_role, client, session):
    as_role("marketing")
    client.post("/admin/invites/advocate", data={
        "advocate-name": "Olly", "advocate-email": "olly@example.com", "advocate-owner_id": "0"})
    old = session.scalars(select(Invite)).one()
    client.post(f"/admin/invites/{old.id}/renew", data={"confirmed": "yes"})
    session.refresh(old)
    invites = session.scalars(select(Invite).order_by(Invite.id)).all()
    assert len(invites) == 2 and old.revoked_at is not None and invites[1].revoked_at is None
    page = client.get("/admin/invites").get_data(as_text=True)
    assert "Revoked" in page and "Pending" in page


def test_marketing_may_not_renew_or_view_a_staff_invitation(as_role, client, session, now):
    from app.services.people import accounts

    admin = make_staff(session, role=StaffRole.ADMIN)
    invite = accounts.invite_staff(session, email="new@example.com", name="New", role=StaffRole.ADMIN,
                                   invited_by=admin, now=now, valid_days=14)
    as_role("marketing")
    assert client.get(f"/admin/invites/{invite.id}").status_code == 404
    client.post(f"/admin/invites/{invite.id}/renew", data={"confirmed": "yes"})
    assert session.scalars(select(Invite)).all() == [invite]
    session.refresh(invite)
    assert invite.revoked_at is None
