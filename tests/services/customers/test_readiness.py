"""Readiness rules: the weighted score, the recovered bonus, eligibility edges and percentile tiers."""

from datetime import date, timedelta

import pytest

from app.services.customers.readiness import Rules, Signals, is_eligible, months_between, score, tier_floors
from app.services.program import settings

TODAY = date(2026, 6, 15)
RULES = Rules.from_settings(dict(settings.DEFAULTS))


def best(**overrides) -> Signals:
    values = dict(nps=10, health_score=100, customer_since=date(2020, 1, 1), purchase_count=5,
                  last_purchase_on=TODAY, csat=5.0, usage_depth=100, referrals_made=3, social_mentions=5,
                  last_active_on=TODAY)
    values.update(overrides)
    return Signals(**values)


def only(signal: str, weight: int = 1, **rules) -> Rules:
    weights = {name: 0 for name in RULES.weights}
    weights[signal] = weight
    return Rules(**{**RULES.__dict__, "weights": weights, **rules})


def test_the_best_signals_score_100_and_none_score_0():
    assert score(best(), RULES, TODAY) == 100
    assert score(Signals(csat=1.0), RULES, TODAY) == 0


def test_unknown_signals_count_nothing_but_no_tickets_is_neutral_csat():
    assert score(Signals(), only("nps"), TODAY) == 0
    assert score(Signals(), only("csat"), TODAY) == 50


@pytest.mark.parametrize(("signal", "signals", "expected"), [
    ("nps", Signals(nps=7), 70),
    ("usage", Signals(usage_depth=40), 40),
    ("health", Signals(health_score=85), 85),
    ("purchases", Signals(purchase_count=2), 40),
    ("purchases", Signals(purchase_count=50), 100),
    ("recency", Signals(last_purchase_on=TODAY - timedelta(days=90)), 100),
    ("recency", Signals(last_purchase_on=TODAY - timedelta(days=410)), 50),
    ("recency", Signals(last_purchase_on=TODAY - timedelta(days=900)), 0),
    ("csat", Signals(csat=4.0), 75),
    ("tenure", Signals(customer_since=date(2025, 6, 15)), 50),
    ("referrals", Signals(referrals_made=1), 33),
    ("social", Signals(social_mentions=10), 100),
])
def test_each_signal_counts_in_proportion(signal, signals, expected):
    assert score(signals, only(signal), TODAY) == expected


def test_weights_decide_how_much_each_signal_counts():
    signals = Signals(nps=10, usage_depth=0)
    three_to_one = Rules(**{**only("nps", 3).__dict__, "weights": {**only("nps", 3).weights, "usage": 1}})
    assert score(signals, three_to_one, TODAY) == 75
    assert score(signals, only("usage"), TODAY) == 0


def test_a_recovered_customer_scores_the_bonus_but_never_above_100():
    plain = Signals(nps=5)
    assert score(plain, only("nps"), TODAY) == 50
    assert score(Signals(nps=5, recovered=True), only("nps"), TODAY) == 60
    assert score(Signals(nps=5, recovered=True), only("nps", recovered_bonus=0), TODAY) == 50
    assert score(best(recovered=True), RULES, TODAY) == 100


def test_all_weights_zero_scores_zero_rather_than_failing():
    zero = Rules(**{**RULES.__dict__, "weights": {name: 0 for name in RULES.weights}})
    assert score(best(), zero, TODAY) == 0


def eligible_signals(**overrides) -> Signals:
    values = dict(nps=9, health_score=70, customer_since=date(2026, 3, 15),
                  last_active_on=TODAY - timedelta(30))
    values.update(overrides)
    return Signals(**values)


def test_a_customer_at_every_threshold_is_eligible():
    assert is_eligible(eligible_signals(), RULES, TODAY)


@pytest.mark.parametrize("overrides", [
    {"nps": 8}, {"nps": None}, {"health_score": 69}, {"health_score": None},
    {"customer_since": date(2026, 3, 16)}, {"customer_since": None},
    {"last_active_on": TODAY - timedelta(31)}, {"last_active_on": None},
], ids=["nps 8", "no nps", "health 69", "no health", "tenure a day short", "no tenure", "inactive 31 days",
        "never active"])
def test_one_rule_just_missed_makes_a_customer_ineligible(overrides):
    assert not is_eligible(eligible_signals(**overrides), RULES, TODAY)


def test_eligibility_thresholds_are_settings():
    looser = Rules(**{**RULES.__dict__, "min_nps": 7, "active_days": 60})
    assert is_eligible(eligible_signals(nps=7, last_active_on=TODAY - timedelta(60)), looser, TODAY)


def test_tenure_counts_whole_calendar_months():
    assert months_between(date(2026, 3, 15), TODAY) == 3
    assert months_between(date(2026, 3, 16), TODAY) == 2
    assert months_between(date(2027, 1, 1), TODAY) == 0


def tiers_of(scores: list[int]) -> list[int | None]:
    """The tier each score gets, through the same floors the job uses."""
    groups = {}
    for value in scores:
        groups[value] = groups.get(value, 0) + 1
    floors = tier_floors(list(groups.items()))
    return [next((t for t, f in sorted(floors.items()) if value >= f), None) for value in scores]


def test_a_hundred_distinct_scores_split_10_20_30_and_the_rest():
    tiers = tiers_of(list(range(100, 0, -1)))
    assert [tiers.count(t) for t in (1, 2, 3, None)] == [10, 20, 30, 40]
    assert tiers[:10] == [1] * 10 and tiers[10] == 2 and tiers[30] == 3 and tiers[60] is None


@pytest.mark.parametrize(("scores", "expected"), [
    ([], []),
    ([50], [1]),
    ([80, 60], [1, 3]),  # the second of two is at the 50th percentile: past tier 2's 30 %
    ([90, 80, 70, 60, 50], [1, 2, 3, None, None]),
])
def test_small_populations_still_give_the_best_a_tier(scores, expected):
    assert tiers_of(scores) == expected


def test_equal_scores_share_the_better_tier():
    scores = [95, 90, 90, 90] + list(range(80, 64, -1))  # 20 eligible: tier 1 holds 2, tier 2 up to 6
    tiers = tiers_of(scores)
    assert tiers[:4] == [1, 1, 1, 1]
    assert tiers[4:6] == [2, 2] and tiers[6] == 3
    assert tiers_of([70] * 10) == [1] * 10
