"""The ask governor's jobs (release queued asks, drop those of closed missions) through the runner,
and pushes racing each other or a release: one sent ask and one notification per advocate."""

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import asks as ask_jobs
from app.jobs import registry
from app.jobs.runner import run_once
from app.models import Ask, AskReason, AskState, Notification, OutboxMessage, StaffUser
from app.services import asks
from tests.factories import make_activity, make_advocate, make_mission, make_staff
from tests.reliability.conftest import race, race_app  # noqa: F401 (race_app is a fixture)

D = timedelta(days=1)
JOBS = {job.name: job for job in ask_jobs.JOBS}
ADVOCATES = 50


def _history(session, advocate, at):
    activity = make_activity(session)
    session.add(Ask(advocate_id=advocate.id, activity_id=activity.id, state=AskState.SENT, counts_as_ask=True,
                    created_at=at, sent_at=at, priority=0))
    session.flush()


def _states(session):
    session.expire_all()
    return session.execute(select(Ask.state, Ask.reason).where(Ask.mission_id.is_not(None))
                           .order_by(Ask.id)).all()


def test_the_jobs_are_registered_every_15_minutes():
    jobs = {job.name: job for job in registry()}
    for name in ("release_queued_asks", "drop_closed_asks"):
        assert jobs[name].trigger == {"trigger": "interval", "minutes": 15}
        assert jobs[name].description


def test_release_job_sends_a_due_ask_once(app, session, now):
    advocate = make_advocate(session)
    _history(session, advocate, now - 10 * D)
    mission = make_mission(session, closes_at=now + 100 * D)
    asks.push_mission(session, staff=make_staff(session), mission_id=mission.id,
                      filters=asks.SegmentFilters(), priority=1, now=now)
    session.commit()
    release = JOBS["release_queued_asks"]
    assert run_once(app, release, now=now + 50 * D - timedelta(seconds=1)).items == 0
    outcome = run_once(app, release, now=now + 50 * D)
    assert (outcome.ran, outcome.items, outcome.error) == (True, 1, None)
    assert run_once(app, release, now=now + 50 * D).items == 0
    assert _states(session) == [(AskState.SENT, None)]
    assert session.scalar(select(func.count()).select_from(Notification)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_drop_job_drops_asks_of_closed_missions_once(app, session, now):
    advocate = make_advocate(session)
    _history(session, advocate, now - 10 * D)
    mission = make_mission(session, closes_at=now + 100 * D)
    asks.push_mission(session, staff=make_staff(session), mission_id=mission.id,
                      filters=asks.SegmentFilters(), priority=1, now=now)
    session.commit()
    drop = JOBS["drop_closed_asks"]
    assert run_once(app, drop, now=now + 99 * D).items == 0
    assert run_once(app, drop, now=now + 100 * D).items == 1
    assert run_once(app, drop, now=now + 100 * D).items == 0
    assert _states(session) == [(AskState.DROPPED, AskReason.MISSION_CLOSED)]


def _setup(app, build):
    with app.app_context():
        ids = build(db.session)
        db.session.commit()
        db.session.remove()
    return ids


def _one_sent_each(app, advocate_ids, *, asks_per_advocate):
    with app.app_context():
        session = db.session
        sent = dict(session.execute(select(Ask.advocate_id, func.count()).where(Ask.state == AskState.SENT,
                                                                                Ask.mission_id.is_not(None))
                                    .group_by(Ask.advocate_id)).tuples().all())
        assert sent == {advocate_id: 1 for advocate_id in advocate_ids}
        notes = dict(session.execute(select(Notification.advocate_id, func.count())
                                     .group_by(Notification.advocate_id)).tuples().all())
        assert notes == {advocate_id: 1 for advocate_id in advocate_ids}
        emails = session.scalar(select(func.count()).select_from(OutboxMessage))
        assert emails == len(advocate_ids)
        total = session.scalar(select(func.count()).select_from(Ask).where(Ask.mission_id.is_not(None)))
        assert total == asks_per_advocate * len(advocate_ids)
        session.remove()


def _race_pushes(app, now, threads: int) -> list[int]:
    """`threads` pushes of one mission to ADVOCATES advocates at once; returns the advocates' ids."""
    def build(session):
        advocates = [make_advocate(session) for _ in range(ADVOCATES)]
        return make_mission(session).id, make_staff(session).id, [a.id for a in advocates]

    mission_id, staff_id, advocate_ids = _setup(app, build)

    def push(session):
        staff = session.get(StaffUser, staff_id)
        asks.push_mission(session, staff=staff, mission_id=mission_id, filters=asks.SegmentFilters(),
                          priority=1, now=now)

    assert race(app, push, threads=threads) == {"ok": threads}
    return advocate_ids


def test_racing_pushes_of_one_mission_send_one_ask_each(race_app, now):  # noqa: F811
    advocate_ids = _race_pushes(race_app, now, threads=2)
    _one_sent_each(race_app, advocate_ids, asks_per_advocate=2)
    with race_app.app_context():
        blocked = db.session.execute(select(Ask.reason, func.count()).where(Ask.state == AskState.BLOCKED)
                                     .group_by(Ask.reason)).all()
        assert blocked == [(AskReason.ALREADY_ASKED, ADVOCATES)]
        db.session.remove()


def test_a_push_racing_a_release_never_sends_two_asks_to_one_advocate(race_app, now):  # noqa: F811
    """Each advocate has a due queued ask; a push of another mission arrives as the release runs.
    Whichever goes first, the frequency cap lets exactly one ask out per advocate."""
    def build(session):
        staff = make_staff(session)
        advocates = [make_advocate(session) for _ in range(ADVOCATES)]
        for advocate in advocates:
            _history(session, advocate, now - 70 * D)
        queued = make_mission(session, opens_at=now - 40 * D, closes_at=now + 365 * D)
        asks.push_mission(session, staff=staff, mission_id=queued.id, filters=asks.SegmentFilters(),
                          priority=1, now=now - 30 * D)  # queued until now - 10 days: due
        return make_mission(session, closes_at=now + 365 * D).id, staff.id, [a.id for a in advocates]

    mission_id, staff_id, advocate_ids = _setup(race_app, build)
    turn = itertools.count()
    lock = threading.Lock()

    def work(session):
        with lock:
            mine = next(turn)
        if mine == 0:
            asks.release_queued(session, now=now)
        else:
            staff = session.get(StaffUser, staff_id)
            asks.push_mission(session, staff=staff, mission_id=mission_id,
                              filters=asks.SegmentFilters(), priority=1, now=now)

    assert race(race_app, work, threads=2) == {"ok": 2}
    _one_sent_each(race_app, advocate_ids, asks_per_advocate=2)
    with race_app.app_context():
        live = db.session.scalar(select(func.count()).select_from(Ask).where(Ask.state == AskState.QUEUED))
        assert live == ADVOCATES  # the ask that lost waits for the next gap
        db.session.remove()


@pytest.mark.parametrize("threads", [4])
def test_many_racing_pushes_still_send_once(race_app, now, threads):  # noqa: F811
    advocate_ids = _race_pushes(race_app, now, threads=threads)
    _one_sent_each(race_app, advocate_ids, asks_per_advocate=threads)
