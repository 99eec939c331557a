"""The attempt state machine and the actions that drive it (SPEC §3)."""

from datetime import timedelta
from itertools import product

import pytest
from sqlalchemy import func, select, update

from app.models import (
    Attempt,
    AttemptState,
    AttemptTransition,
    Evidence,
    LedgerEntry,
    Notification,
)
from app.services import missions
from app.services.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.services.missions.attempts import TRANSITIONS, Actor, EvidenceInput
from tests.factories import make_activity, make_advocate, make_mission, make_staff

S = AttemptState
ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
DISALLOWED = [(a, b) for a, b in product(S, S) if b not in TRANSITIONS[a]]
LINK = EvidenceInput(link="https://reviews.example.com/r/1")


def _attempt_in(session, state, now):
    mission = make_mission(session)
    advocate = make_advocate(session)
    attempt = Attempt(mission_id=mission.id, advocate_id=advocate.id, activity_id=mission.activity_id,
                      state=state, created_at=now)
    session.add(attempt)
    session.flush()
    return attempt


def _ledger_count(session, attempt_id=None):
    stmt = select(func.count()).select_from(LedgerEntry)
    if attempt_id is not None:
        stmt = stmt.where(LedgerEntry.idempotency_key == f"mission-attempt:{attempt_id}")
    return session.scalar(stmt)


def _started(session, now, **activity):
    mission = make_mission(session, activity=make_activity(session, **activity))
    advocate = make_advocate(session)
    attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    return advocate, mission, attempt


def _submitted(session, now, **activity):
    advocate, mission, attempt = _started(session, now, **activity)
    missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=LINK, now=now)
    return advocate, mission, attempt


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_transition_is_applied_and_recorded(session, now, source, target):
    attempt = _attempt_in(session, source, now)
    staff = make_staff(session)
    missions.transition(session, attempt, target, actor=Actor.of(staff), now=now, reason="why")
    assert attempt.state == target
    [record] = attempt.transitions
    assert (record.from_state, record.to_state) == (source, target)
    assert (record.actor_kind, record.actor_id, record.actor_name) == ("staff", staff.id, staff.name)
    assert record.at == now and record.reason == "why"


@pytest.mark.parametrize(("source", "target"), DISALLOWED, ids=[f"{a}->{b}" for a, b in DISALLOWED])
def test_every_disallowed_transition_is_refused(session, now, source, target):
    attempt = _attempt_in(session, source, now)
    with pytest.raises(InvalidTransition):
        missions.transition(session, attempt, target, actor=Actor.of(None), now=now)
    session.refresh(attempt)
    assert attempt.state == source
    assert session.scalar(select(func.count()).select_from(AttemptTransition)) == 0


def test_a_transition_loses_when_someone_else_moved_the_attempt_first(session, now):
    attempt = _attempt_in(session, S.STARTED, now)
    session.execute(update(Attempt).where(Attempt.id == attempt.id).values(state=S.DECLINED)
                    .execution_options(synchronize_session=False))
    with pytest.raises(InvalidTransition, match="changed by someone else"):
        missions.transition(session, attempt, S.SUBMITTED, actor=Actor.of(None), now=now)


def test_starting_records_the_advocate_and_sets_the_deadline(session, now):
    advocate, mission, attempt = _started(session, now, expires_after_days=10)
    assert attempt.state == S.STARTED and attempt.started_at == now
    assert attempt.deadline_at == now + timedelta(days=10)
    [record] = attempt.transitions
    assert (record.from_state, record.to_state, record.actor_kind, record.actor_id) == (
        S.AVAILABLE, S.STARTED, "advocate", advocate.id)


def test_the_deadline_is_the_mission_close_when_that_comes_first(session, now):
    mission = make_mission(session, closes_at=now + timedelta(days=3),
                           activity=make_activity(session, expires_after_days=14))
    attempt = missions.start_mission(session, advocate=make_advocate(session), mission_id=mission.id, now=now)
    assert attempt.deadline_at == now + timedelta(days=3)


