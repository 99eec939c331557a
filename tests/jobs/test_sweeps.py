"""Time travel through every sweep: nothing before its threshold, once at it, nothing on a rerun."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    AdvocateState,
    Attempt,
    AttemptState,
    AttemptTransition,
    Notification,
    OutboxMessage,
    StaffRole,
)
from app.services import missions
from app.services.missions import sweeps
from app.services.program import settings
from tests.factories import make_staff, make_submitted_attempt
from tests.jobs.support import messages, started_attempt

H = timedelta(hours=1)
D = timedelta(days=1)


def test_started_attempts_expire_at_their_deadline_once(session, now):
    attempt = started_attempt(session, at=now)
    deadline = attempt.deadline_at
    assert deadline == now + 14 * D
    assert sweeps.expire_due_attempts(session, now=deadline - timedelta(seconds=1)) == 0
    assert sweeps.expire_due_attempts(session, now=deadline) == 1
    assert sweeps.expire_due_attempts(session, now=deadline + H) == 0
    session.expire_all()
    assert attempt.state == AttemptState.EXPIRED
    moves = session.scalars(select(AttemptTransition).where(
        AttemptTransition.attempt_id == attempt.id, AttemptTransition.to_state == AttemptState.EXPIRED)).all()
    assert [(m.from_state, m.actor_kind, m.reason, m.at) for m in moves] == [
        (AttemptState.STARTED, "system", "Deadline passed", deadline)]


def test_rejected_attempts_expire_when_their_mission_closes(session, now):
    attempt = make_submitted_attempt(session)
    missions.reject_attempt(session, staff=make_staff(session), attempt_id=attempt.id, reason="Blurry",
                            now=now)
    closes = attempt.mission.closes_at
    assert sweeps.expire_due_attempts(session, now=closes - H) == 0
    assert sweeps.expire_due_attempts(session, now=closes) == 1
    assert sweeps.expire_due_attempts(session, now=closes) == 0
    session.expire_all()
    assert attempt.state == AttemptState.EXPIRED


def test_expiry_walks_many_batches(session, now):
    attempts = [started_attempt(session, at=now, expires_after_days=1) for _ in range(7)]
    assert sweeps.expire_due_attempts(session, now=now + D, batch=3) == 7
    session.expire_all()
    assert {a.state for a in attempts} == {AttemptState.EXPIRED}


def test_each_batch_is_committed_on_its_own_when_the_job_passes_commit(session, now):
    """Expiry holds no transaction (or SQLite's write lock) across batches: every batch is committed."""
    for _ in range(5):
        started_attempt(session, at=now - timedelta(days=20))
    session.commit()
    committed = []

    def commit():
        session.commit()
        committed.append(session.scalar(select(func.count()).select_from(Attempt).where(
            Attempt.state == AttemptState.EXPIRED)))

    assert sweeps.expire_due_attempts(session, now=now, batch=2, commit=commit) == 5
    assert committed == [2, 4, 5]
    for _ in range(3):
        started_attempt(session, at=now - timedelta(days=3))
    session.commit()
    committed.clear()
    assert sweeps.remind_after_start(session, now=now, batch=2, commit=commit) == 3
    assert len(committed) == 2  # two batches of reminders, each committed


def test_submitted_and_approved_attempts_never_expire(session, now):
    attempt = make_submitted_attempt(session)
    assert sweeps.expire_due_attempts(session, now=now + 60 * D) == 0
    session.expire_all()
    assert attempt.state == AttemptState.SUBMITTED


def test_the_start_reminder_goes_out_once_after_48_hours(session, now):
    attempt = started_attempt(session, at=now)
    prefix = f"reminder-start:attempt:{attempt.id}"
    assert sweeps.remind_after_start(session, now=now + 47 * H) == 0
    assert messages(session, prefix) == (0, 0)
    assert sweeps.remind_after_start(session, now=now + 48 * H) == 1
    assert sweeps.remind_after_start(session, now=now + 49 * H) == 0
    assert messages(session, prefix) == (1, 1)
    email = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == prefix)).one()
    assert email.to_email == attempt.advocate.email
    assert attempt.mission.title in email.subject and attempt.mission.title in email.body_text
    note = session.scalars(select(Notification).where(Notification.dedupe_key == prefix)).one()
    assert (note.advocate_id, note.link) == (attempt.advocate_id, f"/portal/attempts/{attempt.id}")


def test_no_start_reminder_once_submitted(session, now):
    make_submitted_attempt(session)
    assert sweeps.remind_after_start(session, now=now + 5 * D) == 0
    assert messages(session, "reminder-start:") == (0, 0)


def test_the_start_reminder_threshold_is_a_setting(session, now):
    settings.save(session, changes={"reminder_after_start_hours": 24}, actor_id=None, now=now)
    started_attempt(session, at=now)
    assert sweeps.remind_after_start(session, now=now + 23 * H) == 0
    assert sweeps.remind_after_start(session, now=now + 24 * H) == 1


