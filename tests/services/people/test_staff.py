"""Staff administration: roles, deactivation (and its sessions), the last-admin guard, invitations."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AccountEvent, ApiScope, EventKind, Invite, StaffRole
from app.services.api import keys as api_keys
from app.services.errors import Conflict, Forbidden, NotFound
from app.services.people import accounts, staff
from app.services.people import sessions as login_sessions
from tests.factories import make_staff

A, M, C = StaffRole.ADMIN, StaffRole.MARKETING, StaffRole.CSM


def test_the_list_shows_each_person_s_state_and_leaves_out_api_keys(session, now):
    admin = make_staff(session, role=A, name="Ada")
    make_staff(session, role=C, name="Ben", password_hash=None)
    gone = make_staff(session, role=M, name="cy", active=False)
    api_keys.create_key(session, name="CRM", scope=ApiScope.WRITE, created_by=admin, now=now)
    rows = staff.list_staff(session)
    assert [(r.staff.name, r.state) for r in rows] == [
        ("Ada", "active"), ("Ben", "invited"), ("cy", "deactivated")]
    assert gone in [r.staff for r in rows]


def test_admins_change_roles_and_it_is_recorded(session, now):
    admin, person = make_staff(session, role=A), make_staff(session, role=C)
    staff.change_role(session, actor=admin, staff_id=person.id, role=M, now=now)
    assert person.role == M
    event = session.scalars(select(AccountEvent).where(AccountEvent.staff_id == person.id)).one()
    assert (event.kind, event.from_value, event.to_value) == (EventKind.ROLE, "csm", "marketing")
    assert event.actor_id == admin.id


def test_only_admins_manage_staff(session, now):
    marketing, person = make_staff(session, role=M), make_staff(session, role=C)
    for action in (lambda: staff.change_role(session, actor=marketing, staff_id=person.id, role=A, now=now),
                   lambda: staff.deactivate(session, actor=marketing, staff_id=person.id, now=now)):
        with pytest.raises(Forbidden):
            action()
    assert person.role == C and person.active


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(session, now):
    admin = make_staff(session, role=A)
    make_staff(session, role=A, password_hash=None)  # invited: cannot sign in, does not count
    make_staff(session, role=A, active=False)  # deactivated: does not count
    with pytest.raises(Conflict, match="at least one active admin") as error:
        staff.change_role(session, actor=admin, staff_id=admin.id, role=M, now=now)
    assert error.value.field == "role" and admin.role == A
    other = make_staff(session, role=A)
    staff.deactivate(session, actor=admin, staff_id=other.id, now=now)  # admin stays: allowed
    with pytest.raises(Conflict, match="at least one active admin"):
        staff.deactivate(session, actor=other, staff_id=admin.id, now=now)
    staff.reactivate(session, actor=admin, staff_id=other.id, now=now)
    staff.change_role(session, actor=admin, staff_id=admin.id, role=M, now=now)  # another admin exists
    assert admin.role == M and other.role == A


def test_nobody_deactivates_themselves(session, now):
    admin = make_staff(session, role=A)
    make_staff(session, role=A)
    with pytest.raises(Conflict, match="yourself"):
        staff.deactivate(session, actor=admin, staff_id=admin.id, now=now)
    assert admin.active


def test_deactivating_ends_sessions_at_once_and_blocks_sign_in(session, now):
    admin, person = make_staff(session, role=A), make_staff(session, role=C)
    token = login_sessions.start(session, user=person, now=now, lifetime=timedelta(days=14))
    assert login_sessions.load_user(session, token=token, now=now) is person
    staff.deactivate(session, actor=admin, staff_id=person.id, now=now)
    assert login_sessions.load_user(session, token=token, now=now) is None
    with pytest.raises(Conflict, match="already"):
        staff.deactivate(session, actor=admin, staff_id=person.id, now=now)
    staff.reactivate(session, actor=admin, staff_id=person.id, now=now)
    # The sessions were ended, not just refused: reactivating does not revive an old cookie.
    assert login_sessions.load_user(session, token=token, now=now) is None
    fresh = login_sessions.start(session, user=person, now=now, lifetime=timedelta(days=14))
    assert login_sessions.load_user(session, token=fresh, now=now) is person
    kinds = session.scalars(select(AccountEvent.to_value).where(AccountEvent.staff_id == person.id)
                            .order_by(AccountEvent.id)).all()
    assert kinds == ["deactivated", "active"]


def test_deactivating_an_invited_person_revokes_their_link(session, now):
    admin = make_staff(session, role=A)
    invite = accounts.invite_staff(session, email="new@example.com", name="New", role=C, invited_by=admin,
                                   now=now, valid_days=7)
    staff.deactivate(session, actor=admin, staff_id=invite.staff_id, now=now)
    assert invite.revoked_at == now
    with pytest.raises(Conflict, match="reactivate"):
        staff.resend_invite(session, actor=admin, staff_id=invite.staff_id, now=now, valid_days=7)


def test_a_new_invitation_replaces_the_old_link(session, now):
    admin = make_staff(session, role=A)
    first = accounts.invite_staff(session, email="new@example.com", name="New", role=C, invited_by=admin,
                                  now=now, valid_days=7)
    second = staff.resend_invite(session, actor=admin, staff_id=first.staff_id, now=now, valid_days=7)
    assert second.id != first.id and first.revoked_at == now and second.staff_id == first.staff_id
    nobody_invited = make_staff(session, role=M, password_hash=None)
    third = staff.resend_invite(session, actor=admin, staff_id=nobody_invited.id, now=now, valid_days=7)
    assert session.get(Invite, third.id).staff_id == nobody_invited.id
    with pytest.raises(Conflict, match="already set a password"):
        staff.resend_invite(session, actor=admin, staff_id=admin.id, now=now, valid_days=7)


def test_api_key_actors_are_not_staff_here(session, now):
    admin = make_staff(session, role=A)
    made = api_keys.create_key(session, name="CRM", scope=ApiScope.WRITE, created_by=admin, now=now)
    with pytest.raises(NotFound):
        staff.reactivate(session, actor=admin, staff_id=made.key.actor_id, now=now)
