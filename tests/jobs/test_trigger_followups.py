"""The follow-up of a trigger ask (SPEC §8): once, 48 h after it went out, only without a response,
never for paused / opted-out advocates or closed missions; through the runner, with its lease."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.jobs import registry
from app.jobs.runner import run_once
from app.models import (
    ActivityKind,
    AdvocateState,
    Ask,
    FollowUp,
    JobLock,
)
from app.services import asks, clock, missions, triggers
from app.services.program import settings
from app.services.triggers import followups as trigger_followups
from tests.factories import make_activity, make_advocate, make_mission, make_staff
from tests.jobs.support import messages
from tests.services.asks.support import sent_ask

H = timedelta(hours=1)
D = timedelta(days=1)
JOB = next(job for job in registry() if job.name == "follow_up_trigger_asks")


@pytest.fixture
def review(session, now):
    return make_mission(session, title="Review us on G2", closes_at=now + 60 * D,
                        activity=make_activity(session, kind=ActivityKind.REVIEW))


def record(session, advocate, now):
    return triggers.record_event(session, event_type="renewal",
                                 advocate=triggers.AdvocateRef(email=advocate.email), occurred_at=now - H,
                                 data={}, source="api", actor_id=None, now=now)


def trigger_ask(session, advocate, now):
    result = record(session, advocate, now)
    assert result.result == "sent"
    return result.ask


def sweep(session, now):
    touched = trigger_followups.send_due(session, now=now)
    session.expire_all()
    return touched


def test_the_job_is_registered_and_describes_its_setting(session):
    assert JOB.trigger == {"trigger": "interval", "minutes": 15}
    assert "48 h" in JOB.describe(settings.load(session).values)


def test_one_follow_up_after_48_hours_not_before_and_never_twice(session, review, now):
    ask = trigger_ask(session, make_advocate(session), now)
    assert sweep(session, now + 48 * H - timedelta(seconds=1)) == 0
    assert messages(session, "ask-followup:") == (0, 0)
    assert sweep(session, now + 48 * H) == 1
    assert messages(session, f"ask-followup:{ask.id}") == (1, 1)
    assert (ask.followed_up_at, ask.followup) == (now + 48 * H, FollowUp.SENT)
    assert sweep(session, now + 10 * D) == 0
    assert messages(session, "ask-followup:") == (1, 1)


def test_the_follow_up_is_not_a_new_ask(session, review, now):
    advocate = make_advocate(session)
    trigger_ask(session, advocate, now)
    before = asks.decide(session, advocate=advocate, activity=None, now=now + 3 * D)
    sweep(session, now + 3 * D)
    assert session.scalar(select(func.count()).select_from(Ask).where(Ask.advocate_id == advocate.id)) == 1
    assert asks.decide(session, advocate=advocate, activity=None, now=now + 3 * D) == before


@pytest.mark.parametrize("response", ["start", "decline"])
def test_no_follow_up_after_a_response(session, review, now, response):
    advocate = make_advocate(session)
    ask = trigger_ask(session, advocate, now)
    act = missions.start_mission if response == "start" else missions.decline_mission
    act(session, advocate=advocate, mission_id=review.id, now=now + 5 * H)
    assert sweep(session, now + 49 * H) == 1
    assert messages(session, "ask-followup:") == (0, 0)
    assert ask.followup == FollowUp.RESPONDED


@pytest.mark.parametrize(("state", "result"), [(AdvocateState.PAUSED, FollowUp.PAUSED),
                                               (AdvocateState.OPTED_OUT, FollowUp.OPTED_OUT)])
def test_no_follow_up_for_advocates_who_paused_or_left(session, review, now, state, result):
    advocate = make_advocate(session)
    ask = trigger_ask(session, advocate, now)
    advocate.state = state
    session.flush()
    sweep(session, now + 49 * H)
    assert messages(session, "ask-followup:") == (0, 0) and ask.followup == result
    advocate.state = AdvocateState.ACTIVE  # coming back later does not revive it: then nothing more
    session.flush()
    assert sweep(session, now + 60 * H) == 0 and messages(session, "ask-followup:") == (0, 0)


@pytest.mark.parametrize("how", ["closed", "archived"])
def test_no_follow_up_once_the_mission_closed(session, now, how):
    mission = make_mission(session, activity=make_activity(session, kind=ActivityKind.REVIEW),
                           closes_at=now + D)
    ask = trigger_ask(session, make_advocate(session), now)
    if how == "archived":
        mission.archived = True
        session.flush()
    sweep(session, now + 49 * H)
    assert messages(session, "ask-followup:") == (0, 0) and ask.followup == FollowUp.MISSION_CLOSED


def test_pushed_asks_and_queued_trigger_asks_get_no_follow_up(session, review, now):
    make_advocate(session)
    asks.push_mission(session, staff=make_staff(session), mission_id=review.id,
                      filters=asks.SegmentFilters(), priority=1, now=now)
    waiting = make_advocate(session)
    sent_ask(session, waiting, now - 10 * D)
    assert record(session, waiting, now).result == "queued"
    assert sweep(session, now + 5 * D) == 0
    assert messages(session, "ask-followup:") == (0, 0)


def test_the_hours_are_a_setting(session, review, now):
    settings.save(session, changes={"trigger_followup_hours": 24}, actor_id=None, now=now)
    trigger_ask(session, make_advocate(session), now)
    assert sweep(session, now + 24 * H) == 1


def test_through_the_runner_with_its_lease(app, session, review, now):
    ask = trigger_ask(session, make_advocate(session), now)
    session.commit()
    first = run_once(app, JOB, now=now + 2 * D)
    assert (first.ran, first.items, first.error) == (True, 1, None)
    assert run_once(app, JOB, now=now + 3 * D).items == 0
    assert session.get(JobLock, JOB.name) is not None
    session.expire_all()
    assert session.get(Ask, ask.id).followup == FollowUp.SENT
    assert messages(session, "ask-followup:") == (1, 1)


def test_a_holder_of_the_lease_makes_the_other_run_skip(app, session, review, now):
    from app.services.operations import joblocks


    trigger_ask(session, make_advocate(session), now)
    assert joblocks.acquire(session, name=JOB.name, holder="other-host:1", now=clock.utcnow(),
                            lease=timedelta(minutes=1))
    session.commit()
    skipped = run_once(app, JOB, now=now + 2 * D)
    assert skipped.ran is False
    assert messages(session, "ask-followup:") == (0, 0)
