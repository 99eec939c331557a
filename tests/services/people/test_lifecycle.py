"""The advocate lifecycle: the moves table, who may make which move, owner and ask-frequency changes,
the audit trail and what removing someone does."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import (
    AccountEvent,
    AdvocateState,
    Ask,
    AskFrequency,
    AskReason,
    AskState,
    EventKind,
    EventSource,
    Invite,
    StaffRole,
)
from app.services import asks
from app.services.errors import Forbidden, InvalidTransition, ValidationFailed
from app.services.people import lifecycle
from app.services.people import sessions as login_sessions
from app.services.points import leaderboards
from tests.factories import make_advocate, make_mission, make_staff

S = AdvocateState
ALL_MOVES = [(a, b) for a in S for b in S if a != b]
ALLOWED = {(S.INVITED, S.OPTED_OUT), (S.ACTIVE, S.PAUSED), (S.ACTIVE, S.OPTED_OUT), (S.PAUSED, S.ACTIVE),
           (S.PAUSED, S.OPTED_OUT), (S.OPTED_OUT, S.ACTIVE)}


def change(session, now, advocate, actor=None, source=EventSource.STAFF, reason="Asked us to", **changes):
    actor = actor if actor is not None else make_staff(session, role=StaffRole.MARKETING)
    return lifecycle.change_advocate(session, advocate=advocate, actor=actor, source=source, now=now,
                                     changes=lifecycle.Changes(reason=reason, **changes))


@pytest.mark.parametrize(("current", "to"), ALL_MOVES, ids=lambda s: s.value)
def test_the_moves_table_allows_exactly_these_moves(session, now, current, to):
    advocate = make_advocate(session, state=current)
    if (current, to) in ALLOWED:
        [event] = change(session, now, advocate, state=to)
        assert advocate.state == to
        assert (event.kind, event.from_value, event.to_value, event.reason) == (
            EventKind.STATE, current.value, to.value, "Asked us to")
    else:
        with pytest.raises(InvalidTransition) as error:
            change(session, now, advocate, state=to)
        assert error.value.field == "state" and advocate.state == current
        assert session.scalars(select(AccountEvent)).all() == []


def test_an_invited_person_becomes_active_only_by_accepting(session, now):
    advocate = make_advocate(session, state=S.INVITED, password_hash=None)
    with pytest.raises(InvalidTransition, match="accepting their invitation"):
        change(session, now, advocate, state=S.ACTIVE)


def test_someone_who_never_set_a_password_cannot_be_brought_back(session, now):
    advocate = make_advocate(session, state=S.OPTED_OUT, password_hash=None)
    with pytest.raises(InvalidTransition, match="invite them again"):
        change(session, now, advocate, state=S.ACTIVE)


def test_staff_and_api_moves_need_a_reason(session, now):
    advocate = make_advocate(session)
    for source in (EventSource.STAFF, EventSource.API):
        with pytest.raises(ValidationFailed) as error:
            change(session, now, advocate, source=source, reason="  ", state=S.PAUSED)
        assert error.value.field == "reason" and advocate.state == S.ACTIVE


def test_the_same_state_changes_nothing_and_records_nothing(session, now):
    advocate = make_advocate(session)
    assert change(session, now, advocate, state=S.ACTIVE, reason="") == []


@pytest.mark.parametrize(("current", "to"), [(S.ACTIVE, S.PAUSED), (S.PAUSED, S.ACTIVE)])
def test_a_csm_may_pause_and_resume(session, now, current, to):
    csm = make_staff(session, role=StaffRole.CSM)
    advocate = make_advocate(session, state=current, owner_id=csm.id)
    [event] = change(session, now, advocate, actor=csm, state=to)
    assert advocate.state == to and event.actor_id == csm.id


def test_a_csm_may_not_remove_bring_back_or_change_the_owner(session, now):
    csm = make_staff(session, role=StaffRole.CSM)
    active = make_advocate(session, owner_id=csm.id)
    removed = make_advocate(session, state=S.OPTED_OUT, owner_id=csm.id)
    with pytest.raises(Forbidden):
        change(session, now, active, actor=csm, state=S.OPTED_OUT)
    with pytest.raises(Forbidden):
        change(session, now, removed, actor=csm, state=S.ACTIVE)
    with pytest.raises(Forbidden):
        change(session, now, active, actor=csm, owner=make_staff(session, role=StaffRole.CSM))
    assert (active.state, removed.state, active.owner_id) == (S.ACTIVE, S.OPTED_OUT, csm.id)
    assert lifecycle.allowed_moves(active, csm) == [S.PAUSED]
    assert lifecycle.allowed_moves(removed, csm) == []


def test_allowed_moves_for_marketing_follow_the_table(session, now):
    marketing = make_staff(session, role=StaffRole.MARKETING)
    assert lifecycle.allowed_moves(make_advocate(session), marketing) == [S.PAUSED, S.OPTED_OUT]
    assert lifecycle.allowed_moves(make_advocate(session, state=S.INVITED), marketing) == [S.OPTED_OUT]
    assert lifecycle.allowed_moves(make_advocate(session, state=S.OPTED_OUT), marketing) == [S.ACTIVE]
    erased = make_advocate(session, state=S.OPTED_OUT, erased_at=now)
    assert lifecycle.allowed_moves(erased, marketing) == []


def test_owner_change_is_recorded_by_email(session, now):
    first, second = make_staff(session, role=StaffRole.CSM), make_staff(session, role=StaffRole.CSM)
    advocate = make_advocate(session, owner_id=first.id)
    session.refresh(advocate)
    [event] = change(session, now, advocate, owner=second, reason="")
    assert advocate.owner_id == second.id
    assert (event.kind, event.from_value, event.to_value, event.source) == (
        EventKind.OWNER, first.email, second.email, EventSource.STAFF)
    assert change(session, now, advocate, owner=second) == []  # the same owner: nothing


def test_owner_by_email_needs_an_active_staff_user(session, now):
    gone = make_staff(session, role=StaffRole.CSM, active=False)
    here = make_staff(session, role=StaffRole.CSM)
    assert lifecycle.owner_by_email(session, f" {here.email.upper()} ") is here
    for email in (gone.email, "nobody@example.com"):
        with pytest.raises(ValidationFailed) as error:
            lifecycle.owner_by_email(session, email)
        assert error.value.field == "owner_email"
    assert here in lifecycle.owner_choices(session) and gone not in lifecycle.owner_choices(session)


def test_staff_may_set_the_ask_frequency_back_to_standard_but_never_to_high(session, now):
    advocate = make_advocate(session, ask_frequency=AskFrequency.HIGH)
    [event] = change(session, now, advocate, ask_frequency=AskFrequency.STANDARD, reason="")
    assert (event.from_value, event.to_value) == ("high", "standard")
    with pytest.raises(ValidationFailed, match="own opt-in") as error:
        change(session, now, advocate, ask_frequency=AskFrequency.HIGH)
    assert error.value.field == "ask_frequency" and advocate.ask_frequency == AskFrequency.STANDARD


def test_changes_are_checked_whole_before_any_is_applied(session, now):
    owner = make_staff(session, role=StaffRole.CSM)
    advocate = make_advocate(session, state=S.INVITED)
    with pytest.raises(InvalidTransition):
        change(session, now, advocate, owner=owner, state=S.PAUSED)
    assert advocate.owner_id is None and session.scalars(select(AccountEvent)).all() == []


def test_an_erased_advocate_cannot_change(session, now):
    advocate = make_advocate(session, state=S.OPTED_OUT, erased_at=now)
    with pytest.raises(InvalidTransition, match="erased"):
        change(session, now, advocate, state=S.ACTIVE)
    with pytest.raises(InvalidTransition, match="erased"):
        change(session, now, advocate, owner=make_staff(session, role=StaffRole.CSM))


def test_removing_drops_queued_asks_revokes_invitations_ends_sign_in_and_hides_on_boards(session, now):
    advocate = make_advocate(session)
    other = make_advocate(session)
    mission = make_mission(session, closes_at=now + timedelta(days=300))
    for person in (advocate, other):
        session.add(Ask(advocate_id=person.id, mission_id=mission.id, activity_id=mission.activity_id,
                        state=AskState.QUEUED, reason=AskReason.FREQUENCY_CAP,
                        queued_until=now + timedelta(days=9), created_at=now, priority=1, counts_as_ask=True))
    session.add(Invite(email=advocate.email, advocate_id=advocate.id, nonce="n1", created_at=now,
                       expires_at=now + timedelta(days=3)))
    session.flush()
    token = login_sessions.start(session, user=advocate, now=now, lifetime=timedelta(days=14))
    assert login_sessions.load_user(session, token=token, now=now) is advocate

    change(session, now, advocate, state=S.OPTED_OUT, reason="Left the company")
    session.expire_all()
    mine, theirs = (session.scalars(select(Ask).where(Ask.advocate_id == p.id)).one()
                    for p in (advocate, other))
    assert (mine.state, mine.reason, mine.closed_at) == (AskState.DROPPED, AskReason.OPTED_OUT, now)
    assert theirs.state == AskState.QUEUED
    assert session.scalars(select(Invite).where(Invite.advocate_id == advocate.id)).one().revoked_at == now
    assert login_sessions.load_user(session, token=token, now=now) is None
    assert login_sessions.live_count(session, user=advocate, now=now) == 0
    assert not asks.decide(session, advocate=advocate, activity=None, now=now).askable
    assert advocate.state in leaderboards.ANONYMOUS_STATES


def test_leaving_is_the_advocate_s_own_move(session, now):
    advocate = make_advocate(session, state=S.PAUSED)
    event = lifecycle.leave_program(session, advocate=advocate, now=now)
    assert advocate.state == S.OPTED_OUT
    assert (event.source, event.actor_id, event.from_value) == (EventSource.ADVOCATE, None, "paused")
    with pytest.raises(InvalidTransition):
        lifecycle.leave_program(session, advocate=advocate, now=now)


def test_history_is_newest_first(session, now):
    advocate = make_advocate(session)
    change(session, now, advocate, state=S.PAUSED)
    change(session, now + timedelta(hours=1), advocate, state=S.ACTIVE)
    assert [e.to_value for e in lifecycle.history(session, advocate_id=advocate.id)] == ["active", "paused"]
