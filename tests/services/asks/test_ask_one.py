"""asks.ask_one: one advocate, one mission, the push machinery and every governor rule."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AskReason, AskState, Notification, OutboxMessage
from app.services import asks
from app.services.errors import Conflict, NotFound, ValidationFailed
from tests.factories import make_advocate, make_mission
from tests.services.asks.support import push, sent_ask

D = timedelta(days=1)


def ask(session, advocate, mission, now, priority=1):
    return asks.ask_one(session, advocate_id=advocate.id, mission_id=mission.id, priority=priority,
                        source="trigger", now=now)


def test_an_askable_advocate_is_sent_the_ask_with_its_announcement(session, now):
    mission, advocate = make_mission(session), make_advocate(session)
    made = ask(session, advocate, mission, now)
    assert (made.state, made.source, made.sent_at, made.push_id) == (AskState.SENT, "trigger", now, None)
    for model in (Notification, OutboxMessage):
        assert session.scalar(select(func.count()).select_from(model)
                              .where(model.dedupe_key == f"ask:{made.id}")) == 1


def test_it_settles_against_queued_asks_by_priority(session, now):
    low = make_mission(session, closes_at=now + 120 * D)
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 50 * D)
    push(session, low, now, priority=0)  # queued until the gap lifts in 10 days
    high = make_mission(session, closes_at=now + 120 * D)
    made = ask(session, advocate, high, now, priority=2)
    assert (made.state, made.reason) == (AskState.QUEUED, AskReason.FREQUENCY_CAP)
    assert made.queued_until == now + 10 * D
    asks.release_queued(session, now=now + 10 * D)
    session.refresh(made)
    assert made.state == AskState.SENT  # the higher priority went out first


def test_outside_the_audience_is_blocked_and_the_mission_must_be_open(session, now):
    advocate = make_advocate(session, region="EMEA")
    elsewhere = make_mission(session, audience={"regions": ["APAC"]})
    assert (ask(session, advocate, elsewhere, now).reason) == AskReason.NOT_ELIGIBLE
    with pytest.raises(Conflict):
        ask(session, advocate, make_mission(session, opens_at=now + D), now)
    with pytest.raises(NotFound):
        asks.ask_one(session, advocate_id=999_999, mission_id=elsewhere.id, priority=1, source="trigger",
                     now=now)
    with pytest.raises(ValidationFailed):
        ask(session, advocate, elsewhere, now, priority=99)


def test_asking_twice_for_one_mission_is_blocked_as_already_asked(session, now):
    mission, advocate = make_mission(session), make_advocate(session)
    first = ask(session, advocate, mission, now)
    second = ask(session, advocate, mission, now)
    assert first.id != second.id
    assert (second.state, second.reason) == (AskState.BLOCKED, AskReason.ALREADY_ASKED)
