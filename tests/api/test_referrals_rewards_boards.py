"""Referrals (list, the CRM conversion hook), rewards, redemptions and leaderboards over the API."""

import pytest
from sqlalchemy import select

from app.models import LedgerEntry, ReferralState
from app.services import referrals, rewards
from app.services.referrals import pipeline as referral_pipeline
from tests.api.conftest import error_of
from tests.factories import fund, make_advocate, make_reward


def _referral(session, now, state=ReferralState.SUBMITTED):
    advocate = make_advocate(session)
    code = referrals.get_or_create_code(session, advocate_id=advocate.id, now=now).code
    friend = referrals.Friend("Fran", "fran@otherco.com", "Co")
    made = referrals.submit_referral(session, code=code, friend=friend,
                                     client_hash="c", now=now, client_limit=100, client_window_minutes=60)
    if state == ReferralState.QUALIFIED:
        referral_pipeline.move_referral(session, referral_id=made.id, to=state, staff=None, now=now)
    session.commit()
    return made


def test_lists_referrals(api, session, now):
    referral = _referral(session, now)
    rows = api.get("/referrals").get_json()["data"]
    assert [(r["id"], r["state"], r["friend_email"]) for r in rows] == [(referral.id, "submitted",
                                                                          "fran@otherco.com")]


def test_a_crm_conversion_converts_a_qualified_referral_and_awards_once(api, session, now):
    referral = _referral(session, now, ReferralState.QUALIFIED)
    response = api.post(f"/referrals/{referral.id}/conversion", json={"amount": 25_000}, key="deal-1")
    assert response.status_code == 200 and response.get_json()["state"] == "converted"
    replay = api.post(f"/referrals/{referral.id}/conversion", json={"amount": 25_000}, key="deal-1")
    assert replay.get_json() == response.get_json()
    again = api.post(f"/referrals/{referral.id}/conversion", json={"amount": 25_000})
    assert again.status_code == 409
    keys = session.scalars(select(LedgerEntry.idempotency_key).where(
        LedgerEntry.advocate_id == referral.referrer_id)).all()
    assert sorted(keys) == [f"referral-converted:{referral.id}", f"referral-qualified:{referral.id}"]
    session.refresh(referral)
    assert referral.deal_amount == 25_000 and referral.transitions[-1].actor_name == "API key: CRM sync"


def test_a_referral_that_never_qualified_cannot_convert(api, session, now):
    referral = _referral(session, now)
    response = api.post(f"/referrals/{referral.id}/conversion", json={"amount": 100})
    assert response.status_code == 409 and error_of(response)["code"] == "invalid_transition"


@pytest.mark.parametrize("body", [{}, {"amount": 0}, {"amount": -5}, {"amount": "100"}, {"amount": 10**10}])
def test_a_conversion_needs_a_positive_whole_amount(api, session, now, body):
    referral = _referral(session, now, ReferralState.QUALIFIED)
    response = api.post(f"/referrals/{referral.id}/conversion", json=body)
    assert response.status_code == 422 and error_of(response)["field"] == "amount"


def test_converting_an_unknown_referral_is_404(api):
    assert api.post("/referrals/55555/conversion", json={"amount": 5}).status_code == 404


def test_lists_rewards_and_redemptions(api, session, now):
    reward = make_reward(session, points_cost=100)
    advocate = fund(session, make_advocate(session), 300)
    other = fund(session, make_advocate(session), 300)
    mine = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="r1", now=now)
    rewards.redeem(session, advocate=other, reward_id=reward.id, request_key="r2", now=now)
    session.commit()
    assert [r["id"] for r in api.get("/rewards").get_json()["data"]] == [reward.id]
    assert len(api.get("/redemptions").get_json()["data"]) == 2
    only = api.get(f"/redemptions?advocate_id={advocate.id}").get_json()["data"]
    assert [(r["id"], r["points"], r["state"]) for r in only] == [(mine.id, 100, mine.state.value)]


def test_leaderboards_by_period_with_filters_and_anonymous_rows(api, session):
    top = fund(session, make_advocate(session, region="EMEA"), 500)
    hidden = fund(session, make_advocate(session, region="AMER", leaderboard_opt_out=True), 300)
    session.commit()
    board = api.get("/leaderboards/all-time").get_json()
    rows = [(r["rank"], r["advocate_id"], r["points"]) for r in board["data"]]
    assert rows == [(1, top.id, 500), (2, None, 300)]
    assert board["data"][1]["name"] == "Anonymous advocate" and hidden.name not in str(board["data"])
    week = api.get("/leaderboards/week?region=EMEA&limit=1").get_json()
    assert [r["advocate_id"] for r in week["data"]] == [top.id] and week["starts"]
    assert api.get("/leaderboards/month?industry=Nothing").get_json()["data"] == []
    assert error_of(api.get("/leaderboards/year"))["field"] == "period"
    assert error_of(api.get("/leaderboards/week?limit=501"))["field"] == "limit"
