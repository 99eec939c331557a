"""Rewards: the catalog rules, redeeming (balance, stock, status), fulfilment moves and refunds."""

import pytest
from sqlalchemy import func, select

from app.models import (
    LedgerEntry,
    LedgerReason,
    Notification,
    Redemption,
    RedemptionState,
    RewardKind,
    Status,
)
from app.services import rewards
from app.services.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.services.points import ledger
from tests.factories import fund, make_advocate, make_staff

S = RedemptionState


def values(**overrides) -> rewards.RewardValues:
    base = dict(name="Rallypoint hoodie", description="Soft and warm.", kind=RewardKind.SWAG, points_cost=300,
                stock=5, min_status=Status.BRONZE, requires_approval=True, unit_cost_cents=2500, active=True)
    return rewards.RewardValues(**{**base, **overrides})


def funded(session, now, points=1000, **overrides):
    return fund(session, make_advocate(session, **overrides), points)


def entries(session, advocate_id, reason):
    return session.scalars(select(LedgerEntry.amount).where(LedgerEntry.advocate_id == advocate_id,
                                                            LedgerEntry.reason == reason)).all()


@pytest.mark.parametrize("bad, field", [
    ({"name": "  "}, "name"), ({"points_cost": 0}, "points_cost"),
    ({"points_cost": 2_000_000}, "points_cost"), ({"stock": -1}, "stock"),
    ({"unit_cost_cents": -5}, "unit_cost_cents")])
def test_catalog_refuses_bad_values_at_their_field(session, now, bad, field):
    with pytest.raises(ValidationFailed) as refused:
        rewards.save_reward(session, values=values(**bad), now=now)
    assert refused.value.field == field


def test_redeeming_debits_points_and_stock_once(session, now):
    reward = rewards.save_reward(session, values=values(), now=now)
    advocate = funded(session, now)
    first = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="k1", now=now,
                           note=" Size M ")
    again = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="k1", now=now)
    session.refresh(advocate), session.refresh(reward)
    assert again.id == first.id and first.state == S.REQUESTED and first.note == "Size M"
    assert (advocate.balance, advocate.lifetime_points, reward.stock) == (700, 1000, 4)
    assert entries(session, advocate.id, LedgerReason.REDEMPTION) == [-300]
    assert ledger.verify(session) == []


def test_a_reward_without_approval_starts_approved_and_notifies(session, now):
    reward = rewards.save_reward(session, values=values(requires_approval=False, stock=None), now=now)
    advocate = funded(session, now)
    redemption = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="k", now=now)
    assert redemption.state == S.APPROVED and reward.stock is None
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.advocate_id == advocate.id)) == 1


@pytest.mark.parametrize("setup, error", [
    (dict(points=100), ValidationFailed), (dict(stock=0), Conflict), (dict(min_status=Status.GOLD), Conflict),
    (dict(active=False), NotFound)])
def test_what_cannot_be_redeemed_raises(session, now, setup, error):
    reward = rewards.save_reward(session, values=values(**{k: v for k, v in setup.items() if k != "points"}),
                                 now=now)
    advocate = funded(session, now, points=setup.get("points", 1000))
    with pytest.raises(error):
        rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="k", now=now)


def test_offers_say_why_a_reward_is_out_of_reach(session, now):
    for name, cost, stock, status in (("Cheap", 100, None, Status.BRONZE),
                                      ("Dear", 5000, None, Status.BRONZE),
                                      ("Gone", 100, 0, Status.BRONZE),
                                      ("Gold", 100, None, Status.GOLD)):
        rewards.save_reward(session, now=now,
                            values=values(name=name, points_cost=cost, stock=stock, min_status=status))
    rewards.save_reward(session, values=values(name="Hidden", active=False), now=now)
    advocate = funded(session, now, points=500)
    offers = {o.reward.name: o for o in rewards.offers_for(session, advocate=advocate)}
    assert set(offers) == {"Cheap", "Dear", "Gone", "Gold"}
    assert offers["Cheap"].can_redeem and offers["Dear"].why_not == "4,500 more points needed."
    assert offers["Gone"].why_not == "Out of stock." and "Gold" in offers["Gold"].why_not


def test_fulfilment_moves_and_refuses_the_rest(session, now):
    staff = make_staff(session)
    reward = rewards.save_reward(session, values=values(), now=now)
    advocate = funded(session, now)
    redemption = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="k", now=now)
    with pytest.raises(InvalidTransition):
        rewards.fulfil(session, staff=staff, redemption_id=redemption.id, now=now)
    rewards.approve(session, staff=staff, redemption_id=redemption.id, now=now)
    with pytest.raises(InvalidTransition):
        rewards.approve(session, staff=staff, redemption_id=redemption.id, now=now)
    with pytest.raises(InvalidTransition):
        rewards.cancel(session, advocate=advocate, redemption_id=redemption.id, now=now)
    done = rewards.fulfil(session, staff=staff, redemption_id=redemption.id, now=now)
    assert done.state == S.FULFILLED and done.fulfilled_at == now and done.decided_by_id == staff.id
    with pytest.raises(InvalidTransition):
        rewards.reject(session, staff=staff, redemption_id=redemption.id, reason="Too late", now=now)


@pytest.mark.parametrize("state_before", [S.REQUESTED, S.APPROVED])
def test_rejecting_refunds_once_and_puts_the_stock_back(session, now, state_before):
    staff = make_staff(session)
    reward = rewards.save_reward(session, values=values(), now=now)
    advocate = funded(session, now)
    redemption = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="k", now=now)
    if state_before == S.APPROVED:
        rewards.approve(session, staff=staff, redemption_id=redemption.id, now=now)
    with pytest.raises(ValidationFailed):
        rewards.reject(session, staff=staff, redemption_id=redemption.id, reason=" ", now=now)
    rewards.reject(session, staff=staff, redemption_id=redemption.id, reason="Out of that size", now=now)
    with pytest.raises(InvalidTransition):
        rewards.reject(session, staff=staff, redemption_id=redemption.id, reason="Again", now=now)
    session.refresh(advocate), session.refresh(reward)
    assert (advocate.balance, advocate.lifetime_points, reward.stock) == (1000, 1000, 5)
    assert entries(session, advocate.id, LedgerReason.REFUND) == [300]
    assert session.get(Redemption, redemption.id).reason == "Out of that size"
    assert ledger.verify(session) == []


def test_the_advocate_cancels_only_their_own_requested_redemption(session, now):
    reward = rewards.save_reward(session, values=values(), now=now)
    advocate, other = funded(session, now), funded(session, now)
    redemption = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="k", now=now)
    with pytest.raises(NotFound):
        rewards.cancel(session, advocate=other, redemption_id=redemption.id, now=now)
    rewards.cancel(session, advocate=advocate, redemption_id=redemption.id, now=now)
    session.refresh(advocate), session.refresh(reward)
    assert (advocate.balance, reward.stock) == (1000, 5)
    assert session.get(Redemption, redemption.id).state == S.CANCELLED


def test_someone_elses_request_key_is_not_theirs(session, now):
    reward = rewards.save_reward(session, values=values(), now=now)
    advocate, other = funded(session, now), funded(session, now)
    rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="shared", now=now)
    with pytest.raises(NotFound):
        rewards.redeem(session, advocate=other, reward_id=reward.id, request_key="shared", now=now)