def test_starting_twice_is_refused(session, now):
    advocate, mission, _ = _started(session, now)
    with pytest.raises(Conflict, match="started"):
        missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)


@pytest.mark.parametrize("window", ["closed", "not_open_yet"])
def test_a_closed_or_future_mission_cannot_be_started(session, now, window):
    times = {"closed": dict(opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1)),
             "not_open_yet": dict(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=9))}
    mission = make_mission(session, **times[window])
    with pytest.raises(Conflict, match="closed"):
        missions.start_mission(session, advocate=make_advocate(session), mission_id=mission.id, now=now)


@pytest.mark.parametrize("hidden", ["archived", "audience", "missing"])
def test_a_mission_the_advocate_cannot_see_is_not_found(session, now, hidden):
    mission = make_mission(session, archived=hidden == "archived",
                           audience={"regions": ["APAC"]} if hidden == "audience" else {})
    mission_id = mission.id if hidden != "missing" else mission.id + 999
    with pytest.raises(NotFound):
        missions.start_mission(session, advocate=make_advocate(session, region="EMEA"),
                               mission_id=mission_id, now=now)


@pytest.mark.parametrize(("kind", "evidence", "stored"), [
    (Evidence.LINK, EvidenceInput(link=" https://g2.example.com/x "), {"evidence_link": "https://g2.example.com/x"}),
    (Evidence.TEXT, EvidenceInput(text=" I spoke at a meetup "), {"evidence_text": "I spoke at a meetup"}),
    (Evidence.FILE, EvidenceInput(file_token="abc123", filename="a.pdf", mimetype="application/pdf"),
     {"evidence_file": "abc123", "evidence_filename": "a.pdf"}),
    (Evidence.NONE, EvidenceInput(), {}),
])
def test_submitting_stores_the_evidence_the_activity_asks_for(session, now, kind, evidence, stored):
    advocate, _, attempt = _started(session, now, evidence=kind)
    missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=evidence, now=now)
    assert attempt.state == S.SUBMITTED and attempt.submitted_at == now
    for name, value in stored.items():
        assert getattr(attempt, name) == value


@pytest.mark.parametrize(("kind", "evidence", "field"), [
    (Evidence.LINK, EvidenceInput(link="javascript:alert(1)"), "link"),
    (Evidence.LINK, EvidenceInput(), "link"),
    (Evidence.TEXT, EvidenceInput(text="   "), "text"),
    (Evidence.FILE, EvidenceInput(), "file"),
])
def test_missing_or_bad_evidence_names_the_field_and_changes_nothing(session, now, kind, evidence, field):
    advocate, _, attempt = _started(session, now, evidence=kind)
    with pytest.raises(ValidationFailed) as error:
        missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=evidence, now=now)
    assert error.value.field == field
    session.refresh(attempt)
    assert attempt.state == S.STARTED


def test_submitting_after_the_deadline_is_refused(session, now):
    advocate, _, attempt = _started(session, now, expires_after_days=5)
    with pytest.raises(Conflict, match="deadline"):
        missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=LINK,
                                now=now + timedelta(days=5))


def test_an_advocate_cannot_submit_someone_elses_attempt(session, now):
    _, _, attempt = _started(session, now)
    with pytest.raises(NotFound):
        missions.submit_attempt(session, advocate=make_advocate(session), attempt_id=attempt.id,
                                evidence=LINK, now=now)


def test_approving_awards_the_points_once_and_notifies(session, now):
    advocate, mission, attempt = _submitted(session, now, points=400)
    staff = make_staff(session)
    missions.approve_attempt(session, staff=staff, attempt_id=attempt.id, now=now, note="Great review")
    assert attempt.state == S.APPROVED and attempt.points_awarded == 400
    assert attempt.decided_by_id == staff.id and attempt.decided_at == now
    entry = session.scalars(select(LedgerEntry)).one()
    assert (entry.amount, entry.idempotency_key) == (400, f"mission-attempt:{attempt.id}")
    assert (entry.source_type, entry.source_id) == ("attempt", attempt.id)
    session.refresh(advocate)
    session.refresh(mission)
    assert advocate.balance == 400 and mission.completed_count == 1
    assert session.scalars(select(Notification).where(Notification.kind == "approved")).one()
    with pytest.raises(InvalidTransition):
        missions.approve_attempt(session, staff=staff, attempt_id=attempt.id, now=now)
    assert _ledger_count(session) == 1


