"""Staff administration (admins only, SPEC §1): the staff list, roles, deactivation and invitations.

Rules: nobody deactivates themselves, and no change may leave the program without an active
admin (an admin who is not deactivated and has set a password). A deactivated user's sessions
end at once: Advocate/StaffUser.is_active is false, and accounts.load_user refuses such a user on
their next request. API keys' actor rows are not staff and never listed or changed here. Every
change is an AccountEvent on the staff user.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AccountEvent, ApiKey, EventKind, EventSource, Invite, StaffRole, StaffUser
from app.services.errors import Conflict, Forbidden, NotFound
from app.services.people import accounts
from app.services.people import sessions as login_sessions

ROLE_LABELS = {StaffRole.ADMIN: "an admin", StaffRole.MARKETING: "in marketing", StaffRole.CSM: "a CSM"}
NO_ADMIN = "The program must keep at least one active admin: make someone else an admin first."


@dataclass
class StaffRow:
    staff: StaffUser
    state: str  # "active", "invited" or "deactivated"


def staff_state(staff: StaffUser) -> str:
    if not staff.active:
        return "deactivated"
    return "active" if staff.password_hash else "invited"


def _people():
    return select(StaffUser).where(StaffUser.id.not_in(select(ApiKey.actor_id)))


def list_staff(session: Session) -> list[StaffRow]:
    """Every staff user (not API keys), by name, with their state."""
    rows = session.scalars(_people().order_by(func.lower(StaffUser.name), StaffUser.id))
    return [StaffRow(staff, staff_state(staff)) for staff in rows]


def get_staff(session: Session, *, staff_id: int) -> StaffUser:
    staff = session.scalars(_people().where(StaffUser.id == staff_id)).first()
    if staff is None:
        raise NotFound("No such staff user.")
    return staff


def _require_admin(actor: StaffUser) -> None:
    if actor.role != StaffRole.ADMIN:
        raise Forbidden("Only admins manage staff.")


def _other_active_admins(session: Session, staff: StaffUser) -> int:
    """How many other active admins there are. Every active admin's row is locked, in id order
    (PostgreSQL; SQLite writers take turns anyway), so two admins demoting each other at once are
    checked one after the other and the second sees the first's change."""
    admins = session.scalars(select(StaffUser.id).where(
        StaffUser.role == StaffRole.ADMIN, StaffUser.active.is_(True), StaffUser.password_hash.is_not(None))
        .order_by(StaffUser.id).with_for_update()).all()
    return sum(1 for admin_id in admins if admin_id != staff.id)


def _is_active_admin(staff: StaffUser) -> bool:
    return staff.role == StaffRole.ADMIN and staff.active and staff.password_hash is not None


def change_role(session: Session, *, actor: StaffUser, staff_id: int, role: StaffRole,
                now: datetime) -> StaffUser:
    """Give a staff user another role. Conflict if that leaves no active admin."""
    _require_admin(actor)
    staff = get_staff(session, staff_id=staff_id)
    if role == staff.role:
        return staff
    if _is_active_admin(staff) and not _other_active_admins(session, staff):
        raise Conflict(NO_ADMIN, field="role")
    _record(session, staff, actor, EventKind.ROLE, staff.role.value, role.value, now)
    staff.role = role
    session.flush()
    return staff


def deactivate(session: Session, *, actor: StaffUser, staff_id: int, now: datetime) -> StaffUser:
    """End a staff user's access: they cannot sign in and their sessions stop working at once.
    Conflict for oneself, for someone already deactivated, or for the last active admin."""
    _require_admin(actor)
    staff = get_staff(session, staff_id=staff_id)
    if staff.id == actor.id:
        raise Conflict("You cannot deactivate yourself; ask another admin.")
    if not staff.active:
        raise Conflict(f"{staff.name} is already deactivated.")
    if _is_active_admin(staff) and not _other_active_admins(session, staff):
        raise Conflict(NO_ADMIN)
    staff.active = False
    _revoke_invites(session, staff, now)
    login_sessions.end_all(session, user=staff, now=now)
    _record(session, staff, actor, EventKind.ACTIVE, "active", "deactivated", now)
    session.flush()
    return staff


def reactivate(session: Session, *, actor: StaffUser, staff_id: int, now: datetime) -> StaffUser:
    """Give a deactivated staff user their access back (an invited one needs a new invitation)."""
    _require_admin(actor)
    staff = get_staff(session, staff_id=staff_id)
    if staff.active:
        raise Conflict(f"{staff.name} is not deactivated.")
    staff.active = True
    _record(session, staff, actor, EventKind.ACTIVE, "deactivated", "active", now)
    session.flush()
    return staff


def resend_invite(session: Session, *, actor: StaffUser, staff_id: int, now: datetime,
                  valid_days: int) -> Invite:
    """A fresh invitation link for staff who have not set a password yet; the old link stops working."""
    _require_admin(actor)
    staff = get_staff(session, staff_id=staff_id)
    if not staff.active:
        raise Conflict(f"{staff.name} is deactivated; reactivate them first.")
    if staff.password_hash:
        raise Conflict(f"{staff.name} has already set a password; there is nothing to accept.")
    last = session.scalars(select(Invite).where(Invite.staff_id == staff.id, Invite.accepted_at.is_(None))
                           .order_by(Invite.id.desc())).first()
    if last is not None:
        invite = accounts.reissue_invite(session, invite_id=last.id, invited_by=actor, now=now,
                                         valid_days=valid_days)
    else:
        invite = accounts.invite_staff(session, email=staff.email, name=staff.name, role=staff.role,
                                       invited_by=actor, now=now, valid_days=valid_days)
    _record(session, staff, actor, EventKind.INVITED, None, None, now)
    session.flush()
    return invite


def _revoke_invites(session: Session, staff: StaffUser, now: datetime) -> None:
    for invite in session.scalars(select(Invite).where(
            Invite.staff_id == staff.id, Invite.accepted_at.is_(None), Invite.revoked_at.is_(None))):
        invite.revoked_at = now


def _record(session: Session, staff: StaffUser, actor: StaffUser, kind: EventKind, old: str | None,
            new: str | None, now: datetime) -> None:
    session.add(AccountEvent(staff_id=staff.id, actor_id=actor.id, source=EventSource.STAFF, kind=kind,
                             from_value=old, to_value=new, reason="", at=now))
