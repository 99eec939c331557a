"""Accounts: invitations, accepting them, password rules and preferences (sign-in: test_sign_in.py)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AdvocateState, Invite, StaffRole
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.people import accounts
from app.services.people import sign_in as sign_in_service
from tests.factories import PASSWORD, make_advocate, make_staff

POLICY = sign_in_service.ThrottlePolicy(per_email_and_ip=5, per_ip=100, window=timedelta(minutes=15))

GOOD = "a long enough passphrase"


def invite(session, now, email="New.Person@Example.com", **profile):
    return accounts.invite_advocate(
        session, profile=accounts.AdvocateProfile(name="New Person", email=email, **profile),
        invited_by=make_staff(session, role=StaffRole.ADMIN), now=now, valid_days=14)


def sign_in(session, now, email, password=PASSWORD, ip="10.0.0.1"):
    return sign_in_service.sign_in(session, email=email, password=password, ip=ip, now=now,
                                   policy=POLICY, commit=session.commit)


def test_invite_accept_and_sign_in(session, now):
    inv = invite(session, now, region="EMEA")
    advocate = inv.advocate
    assert (advocate.email, advocate.state, advocate.region) == ("new.person@example.com",
                                                                 AdvocateState.INVITED, "EMEA")
    assert inv.expires_at == now + timedelta(days=14)
    user = accounts.accept_invite(session, invite_id=inv.id, nonce=inv.nonce, password=GOOD, now=now)
    assert user is advocate and advocate.state == AdvocateState.ACTIVE and inv.accepted_at == now
    assert sign_in(session, now, " NEW.person@example.com ", GOOD) is advocate
    assert advocate.last_login_at == now


def test_staff_invitations_work_the_same_way(session, now):
    inv = accounts.invite_staff(session, email="csm@example.com", name=" Casey ", role=StaffRole.CSM,
                                invited_by=None, now=now, valid_days=3)
    user = accounts.accept_invite(session, invite_id=inv.id, nonce=inv.nonce, password=GOOD, now=now)
    assert user.is_staff and user.role == StaffRole.CSM and user.name == "Casey" and user.is_active


def test_a_new_invitation_revokes_the_old_one(session, now):
    first = invite(session, now)
    second = invite(session, now + timedelta(hours=1))
    assert first.revoked_at == now + timedelta(hours=1) and second.advocate_id == first.advocate_id
    with pytest.raises(Conflict, match="expired"):
        accounts.open_invite(session, invite_id=first.id, nonce=first.nonce, now=now)


def test_expired_invitations_are_refused(session, now):
    inv = invite(session, now)
    with pytest.raises(Conflict, match="expired"):
        accounts.accept_invite(session, invite_id=inv.id, nonce=inv.nonce, password=GOOD,
                               now=inv.expires_at)
    assert inv.advocate.state == AdvocateState.INVITED and inv.advocate.password_hash is None


def test_used_invitations_are_refused(session, now):
    inv = invite(session, now)
    accounts.accept_invite(session, invite_id=inv.id, nonce=inv.nonce, password=GOOD, now=now)
    with pytest.raises(Conflict, match="already been used"):
        accounts.accept_invite(session, invite_id=inv.id, nonce=inv.nonce, password="another good phrase",
                               now=now)


@pytest.mark.parametrize("nonce", ["wrong", "", None])
def test_a_wrong_nonce_is_not_found(session, now, nonce):
    inv = invite(session, now)
    with pytest.raises(NotFound):
        accounts.open_invite(session, invite_id=inv.id, nonce=nonce, now=now)


def test_inviting_someone_who_already_has_an_account_is_refused(session, now):
    make_advocate(session, email="active@example.com")
    with pytest.raises(Conflict) as error:
        invite(session, now, email="Active@example.com")
    assert error.value.field == "email"
    make_staff(session, email="staff@example.com")
    with pytest.raises(Conflict):
        invite(session, now, email="staff@example.com")


@pytest.mark.parametrize("password", ["short pass", "password1234", "aaaaaaaaaaaaaaaa", "ababababababab",
                                      "new.person@example.com", ""])
def test_weak_passwords_are_refused(session, now, password):
    inv = invite(session, now)
    with pytest.raises(ValidationFailed) as error:
        accounts.accept_invite(session, invite_id=inv.id, nonce=inv.nonce, password=password, now=now)
    assert error.value.field == "password"
    assert inv.accepted_at is None and inv.advocate.state == AdvocateState.INVITED


def test_preferences_set_the_ask_frequency_and_leaderboard_opt_out(session, now):
    advocate = make_advocate(session)
    accounts.update_preferences(session, advocate=advocate, high_frequency=True, leaderboard_opt_out=True)
    assert advocate.ask_frequency.value == "high" and advocate.leaderboard_opt_out
    accounts.update_preferences(session, advocate=advocate, high_frequency=False, leaderboard_opt_out=False)
    assert advocate.ask_frequency.value == "standard" and not advocate.leaderboard_opt_out


def test_invites_are_listed_for_the_email(session, now):
    invite(session, now)
    invite(session, now)
    assert session.scalar(select(func.count()).select_from(Invite)) == 2