def test_approving_an_unknown_attempt_is_not_found(session, now):
    with pytest.raises(NotFound):
        missions.approve_attempt(session, staff=make_staff(session), attempt_id=12345, now=now)


def test_a_started_attempt_cannot_be_approved_or_rejected(session, now):
    _, _, attempt = _started(session, now)
    staff = make_staff(session)
    with pytest.raises(InvalidTransition):
        missions.approve_attempt(session, staff=staff, attempt_id=attempt.id, now=now)
    with pytest.raises(InvalidTransition):
        missions.reject_attempt(session, staff=staff, attempt_id=attempt.id, reason="no", now=now)
    assert _ledger_count(session) == 0


def test_the_points_override_wins_and_band_changes_never_touch_past_awards(session, now):
    advocate, mission, attempt = _submitted(session, now, points=150)
    mission.points_override = 999
    missions.approve_attempt(session, staff=make_staff(session), attempt_id=attempt.id, now=now)
    mission.activity.reward_tier.points = 5
    session.flush()
    assert session.scalars(select(LedgerEntry)).one().amount == 999
    session.refresh(advocate)
    assert advocate.balance == 999


def test_rejecting_needs_a_reason(session, now):
    _, _, attempt = _submitted(session, now)
    with pytest.raises(ValidationFailed) as error:
        missions.reject_attempt(session, staff=make_staff(session), attempt_id=attempt.id, reason="  ",
                                now=now)
    assert error.value.field == "reason"
    assert attempt.state == S.SUBMITTED


def test_a_rejected_attempt_can_be_resubmitted_while_the_mission_is_open(session, now):
    advocate, _, attempt = _submitted(session, now)
    missions.reject_attempt(session, staff=make_staff(session), attempt_id=attempt.id,
                            reason="The link is broken", now=now)
    assert attempt.state == S.REJECTED and attempt.decision_reason == "The link is broken"
    assert session.scalars(select(Notification).where(Notification.kind == "rejected")).one().body == (
        "The link is broken")
    later = now + timedelta(days=1)
    missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=LINK, now=later)
    assert attempt.state == S.SUBMITTED and attempt.decision_reason is None
    assert [t.to_state for t in attempt.transitions] == [S.STARTED, S.SUBMITTED, S.REJECTED, S.SUBMITTED]


def test_a_rejected_attempt_cannot_be_resubmitted_after_the_mission_closes(session, now):
    advocate, mission, attempt = _submitted(session, now)
    missions.reject_attempt(session, staff=make_staff(session), attempt_id=attempt.id, reason="No", now=now)
    with pytest.raises(Conflict, match="closed"):
        missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=LINK,
                                now=mission.closes_at)


def test_declining_an_offered_mission_records_it_without_penalty(session, now):
    mission = make_mission(session)
    advocate = make_advocate(session)
    attempt = missions.decline_mission(session, advocate=advocate, mission_id=mission.id, now=now,
                                       reason=" Too busy ")
    assert attempt.state == S.DECLINED
    assert attempt.transitions[0].reason == "Too busy"
    assert advocate.balance == 0 and _ledger_count(session) == 0


def test_declining_a_started_mission_works_but_not_a_submitted_one(session, now):
    advocate, mission, attempt = _started(session, now)
    missions.decline_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    assert attempt.state == S.DECLINED
    advocate2, mission2, _ = _submitted(session, now)
    with pytest.raises(InvalidTransition):
        missions.decline_mission(session, advocate=advocate2, mission_id=mission2.id, now=now)


