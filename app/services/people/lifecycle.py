"""An advocate's account lifecycle (SPEC §1): pause, resume, remove and return; the owner CSM; the ask
frequency. Every change is an AccountEvent (who, when, from where, from, to, why).

The allowed state moves are one table, MOVES; anything else is InvalidTransition (409 in the API):

    invited   → opted_out              (an invited person becomes active only by accepting the invitation)
    active    → paused, opted_out
    paused    → active, opted_out
    opted_out → active                 (staff bring back someone who had signed in before)

Who may do what: marketing and admin make every move, change the owner and set the ask frequency
back to standard; a CSM pauses and resumes advocates in their own book (the book itself is
directory's rule); an API key acts as marketing; an import file makes the table's moves; the
advocate leaves (active/paused → opted_out). Staff and API state moves need a reason. `high`
ask frequency is only ever the advocate's own opt-in (accounts.update_preferences).

Removing (→ opted_out) drops the advocate's queued asks and revokes their open invitations; they
can no longer sign in (Advocate.is_active), show as anonymous on leaderboards
(leaderboards.ANONYMOUS_STATES) and their badges are revoked (a return issues their status's again).
An erased advocate's account changes no more.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from app.models import (
    AccountEvent,
    Advocate,
    AdvocateState,
    Ask,
    AskFrequency,
    AskReason,
    AskState,
    EventKind,
    EventSource,
    Invite,
    StaffRole,
    StaffUser,
)
from app.services import badges
from app.services.errors import Forbidden, InvalidTransition, ValidationFailed
from app.services.people import sessions as login_sessions
from app.services.webhooks import events as webhook_events

S = AdvocateState
MOVES: dict[AdvocateState, frozenset[AdvocateState]] = {
    S.INVITED: frozenset({S.OPTED_OUT}),
    S.ACTIVE: frozenset({S.PAUSED, S.OPTED_OUT}),
    S.PAUSED: frozenset({S.ACTIVE, S.OPTED_OUT}),
    S.OPTED_OUT: frozenset({S.ACTIVE}),
}
CSM_MOVES = frozenset({(S.ACTIVE, S.PAUSED), (S.PAUSED, S.ACTIVE)})
STATE_LABELS = {S.INVITED: "Invited", S.ACTIVE: "Active", S.PAUSED: "Paused", S.OPTED_OUT: "Removed"}
MOVE_LABELS = {S.ACTIVE: "Resume (active)", S.PAUSED: "Pause", S.OPTED_OUT: "Remove from the program"}
LEFT = "The holder left the program."
ERASED = "This advocate's personal data was erased; their account can no longer change."


@dataclass
class Changes:
    """What one request changes; None leaves a value as it is."""

    state: AdvocateState | None = None
    owner: StaffUser | None = None
    ask_frequency: AskFrequency | None = None
    reason: str = ""


def move_problem(current: AdvocateState, to: AdvocateState, *, erased: bool,
                 has_password: bool) -> str | None:
    """Why the moves table refuses current → to (None: allowed). Pure, so the import can ask too."""
    if erased:
        return ERASED
    if to not in MOVES[current]:
        hint = " They become active by accepting their invitation." if current == S.INVITED else ""
        return (f"An advocate who is {STATE_LABELS[current].lower()} cannot be made "
                f"{STATE_LABELS[to].lower()}.{hint}")
    if current == S.OPTED_OUT and not has_password:
        return "They never set a password, so there is no account to bring back: invite them again instead."
    return None


def allowed_moves(advocate: Advocate, viewer: StaffUser) -> list[AdvocateState]:
    """The states `viewer` may move the advocate to now (for the staff form)."""
    return [to for to in (S.ACTIVE, S.PAUSED, S.OPTED_OUT)
            if to != advocate.state and _may_move(viewer, advocate.state, to)
            and move_problem(advocate.state, to, erased=advocate.erased_at is not None,
                             has_password=bool(advocate.password_hash)) is None]


def _may_move(actor: StaffUser | None, current: AdvocateState, to: AdvocateState) -> bool:
    return actor is None or actor.role != StaffRole.CSM or (current, to) in CSM_MOVES


def owner_choices(session: Session) -> list[StaffUser]:
    """Staff who may own advocates: active staff (invited ones too), CSMs first, then by name."""
    staff = session.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name))
    return sorted(staff, key=lambda s: s.role != StaffRole.CSM)


def owner_by_email(session: Session, email: str, *, field: str = "owner_email") -> StaffUser:
    """The active staff user with this email; ValidationFailed naming `field` otherwise."""
    staff = session.scalars(select(StaffUser).where(StaffUser.email == (email or "").strip().lower(),
                                                    StaffUser.active.is_(True))).first()
    if staff is None:
        raise ValidationFailed("No active staff user has this email.", field=field)
    return staff


def change_advocate(session: Session, *, advocate: Advocate, changes: Changes, actor: StaffUser | None,
                    source: EventSource, now: datetime) -> list[AccountEvent]:
    """Check every change, then apply them together, one AccountEvent per value that changed.

    Forbidden: a CSM changing more than pause/resume. ValidationFailed: a `high` ask frequency
    not set by the advocate, a staff/API state move without a reason. InvalidTransition: a move
    the table forbids, or any change to an erased advocate."""
    _check(advocate, changes, actor, source)
    events = []
    if changes.state is not None and changes.state != advocate.state:
        events.append(_set_state(session, advocate, changes.state, actor, source, changes.reason, now))
    if changes.owner is not None and changes.owner.id != advocate.owner_id:
        old = advocate.owner.email if advocate.owner else None
        advocate.owner_id, advocate.owner = changes.owner.id, changes.owner
        events.append(_event(advocate, actor, source, EventKind.OWNER, old, changes.owner.email,
                             changes.reason, now))
    if changes.ask_frequency is not None and changes.ask_frequency != advocate.ask_frequency:
        old, advocate.ask_frequency = advocate.ask_frequency, changes.ask_frequency
        events.append(_event(advocate, actor, source, EventKind.ASK_FREQUENCY, old.value,
                             changes.ask_frequency.value, changes.reason, now))
    session.add_all(events)
    session.flush()
    if events and source != EventSource.IMPORT:  # the importer emits one event per written row itself
        webhook_events.emit(session, "advocate.updated", webhook_events.advocate_data(
            advocate, source=source.value, changed=[event.kind.value for event in events]), now)
    return events


def _check(advocate: Advocate, changes: Changes, actor: StaffUser | None, source: EventSource) -> None:
    moving = changes.state is not None and changes.state != advocate.state
    if advocate.erased_at is not None and (moving or changes.owner or changes.ask_frequency):
        raise InvalidTransition(ERASED, field="state" if moving else None)
    if actor is not None and actor.role == StaffRole.CSM and (
            changes.owner is not None or changes.ask_frequency is not None
            or (moving and not _may_move(actor, advocate.state, changes.state))):
        raise Forbidden("A CSM may pause and resume advocates in their book; ask marketing for the rest.",
                        field="state" if moving else None)
    if changes.ask_frequency == AskFrequency.HIGH and source != EventSource.ADVOCATE:
        raise ValidationFailed("ask_frequency high is only set by the advocate's own opt-in; "
                               "staff may set it back to standard.", field="ask_frequency")
    if moving:
        problem = move_problem(advocate.state, changes.state, erased=False,
                               has_password=bool(advocate.password_hash))
        if problem:
            raise InvalidTransition(problem, field="state")
        if source in (EventSource.STAFF, EventSource.API) and not (changes.reason or "").strip():
            raise ValidationFailed("Say why the account changes.", field="reason")


def _set_state(session: Session, advocate: Advocate, to: AdvocateState, actor: StaffUser | None,
               source: EventSource, reason: str, now: datetime) -> AccountEvent:
    old, advocate.state = advocate.state, to
    if to == S.OPTED_OUT:
        _close_open_doors(session, advocate.id, now)
        # Ended, not just refused while opted out: a later resume must not revive old cookies.
        login_sessions.end_all(session, user=advocate, now=now)
        badges.revoke_all(session, advocate_id=advocate.id, reason=LEFT, now=now)
    elif old == S.OPTED_OUT:  # brought back: they hold their status again, and its badge
        badges.settle(session, advocate=advocate, reason=reason, now=now)
    return _event(advocate, actor, source, EventKind.STATE, old.value, to.value, reason, now)


def _close_open_doors(session: Session, advocate_id: int, now: datetime) -> None:
    """A removed advocate: their queued asks will not go out, and no invitation link works."""
    session.execute(update(Ask).where(Ask.advocate_id == advocate_id, Ask.state == AskState.QUEUED)
                    .values(state=AskState.DROPPED, reason=AskReason.OPTED_OUT, queued_until=None,
                            closed_at=now).execution_options(synchronize_session=False))
    session.execute(update(Invite).where(Invite.advocate_id == advocate_id, Invite.accepted_at.is_(None),
                                         Invite.revoked_at.is_(None))
                    .values(revoked_at=now).execution_options(synchronize_session=False))


def _event(advocate: Advocate, actor: StaffUser | None, source: EventSource, kind: EventKind,
           old: str | None, new: str | None, reason: str, now: datetime) -> AccountEvent:
    return AccountEvent(advocate_id=advocate.id, actor_id=actor.id if actor else None, source=source,
                        kind=kind, from_value=old, to_value=new, reason=(reason or "").strip(), at=now)


def leave_program(session: Session, *, advocate: Advocate, now: datetime) -> AccountEvent:
    """The advocate leaves: active or paused → opted_out. InvalidTransition from another state."""
    if advocate.state not in (S.ACTIVE, S.PAUSED):
        raise InvalidTransition("You are not an active member of the program.")
    return change_advocate(session, advocate=advocate, changes=Changes(state=S.OPTED_OUT,
                           reason="Left the program from their profile."),
                           actor=None, source=EventSource.ADVOCATE, now=now)[0]


def apply_imported(session: Session, changes: list[tuple[int, int, AdvocateState | None, int | None]], *,
                   now: datetime) -> None:
    """Set what a customer import's rows changed, as (advocate id, line, state, owner id), already checked
    against the moves table (customers.batches); each change is recorded with source import."""
    for advocate_id, line, state, owner_id in changes:
        advocate = session.get(Advocate, advocate_id, populate_existing=True)  # the import wrote it with SQL
        change_advocate(session, advocate=advocate, changes=Changes(
            state=state, owner=session.get(StaffUser, owner_id) if owner_id else None,
            reason=f"Customer import, line {line}."), actor=None, source=EventSource.IMPORT, now=now)


def history(session: Session, *, advocate_id: int, limit: int = 20) -> list[AccountEvent]:
    """The advocate's account events, newest first."""
    return list(session.scalars(
        select(AccountEvent).where(AccountEvent.advocate_id == advocate_id)
        .options(selectinload(AccountEvent.actor))
        .order_by(AccountEvent.at.desc(), AccountEvent.id.desc()).limit(limit)))
