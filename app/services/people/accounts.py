"""Accounts: invitations for advocates and staff, accepting them, password rules and preferences.

Signing in lives in services.sign_in, sessions in services.login_sessions, reset links in
services.password_resets.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Advocate,
    AdvocateState,
    AskFrequency,
    Invite,
    StaffRole,
    StaffUser,
    Status,
)
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.people import passwords
from app.services.webhooks import events as webhook_events


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(session: Session, email: str) -> Advocate | StaffUser | None:
    """The staff user or advocate with this (normalised) email, staff first.

    Both tables are always read, so the work does not depend on which (if any) holds the email."""
    staff = session.scalars(select(StaffUser).where(StaffUser.email == email)).first()
    advocate = session.scalars(select(Advocate).where(Advocate.email == email)).first()
    return staff or advocate


def owned_by(model, user: Advocate | StaffUser):
    """The WHERE condition for `model` rows (with advocate_id and staff_id columns) of one person."""
    return model.staff_id == user.id if user.is_staff else model.advocate_id == user.id


@dataclass
class AdvocateProfile:
    name: str
    email: str
    company: str = ""
    title: str = ""
    industry: str = ""
    company_size: str = ""
    region: str = ""
    owner_id: int | None = None


def invite_advocate(session: Session, *, profile: AdvocateProfile, invited_by: StaffUser | None,
                    now: datetime, valid_days: int) -> Invite:
    """Create (or reuse) an invited advocate and a fresh invitation for them."""
    email = normalise_email(profile.email)
    advocate = session.scalars(select(Advocate).where(Advocate.email == email)).first()
    if advocate is not None and advocate.state != AdvocateState.INVITED:
        raise Conflict("This person already has an active account.", field="email")
    if session.scalars(select(StaffUser).where(StaffUser.email == email)).first():
        raise Conflict("This email belongs to a staff account.", field="email")
    created = advocate is None
    if created:
        advocate = Advocate(email=email, state=AdvocateState.INVITED, status=Status.BRONZE,
                            status_since=now, created_at=now, tags=[])
        session.add(advocate)
    fields = ("name", "company", "title", "industry", "company_size", "region", "owner_id")
    changed = [field for field in fields if getattr(advocate, field) != getattr(profile, field)]
    for field in fields:
        setattr(advocate, field, getattr(profile, field))
    session.flush()
    if created or changed:
        data = webhook_events.advocate_data(advocate, source="invite", changed=None if created else changed)
        webhook_events.emit(session, f"advocate.{'created' if created else 'updated'}", data, now)
    return _new_invite(session, email, now, valid_days, invited_by, advocate_id=advocate.id)


def invite_staff(session: Session, *, email: str, name: str, role: StaffRole, invited_by: StaffUser | None,
                 now: datetime, valid_days: int) -> Invite:
    """Create (or reuse) a staff account without a password and invite its owner to set one."""
    email = normalise_email(email)
    if session.scalars(select(Advocate).where(Advocate.email == email)).first():
        raise Conflict("This email belongs to an advocate.", field="email")
    staff = session.scalars(select(StaffUser).where(StaffUser.email == email)).first()
    if staff is not None and staff.password_hash:
        raise Conflict("This person already has a staff account.", field="email")
    if staff is None:
        staff = StaffUser(email=email, created_at=now)
        session.add(staff)
    staff.name, staff.role = name.strip(), role
    session.flush()
    return _new_invite(session, email, now, valid_days, invited_by, staff_id=staff.id)


def _new_invite(session, email, now, valid_days, invited_by, **target) -> Invite:
    for old in session.scalars(select(Invite).where(Invite.email == email, Invite.accepted_at.is_(None),
                                                    Invite.revoked_at.is_(None))):
        old.revoked_at = now
    invite = Invite(email=email, nonce=secrets.token_urlsafe(24), created_at=now,
                    expires_at=now + timedelta(days=valid_days),
                    invited_by_id=invited_by.id if invited_by else None, **target)
    session.add(invite)
    session.flush()
    return invite


def open_invite(session: Session, *, invite_id: int, nonce: str, now: datetime) -> Invite:
    """The invitation a link points at, if it is still usable."""
    invite = session.get(Invite, invite_id)
    if invite is None or not secrets.compare_digest(invite.nonce, nonce or ""):
        raise NotFound("This invitation link is not valid.")
    if invite.accepted_at is not None:
        raise Conflict("This invitation has already been used. Sign in instead.")
    if invite.revoked_at is not None or invite.expires_at <= now:
        raise Conflict("This invitation has expired. Ask the program team for a new one.")
    return invite


def accept_invite(session: Session, *, invite_id: int, nonce: str, password: str,
                  now: datetime) -> Advocate | StaffUser:
    """Set the password, activate the account and mark the invitation used."""
    invite = open_invite(session, invite_id=invite_id, nonce=nonce, now=now)
    check_password_strength(password, invite.email)
    user = invite.advocate or invite.staff
    user.password_hash = passwords.hash_password(password)
    if isinstance(user, Advocate):
        user.state = AdvocateState.ACTIVE
    invite.accepted_at = now
    session.flush()
    return user


COMMON_PASSWORDS = {"password1234", "123456789012", "qwertyuiopas", "letmein12345", "passwordpassword"}


def check_password_strength(password: str, email: str) -> None:
    if len(password or "") < passwords.MIN_LENGTH:
        raise ValidationFailed(f"Use at least {passwords.MIN_LENGTH} characters.", field="password")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or lowered == email.lower() or len(set(password)) < 4:
        raise ValidationFailed("Choose a less guessable password.", field="password")


def update_preferences(session: Session, *, advocate: Advocate, high_frequency: bool,
                       leaderboard_opt_out: bool) -> Advocate:
    """The advocate's own opt-ins: the `high` ask frequency and leaving public leaderboards."""
    advocate.ask_frequency = AskFrequency.HIGH if high_frequency else AskFrequency.STANDARD
    advocate.leaderboard_opt_out = leaderboard_opt_out
    session.flush()
    return advocate


@dataclass
class InviteRow:
    invite: Invite
    state: str  # "pending", "accepted", "expired" or "revoked"
    is_staff: bool


def invite_state(invite: Invite, now: datetime) -> str:
    if invite.accepted_at is not None:
        return "accepted"
    if invite.revoked_at is not None:
        return "revoked"
    return "expired" if invite.expires_at <= now else "pending"


def list_invites(session: Session, *, now: datetime, limit: int = 200) -> list[InviteRow]:
    """The newest invitations with their state, for the staff invitations page."""
    invites = session.scalars(
        select(Invite).order_by(Invite.created_at.desc(), Invite.id.desc()).limit(limit))
    return [InviteRow(i, invite_state(i, now), i.staff_id is not None) for i in invites]


def reissue_invite(session: Session, *, invite_id: int, invited_by: StaffUser, now: datetime,
                   valid_days: int) -> Invite:
    """A fresh link for an unaccepted invitation; the old link stops working.

    Only admins may reissue staff invitations (Forbidden); accepted ones raise Conflict.
    """
    old = session.get(Invite, invite_id)
    if old is None:
        raise NotFound("No such invitation.")
    if old.accepted_at is not None:
        raise Conflict("This invitation was already accepted.")
    if old.staff is not None:
        if invited_by.role != StaffRole.ADMIN:
            raise Forbidden("Only admins may invite staff.")
        return invite_staff(session, email=old.email, name=old.staff.name, role=old.staff.role,
                            invited_by=invited_by, now=now, valid_days=valid_days)
    return _new_invite(session, old.email, now, valid_days, invited_by, advocate_id=old.advocate_id)
