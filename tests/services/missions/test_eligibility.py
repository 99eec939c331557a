"""Which missions an advocate sees and may start (audience, minimum status, cooldown, state)."""

from datetime import timedelta

import pytest

from app.models import AdvocateState, Attempt, AttemptState, Status
from app.services import missions
from app.services.errors import Conflict
from app.services.missions import eligibility
from tests.factories import make_activity, make_advocate, make_mission


def offer_for(session, advocate, mission, now):
    offers = eligibility.offers_for(session, advocate, now)
    return next((o for o in offers if o.mission.id == mission.id), None)


@pytest.mark.parametrize(("audience", "advocate", "visible"), [
    ({}, {}, True),
    ({"industries": ["Software", "Retail"]}, {"industry": "Retail"}, True),
    ({"industries": ["Software"]}, {"industry": "Retail"}, False),
    ({"regions": ["EMEA"]}, {"region": "EMEA"}, True),
    ({"regions": ["NA"]}, {"region": "EMEA"}, False),
    ({"tags": ["sso", "api"]}, {"tags": ["api"]}, True),
    ({"tags": ["sso"]}, {"tags": ["api"]}, False),
    ({"tags": ["sso"]}, {"tags": []}, False),
    ({"readiness_tiers": [1, 2]}, {"readiness_tier": 2}, True),
    ({"readiness_tiers": [1]}, {"readiness_tier": 3}, False),
    ({"readiness_tiers": [1]}, {"readiness_tier": None}, False),
    ({"regions": ["EMEA"], "industries": ["Software"]}, {"region": "EMEA", "industry": "Retail"}, False),
])
def test_audience_filters_hide_missions_from_advocates_outside_them(session, now, audience, advocate,
                                                                    visible):
    mission = make_mission(session, audience=audience)
    person = make_advocate(session, **advocate)
    assert eligibility.in_audience(person, mission) is visible
    assert (offer_for(session, person, mission, now) is not None) is visible


def test_named_advocates_override_the_other_filters(session, now):
    named = make_advocate(session, region="NA")
    other = make_advocate(session, region="EMEA")
    mission = make_mission(session, audience={"advocate_ids": [named.id], "regions": ["EMEA"]})
    assert eligibility.in_audience(named, mission)
    assert not eligibility.in_audience(other, mission)


@pytest.mark.parametrize(("activity_min", "audience_min", "advocate_status", "needed"), [
    (Status.SILVER, None, Status.BRONZE, "Silver"),
    (Status.BRONZE, "gold", Status.SILVER, "Gold"),
    (Status.SILVER, "bronze", Status.BRONZE, "Silver"),
    (Status.GOLD, "silver", Status.SILVER, "Gold"),
])
def test_minimum_status_from_activity_and_audience_locks_with_the_reason(
        session, now, activity_min, audience_min, advocate_status, needed):
    audience = {"min_status": audience_min} if audience_min else {}
    activity = make_activity(session, min_status=activity_min)
    mission = make_mission(session, activity=activity, audience=audience)
    offer = offer_for(session, make_advocate(session, status=advocate_status), mission, now)
    assert not offer.available and offer.reason == f"Unlocks at {needed} status."


def test_the_minimum_status_is_met_by_higher_statuses(session, now):
    mission = make_mission(session, activity=make_activity(session, min_status=Status.SILVER))
    assert offer_for(session, make_advocate(session, status=Status.PLATINUM), mission, now).available


def _approved_before(session, advocate, activity, decided_at, now):
    earlier = make_mission(session, activity=activity, opens_at=decided_at - timedelta(days=5))
    session.add(Attempt(mission_id=earlier.id, advocate_id=advocate.id, activity_id=activity.id,
                        state=AttemptState.APPROVED, decided_at=decided_at, created_at=decided_at))
    session.flush()


def test_cooldown_locks_the_activity_until_a_date(session, now):
    activity = make_activity(session, cooldown_days=30, name="Product review")
    advocate = make_advocate(session)
    _approved_before(session, advocate, activity, now - timedelta(days=10), now)
    mission = make_mission(session, activity=activity)
    offer = offer_for(session, advocate, mission, now)
    assert not offer.available and "product review recently" in offer.reason
    assert offer.available_from == now + timedelta(days=20)
    later = now + timedelta(days=20)
    assert offer_for(session, advocate, mission, later).available


def test_cooldown_applies_per_activity_and_per_advocate(session, now):
    activity = make_activity(session, cooldown_days=30)
    advocate = make_advocate(session)
    _approved_before(session, advocate, activity, now - timedelta(days=1), now)
    other_activity_mission = make_mission(session, activity=make_activity(session, cooldown_days=30))
    same_activity_mission = make_mission(session, activity=activity)
    assert offer_for(session, advocate, other_activity_mission, now).available
    assert offer_for(session, make_advocate(session), same_activity_mission, now).available


def test_cooldown_blocks_starting_too(session, now):
    activity = make_activity(session, cooldown_days=30)
    advocate = make_advocate(session)
    _approved_before(session, advocate, activity, now - timedelta(days=1), now)
    mission = make_mission(session, activity=activity)
    with pytest.raises(Conflict, match="recently"):
        missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)


def test_a_paused_advocate_sees_missions_locked(session, now):
    mission = make_mission(session)
    offer = offer_for(session, make_advocate(session, state=AdvocateState.PAUSED), mission, now)
    assert not offer.available and "paused" in offer.reason


@pytest.mark.parametrize(("state", "words"), [(AdvocateState.INVITED, "accept your invitation"),
                                              (AdvocateState.PAUSED, "paused"),
                                              (AdvocateState.OPTED_OUT, "left the program")])
def test_each_state_that_is_not_active_gets_its_own_reason(session, now, state, words):
    offer = offer_for(session, make_advocate(session, state=state), make_mission(session), now)
    assert not offer.available and words in offer.reason
    assert state == AdvocateState.PAUSED or "paused" not in offer.reason


def test_closed_missions_are_not_offered_and_check_says_closed(session, now):
    mission = make_mission(session, opens_at=now - timedelta(days=5), closes_at=now)
    advocate = make_advocate(session)
    assert offer_for(session, advocate, mission, now) is None
    offer = eligibility.check(advocate, mission, None, {}, now)
    assert not offer.available and offer.reason == "This mission is closed."


def test_a_full_mission_is_locked(session, now):
    mission = make_mission(session, completion_limit=2, completed_count=2)
    offer = offer_for(session, make_advocate(session), mission, now)
    assert not offer.available and "places" in offer.reason


def test_a_mission_already_taken_shows_its_attempt(session, now):
    mission = make_mission(session)
    advocate = make_advocate(session)
    attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    offer = offer_for(session, advocate, mission, now)
    assert offer.attempt is attempt and not offer.available and "started" in offer.reason


def test_offers_come_soonest_closing_first_with_their_points(session, now):
    late = make_mission(session, closes_at=now + timedelta(days=20), points_override=70)
    soon = make_mission(session, closes_at=now + timedelta(days=2))
    offers = eligibility.offers_for(session, make_advocate(session), now)
    assert [o.mission.id for o in offers] == [soon.id, late.id]
    assert offers[1].points == 70 and offers[0].points == soon.activity.reward_tier.points