def test_expiry_applies_to_started_and_rejected_attempts_only(session, now):
    _, _, started = _started(session, now)
    missions.expire_attempt(session, attempt=started, now=now)
    assert started.state == S.EXPIRED and started.transitions[-1].actor_kind == "system"
    _, _, submitted = _submitted(session, now)
    with pytest.raises(InvalidTransition):
        missions.expire_attempt(session, attempt=submitted, now=now)


def test_no_approval_needed_means_submitting_approves_and_awards(session, now):
    advocate, _, attempt = _submitted(session, now, requires_approval=False, points=50)
    assert attempt.state == S.APPROVED and attempt.decided_by_id is None
    assert attempt.transitions[-1].actor_kind == "system"
    assert _ledger_count(session, attempt.id) == 1
    session.refresh(advocate)
    assert advocate.balance == 50


def test_the_completion_limit_refuses_an_approval_beyond_it(session, now):
    mission = make_mission(session, completion_limit=1)
    staff = make_staff(session)
    attempts = []
    for _ in range(2):
        advocate = make_advocate(session)
        attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
        missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=LINK, now=now)
        attempts.append(attempt.id)
    missions.approve_attempt(session, staff=staff, attempt_id=attempts[0], now=now)
    session.commit()
    with pytest.raises(Conflict, match="completion limit"):
        missions.approve_attempt(session, staff=staff, attempt_id=attempts[1], now=now)
    session.rollback()
    assert session.get(Attempt, attempts[1]).state == S.SUBMITTED
    assert _ledger_count(session) == 1
    with pytest.raises(Conflict, match="places"):
        missions.start_mission(session, advocate=make_advocate(session), mission_id=mission.id, now=now)


def test_the_approval_queue_lists_submissions_oldest_first(session, now):
    _, _, newer = _submitted(session, now)
    _, _, older = _submitted(session, now)
    older.submitted_at = now - timedelta(days=2)
    _started(session, now)
    session.flush()
    assert [a.id for a in missions.approval_queue(session)] == [older.id, newer.id]


def test_can_submit_follows_the_deadline_and_the_mission_window(session, now):
    _, _, attempt = _started(session, now)
    assert missions.can_submit(attempt, now)
    assert not missions.can_submit(attempt, attempt.deadline_at)
    for state in (AttemptState.SUBMITTED, AttemptState.APPROVED, AttemptState.DECLINED,
                  AttemptState.EXPIRED, AttemptState.AVAILABLE):
        assert not missions.can_submit(_attempt_in(session, state, now), now)
    rejected = _attempt_in(session, AttemptState.REJECTED, now)
    assert missions.can_submit(rejected, now)
    assert not missions.can_submit(rejected, rejected.mission.closes_at)


def test_an_advocates_attempts_newest_move_first_by_state_and_limited(session, now):
    advocate, staff = make_advocate(session), make_staff(session)
    oldest, newest, done = [
        missions.start_mission(session, advocate=advocate, now=now - timedelta(days=days_ago),
                               mission_id=make_mission(session, opens_at=now - timedelta(days=9)).id)
        for days_ago in (3, 1, 2)]
    missions.submit_attempt(session, advocate=advocate, attempt_id=done.id, evidence=LINK, now=now)
    missions.approve_attempt(session, staff=staff, attempt_id=done.id, now=now)
    missions.start_mission(session, advocate=make_advocate(session), mission_id=oldest.mission_id, now=now)
    ids = [oldest.id, newest.id, done.id]
    session.flush()
    session.expunge_all()
    every = missions.attempts_for(session, advocate_id=advocate.id)
    assert [a.id for a in every] == [ids[2], ids[1], ids[0]]
    assert every[0].mission.title  # loaded with it
    assert [a.id for a in missions.attempts_for(session, advocate_id=advocate.id, states=(S.STARTED,))] == [
        ids[1], ids[0]]
    assert [a.id for a in missions.attempts_for(session, advocate_id=advocate.id, limit=1)] == [ids[2]]
    assert missions.attempts_for(session, advocate_id=advocate.id, states=(S.DECLINED, S.EXPIRED)) == []