def test_opted_out_advocates_get_the_in_app_reminder_but_no_email(session, now):
    attempt = started_attempt(session, at=now)
    attempt.advocate.state = AdvocateState.OPTED_OUT
    session.flush()
    assert sweeps.remind_after_start(session, now=now + 3 * D) == 1
    assert messages(session, "reminder-start:") == (1, 0)
    assert sweeps.remind_after_start(session, now=now + 3 * D) == 0


def test_advocates_who_turned_off_reminder_emails_still_get_them_in_the_app(session, now):
    attempt = started_attempt(session, at=now, email_opt_outs=["reminders"])
    other = started_attempt(session, at=now, email_opt_outs=["missions", "checkins"])
    session.commit()
    session.expire_all()
    assert sweeps.remind_after_start(session, now=now + 3 * D) == 2
    assert sweeps.remind_before_deadline(session, now=attempt.deadline_at - H) == 2
    for kind in ("reminder-start", "reminder-deadline"):
        assert messages(session, f"{kind}:attempt:{attempt.id}") == (1, 0)
        assert messages(session, f"{kind}:attempt:{other.id}") == (1, 1)
    assert sweeps.remind_after_start(session, now=now + 4 * D) == 0


def test_the_deadline_reminder_goes_out_once_48_hours_before(session, now):
    attempt = started_attempt(session, at=now)
    deadline = attempt.deadline_at
    assert sweeps.remind_before_deadline(session, now=deadline - 49 * H) == 0
    assert sweeps.remind_before_deadline(session, now=deadline - 48 * H) == 1
    assert sweeps.remind_before_deadline(session, now=deadline - H) == 0
    assert messages(session, f"reminder-deadline:attempt:{attempt.id}") == (1, 1)


def test_no_deadline_reminder_after_the_deadline(session, now):
    attempt = started_attempt(session, at=now)
    assert sweeps.remind_before_deadline(session, now=attempt.deadline_at) == 0


def test_the_owner_csm_hears_once_two_days_before_the_deadline(session, now):
    csm = make_staff(session, role=StaffRole.CSM)
    attempt = started_attempt(session, at=now, owner_id=csm.id)
    deadline = attempt.deadline_at
    assert sweeps.escalate_to_csm(session, now=deadline - 2 * D - timedelta(minutes=1)) == 0
    assert sweeps.escalate_to_csm(session, now=deadline - 2 * D) == 1
    assert sweeps.escalate_to_csm(session, now=deadline - D) == 0
    key = f"escalation-csm:attempt:{attempt.id}"
    note = session.scalars(select(Notification).where(Notification.dedupe_key == key)).one()
    assert (note.staff_id, note.advocate_id) == (csm.id, None)
    email = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()
    assert (email.to_email, email.staff_id) == (csm.email, csm.id)
    assert attempt.advocate.name in email.body_text


def test_no_csm_escalation_without_an_active_owner(session, now):
    started_attempt(session, at=now)
    gone = make_staff(session, role=StaffRole.CSM, active=False)
    started_attempt(session, at=now, owner_id=gone.id)
    assert sweeps.escalate_to_csm(session, now=now + 13 * D) == 0


@pytest.fixture
def approvers(session):
    return [make_staff(session, role=StaffRole.MARKETING), make_staff(session, role=StaffRole.ADMIN)]


def test_waiting_submissions_escalate_to_marketing_and_admins_once(session, now, approvers):
    make_staff(session, role=StaffRole.CSM)
    make_staff(session, role=StaffRole.MARKETING, active=False)
    attempt = make_submitted_attempt(session)
    assert sweeps.escalate_waiting_approvals(session, now=now + 3 * D - timedelta(minutes=1)) == 0
    assert sweeps.escalate_waiting_approvals(session, now=now + 3 * D) == 1
    assert sweeps.escalate_waiting_approvals(session, now=now + 4 * D) == 0
    notes = session.scalars(select(Notification).where(
        Notification.dedupe_key.startswith(f"escalation-approval:attempt:{attempt.id}:"))).all()
    assert sorted(n.staff_id for n in notes) == sorted(s.id for s in approvers)
    assert messages(session, "escalation-approval:") == (2, 2)


def test_a_decided_submission_is_not_escalated(session, now, approvers):
    attempt = make_submitted_attempt(session)
    missions.approve_attempt(session, staff=approvers[0], attempt_id=attempt.id, now=now + D)
    assert sweeps.escalate_waiting_approvals(session, now=now + 5 * D) == 0


def test_every_sweep_is_quiet_with_nothing_due(session, now):
    for sweep in (sweeps.expire_due_attempts, sweeps.remind_after_start, sweeps.remind_before_deadline,
                  sweeps.escalate_to_csm, sweeps.escalate_waiting_approvals):
        assert sweep(session, now=now) == 0
    assert session.scalars(select(Attempt)).all() == []
