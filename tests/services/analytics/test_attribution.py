"""Attributed revenue and ROI (SPEC §14) on hand-computed fixtures: a deal counts once however many
things touched it, a referral once whether or not the CRM reports its deal, and a redemption's cost is
the one kept when it was redeemed."""

from dataclasses import asdict
from datetime import date, datetime

from app.models import RewardKind, Status
from app.services import rewards
from app.services.analytics import kpis
from app.services.program import settings as settings_service
from tests.factories import fund, make_advocate, make_reward, make_staff
from tests.services.attribution.support import content_item, deal, reference_request, referral

TZ = "America/New_York"
PERIOD = kpis.Period(date(2026, 5, 1), date(2026, 6, 15), TZ)
IN_PERIOD = datetime(2026, 5, 10, 12, 0)


def _figures(session, now):
    return kpis.program_figures(session, period=PERIOD, now=now)


def test_a_deal_influenced_by_two_references_and_a_review_counts_once(session, now):
    first, second = reference_request(session, now), reference_request(session, now)
    review = content_item(session)
    deal(session, now, "006-A", 40_000, references=[first.id, second.id], content=[review.id])
    a = _figures(session, now).attribution
    assert (a.won, a.influenced, a.influenced_cents) == (1, 1, 4_000_000)
    assert (a.sourced_cents, a.influenced_only_cents, a.lift_cents) == (0, 4_000_000, 1_000_000)


def _redemption(session, advocate, reward, staff, now):
    made = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key=f"r{reward.id}-{now}",
                          now=now)
    return rewards.fulfil(session, staff=staff, redemption_id=made.id, now=now)


def build_fixture(session, now):
    """Won in the period: A 40,000 (two references and a review), B 10,000 (referral f1 and a reference),
    C 5,000 (nothing). Ignored: D lost, E open, F won after the period. Referrals converted in the
    period: f1 (9,000, but B reports it: counted as B), f2 2,000 and f3 3,000 (only an open deal names
    it), counted as sourced. Cost: two rewards sent at 500.00 each."""
    r1, r2, review = reference_request(session, now), reference_request(session, now), content_item(session)
    f1, f2, f3 = (referral(session, converted_at=datetime(2026, 5, d), deal_amount=amount)
                  for d, amount in ((10, 9_000), (12, 2_000), (15, 3_000)))
    deal(session, now, "A", 40_000, references=[r1.id, r2.id], content=[review.id])
    deal(session, now, "B", 10_000, close=date(2026, 6, 1), referrals=[f1.id], references=[r1.id])
    deal(session, now, "C", 5_000, close=date(2026, 6, 15))
    deal(session, now, "D", 7_000, stage="lost", references=[r1.id])
    deal(session, now, "E", 8_000, stage="open", close=None, referrals=[f3.id])
    deal(session, now, "F", 6_000, close=date(2026, 6, 16), references=[r2.id])
    advocate, staff = make_advocate(session, status=Status.GOLD), make_staff(session)
    fund(session, advocate, 1_000)
    for _ in range(2):
        reward = make_reward(session, points_cost=100, requires_approval=False, unit_cost_cents=50_000,
                             kind=RewardKind.GIFT_CARD)
        _redemption(session, advocate, reward, staff, IN_PERIOD)
    session.flush()
    return f2


def test_roi_on_the_hand_computed_fixture(any_session, now):
    session = any_session
    build_fixture(session, now)
    session.flush()
    figures = _figures(session, now)
    assert asdict(figures.attribution) == dict(
        currency="USD", lift_percent=25, won=3, won_cents=5_500_000, sourced_deals=1,
        sourced_deals_cents=1_000_000, influenced=2, influenced_cents=5_000_000, converted_referrals=3,
        unreported_referrals=2, unreported_referrals_cents=500_000)
    assert figures.sourced_revenue_cents == 1_500_000  # B 10,000 + f2 2,000 + f3 3,000
    assert figures.attribution.lift_cents == 1_000_000  # 25 % of A's 40,000 (B is sourced)
    assert figures.program_cost_cents == 100_000
    assert figures.roi == 24.0  # (15,000 + 10,000 - 1,000) / 1,000


def test_the_lift_share_is_the_setting(session, now):
    build_fixture(session, now)
    settings_service.save(session, changes={"influenced_lift_percent": 0}, actor_id=None, now=now)
    assert _figures(session, now).roi == 14.0  # (15,000 - 1,000) / 1,000
    settings_service.save(session, changes={"influenced_lift_percent": 100}, actor_id=None, now=now)
    assert _figures(session, now).roi == 54.0  # (15,000 + 40,000 - 1,000) / 1,000


def test_a_redemption_keeps_its_cost_when_the_catalog_price_changes(session, now):
    advocate, staff = make_advocate(session, status=Status.GOLD), make_staff(session)
    fund(session, advocate, 1_000)
    reward = make_reward(session, points_cost=100, requires_approval=False, unit_cost_cents=2_500)
    redemption = _redemption(session, advocate, reward, staff, IN_PERIOD)
    assert redemption.cost_cents == 2_500
    values = {name: getattr(reward, name) for name in rewards.RewardValues.__dataclass_fields__}
    rewards.save_reward(session, values=rewards.RewardValues(**{**values, "unit_cost_cents": 9_900}), now=now,
                        reward_id=reward.id)
    session.expire_all()
    assert redemption.cost_cents == 2_500
    assert _figures(session, now).rewards == kpis.RewardsCost(cost_cents=2_500, fulfilled=1, without_cost=0)


def test_deals_in_a_former_currency_are_left_out_not_mixed_in(session, now):
    deal(session, now, "USD-1", 1_000, references=[reference_request(session, now).id])
    settings_service.save(session, changes={"currency": "EUR"}, actor_id=None, now=now)
    deal(session, now, "EUR-1", 300, currency="EUR", references=[reference_request(session, now).id])
    a = _figures(session, now).attribution
    assert (a.currency, a.won, a.influenced_cents) == ("EUR", 1, 30_000)
