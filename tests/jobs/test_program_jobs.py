"""Time travel through re-engagement (30/60/90 days, once each per spell) and due promotions."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AdvocateState, Notification, OutboxMessage, Status, StatusChange
from app.services import missions
from app.services.messaging import reengagement
from app.services.people import sign_in
from app.services.periods import add_months
from app.services.points import status as status_service
from app.services.program import settings
from tests.factories import PASSWORD, make_advocate, make_mission

D = timedelta(days=1)


def sent(session, advocate_id):
    """(stage number, email queued?) of each re-engagement message the advocate got, in order."""
    notes = session.scalars(select(Notification).where(
        Notification.advocate_id == advocate_id, Notification.kind == "reengagement")
        .order_by(Notification.id)).all()
    emails = set(session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.advocate_id == advocate_id, OutboxMessage.kind == "reengagement")))
    return [(int(n.dedupe_key.split(":")[1]), n.dedupe_key in emails) for n in notes]


def test_each_stage_goes_out_once_at_its_day(session, now):
    advocate = make_advocate(session, created_at=now - 200 * D, last_active_at=now)
    assert reengagement.send_due(session, now=now + 30 * D - timedelta(seconds=1)) == 0
    assert reengagement.send_due(session, now=now + 30 * D) == 1
    assert reengagement.send_due(session, now=now + 45 * D) == 0
    assert sent(session, advocate.id) == [(1, True)]
    assert reengagement.send_due(session, now=now + 60 * D) == 1
    assert reengagement.send_due(session, now=now + 90 * D) == 1
    assert reengagement.send_due(session, now=now + 400 * D) == 0
    assert sent(session, advocate.id) == [(1, True), (2, True), (3, True)]
    email = session.scalars(select(OutboxMessage).where(OutboxMessage.advocate_id == advocate.id)
                            .order_by(OutboxMessage.id.desc())).first()
    assert email.to_email == advocate.email and "90 days" in email.body_text


def test_only_the_highest_stage_reached_is_sent(session, now):
    advocate = make_advocate(session, created_at=now - 95 * D, last_active_at=None)
    assert reengagement.send_due(session, now=now) == 1
    assert reengagement.send_due(session, now=now + D) == 0
    assert sent(session, advocate.id) == [(3, True)]


def test_coming_back_starts_a_new_spell(session, now):
    advocate = make_advocate(session, created_at=now - 31 * D, last_active_at=None)
    assert reengagement.send_due(session, now=now) == 1
    sign_in.sign_in(session, email=advocate.email, password=PASSWORD, ip="127.0.0.1", now=now + D,
                    policy=sign_in.ThrottlePolicy(5, 100, timedelta(minutes=15)), commit=session.commit)
    assert advocate.last_active_at == now + D
    assert reengagement.send_due(session, now=now + 30 * D) == 0
    assert reengagement.send_due(session, now=now + 31 * D) == 1
    assert sent(session, advocate.id) == [(1, True), (1, True)]


def test_mission_actions_count_as_activity(session, now):
    advocate = make_advocate(session, created_at=now - 40 * D)
    mission = make_mission(session)
    missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    session.expire_all()
    assert advocate.last_active_at == now
    assert reengagement.send_due(session, now=now + 29 * D) == 0


@pytest.mark.parametrize("state", [AdvocateState.PAUSED, AdvocateState.OPTED_OUT, AdvocateState.INVITED])
def test_only_active_advocates_are_written_to(session, now, state):
    make_advocate(session, created_at=now - 100 * D, state=state)
    assert reengagement.send_due(session, now=now) == 0


def test_opting_out_of_checkin_emails_keeps_the_in_app_message(session, now):
    advocate = make_advocate(session, created_at=now - 31 * D, email_opt_outs=["checkins"])
    assert reengagement.send_due(session, now=now) == 1
    assert sent(session, advocate.id) == [(1, False)]


def test_days_are_settings(session, now):
    settings.save(session, changes={"reengage_first_days": 10, "reengage_second_days": 20,
                                    "reengage_third_days": 30}, actor_id=None, now=now)
    advocate = make_advocate(session, created_at=now - 20 * D)
    assert reengagement.send_due(session, now=now) == 1
    assert sent(session, advocate.id) == [(2, True)]


def test_many_advocates_in_small_batches(session, now):
    group = [make_advocate(session, created_at=now - 35 * D) for _ in range(7)]
    assert reengagement.send_due(session, now=now, batch=3) == 7
    assert reengagement.send_due(session, now=now, batch=3) == 0
    assert all(sent(session, a.id) == [(1, True)] for a in group)


def test_gold_advocates_become_platinum_when_tenure_comes_due(session, now):
    gold_since = now - 100 * D
    advocate = make_advocate(session, status=Status.GOLD, status_since=gold_since, lifetime_points=8000)
    waiting = make_advocate(session, status=Status.GOLD, status_since=gold_since, lifetime_points=7000)
    due = add_months(gold_since, 6)
    assert status_service.promote_due(session, now=due - timedelta(seconds=1)) == 0
    assert status_service.promote_due(session, now=due) == 1
    assert status_service.promote_due(session, now=due + D) == 0
    assert (advocate.status, waiting.status) == (Status.PLATINUM, Status.GOLD)
    [change] = session.scalars(select(StatusChange).where(StatusChange.advocate_id == advocate.id)).all()
    assert change.to_status == Status.PLATINUM and change.at == due


def test_lowered_thresholds_promote_on_the_next_sweep(session, now):
    advocate = make_advocate(session, status=Status.GOLD, status_since=now - 400 * D, lifetime_points=5000)
    assert status_service.promote_due(session, now=now) == 0
    settings.save(session, changes={"platinum_points": 5000}, actor_id=None, now=now)
    assert status_service.promote_due(session, now=now) == 1
    assert advocate.status == Status.PLATINUM


def test_the_program_sweeps_commit_each_batch_when_the_job_passes_commit(session, now):
    """Re-engagement and due promotions hold no transaction (or SQLite's write lock) across batches."""
    for _ in range(5):
        make_advocate(session, created_at=now - 31 * D, last_active_at=None)
    gold_since = now - 400 * D
    for _ in range(3):
        make_advocate(session, status=Status.GOLD, status_since=gold_since, lifetime_points=9000)
    session.commit()
    committed = []

    def commit():
        session.commit()
        committed.append((session.query(OutboxMessage).count(),
                          session.query(StatusChange).filter_by(to_status=Status.PLATINUM).count()))

    assert reengagement.send_due(session, now=now, batch=2, commit=commit) == 5
    assert [queued for queued, _ in committed] == [2, 4, 5]
    committed.clear()
    assert status_service.promote_due(session, now=now, batch=2, commit=commit) == 3
    assert [promoted for _, promoted in committed] == [2, 3]
