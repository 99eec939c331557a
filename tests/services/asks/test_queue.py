"""The ask queue: queued asks compete by priority, the release and drop jobs, staff drops."""

import pytest

from app.models import AdvocateState, AskReason, AskState, Notification, OutboxMessage
from app.services import asks, missions
from app.services.errors import Conflict, NotFound
from app.services.program import settings
from tests.factories import make_activity, make_advocate, make_mission, make_staff
from tests.services.asks.support import D, S, asks_of, counts, outcome, push, sent_ask

R = AskReason


def test_queued_asks_release_by_priority_then_age(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    lifts = now + 50 * D
    window = {"closes_at": now + 365 * D}
    low, high, high_later = (make_mission(session, **window) for _ in range(3))
    push(session, low, now, priority=0)
    push(session, high, now + D, priority=2)
    push(session, high_later, now + 2 * D, priority=2)
    assert [outcome(a) for a in asks_of(session, advocate)] == [(AskState.QUEUED, R.FREQUENCY_CAP, lifts)] * 3
    queued, has_next = asks.queue_page(session)
    assert [a.mission_id for a in queued] == [high.id, high_later.id, low.id] and not has_next

    assert asks.release_queued(session, now=lifts - S) == 0
    assert asks.release_queued(session, now=lifts) == 3
    first_low, first_high, first_later = asks_of(session, advocate)
    assert (first_high.state, first_high.sent_at) == (AskState.SENT, lifts)  # high priority, older
    assert outcome(first_later) == (AskState.QUEUED, R.COMPETING_ASK, lifts + 60 * D)
    assert outcome(first_low) == (AskState.QUEUED, R.COMPETING_ASK, lifts + 60 * D)
    snapshot = [outcome(a) for a in asks_of(session, advocate)]
    assert asks.release_queued(session, now=lifts) == 0  # twice changes nothing
    assert [outcome(a) for a in asks_of(session, advocate)] == snapshot
    assert (counts(session, Notification), counts(session, OutboxMessage)) == (1, 1)

    assert asks.release_queued(session, now=lifts + 60 * D) == 2
    low_ask, _, later_ask = asks_of(session, advocate)
    assert later_ask.state == AskState.SENT and low_ask.queued_until == lifts + 120 * D
    assert (counts(session, Notification), counts(session, OutboxMessage)) == (2, 2)


def test_a_new_push_competes_with_askable_queued_asks(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    lifts = now + 50 * D
    window = {"closes_at": now + 365 * D}
    queued_high, newcomer, newcomer_top = (make_mission(session, **window) for _ in range(3))
    push(session, queued_high, now, priority=2)
    # At the moment it is askable (before the release job ran) a lower-priority push arrives:
    push(session, newcomer, lifts, priority=1)
    first, second = asks_of(session, advocate)
    assert first.state == AskState.SENT and first.sent_at == lifts
    assert outcome(second) == (AskState.QUEUED, R.COMPETING_ASK, lifts + 60 * D)
    # Later, when askable again, a higher-priority push goes out first; the queued one waits on.
    push(session, newcomer_top, lifts + 60 * D, priority=2)
    _, second, third = asks_of(session, advocate)
    assert third.state == AskState.SENT
    assert outcome(second) == (AskState.QUEUED, R.COMPETING_ASK, lifts + 120 * D)


def test_asks_that_do_not_count_go_out_beside_a_counting_one(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    survey = make_mission(session, activity=make_activity(session, counts_as_ask=False))
    review = make_mission(session, closes_at=now + 365 * D)
    push(session, review, now)
    push(session, survey, now)
    review_ask, survey_ask = asks_of(session, advocate)
    assert review_ask.state == AskState.QUEUED and survey_ask.state == AskState.SENT
    assert survey_ask.counts_as_ask is False


def test_release_drops_asks_that_can_no_longer_go_out(session, now):
    paused = make_advocate(session)
    sent_ask(session, paused, now - 10 * D)
    taken = make_advocate(session)
    sent_ask(session, taken, now - 10 * D)
    mission = make_mission(session, closes_at=now + 365 * D)
    push(session, mission, now)
    paused.state = AdvocateState.PAUSED
    missions.start_mission(session, advocate=taken, mission_id=mission.id, now=now + D)
    assert asks.release_queued(session, now=now + 50 * D) == 2
    assert outcome(asks_of(session, paused)[0]) == (AskState.DROPPED, R.PAUSED, None)
    assert outcome(asks_of(session, taken)[0]) == (AskState.DROPPED, R.ALREADY_ASKED, None)
    assert counts(session, Notification) == 0


def test_release_waits_longer_when_the_settings_tighten(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    push(session, make_mission(session, closes_at=now + 365 * D), now)
    settings.save(session, changes={"ask_gap_days_standard": 90}, actor_id=None, now=now)
    assert asks.release_queued(session, now=now + 50 * D) == 1
    assert outcome(asks_of(session, advocate)[0]) == (AskState.QUEUED, R.FREQUENCY_CAP, now + 80 * D)
    assert asks.release_queued(session, now=now + 80 * D) == 1
    assert asks_of(session, advocate)[0].state == AskState.SENT


@pytest.mark.parametrize("how", ["closes", "archived"])
def test_queued_asks_are_dropped_when_their_mission_closes(session, now, how):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    mission = make_mission(session, closes_at=now + 100 * D)
    push(session, mission, now)
    assert asks.drop_closed(session, now=now + 10 * D) == 0
    if how == "archived":
        mission.archived = True
        session.flush()
        moment = now + 20 * D
    else:
        moment = mission.closes_at
    assert asks.drop_closed(session, now=moment) == 1
    assert asks.drop_closed(session, now=moment) == 0
    [ask] = asks_of(session, advocate)
    assert (ask.state, ask.reason, ask.closed_at) == (AskState.DROPPED, R.MISSION_CLOSED, moment)
    assert asks.release_queued(session, now=now + 200 * D) == 0
    assert counts(session, Notification) == 0


def test_staff_drop_a_queued_ask(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    push(session, make_mission(session, closes_at=now + 365 * D), now)
    [ask] = asks_of(session, advocate)
    staff = make_staff(session)
    dropped = asks.drop_ask(session, staff=staff, ask_id=ask.id, now=now + D)
    assert (dropped.state, dropped.closed_at, dropped.queued_until) == (AskState.DROPPED, now + D, None)
    assert asks.ask_label(dropped) == "Dropped by staff"
    with pytest.raises(Conflict):
        asks.drop_ask(session, staff=staff, ask_id=ask.id, now=now + D)
    with pytest.raises(NotFound):
        asks.drop_ask(session, staff=staff, ask_id=999_999, now=now)
    assert asks.release_queued(session, now=now + 100 * D) == 0
    assert asks.queue_page(session) == ([], False)
