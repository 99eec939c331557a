"""The "why this score" explanation: parts worked out by hand, the bonus and the cap, every
eligibility condition either side of its threshold, and parts that always add up to the score."""

import random
from datetime import date, datetime, timedelta

import pytest

from app.models import CustomerSignal
from app.services.customers import explanation as explain_service
from app.services.customers import readiness
from app.services.customers.readiness import Record, Rules, Signals
from app.services.program import settings
from tests.factories import make_advocate

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 12, 0)
RULES = Rules.from_settings(dict(settings.DEFAULTS))  # weights 20 15 15 10 5 10 5 10 10, bonus 10

# Worked by hand with the default weights (they add up to 100, so a weight is the most points):
#   NPS 9           0.9   x 20 = 18
#   usage 82        0.82  x 15 = 12.3
#   health 75       0.75  x 15 = 11.25
#   3 purchases     0.6   x 10 = 6
#   bought 40 d ago 1     x  5 = 5
#   no tickets      0.5   x 10 = 5
#   12 months       0.5   x  5 = 2.5
#   1 referral      1/3   x 10 = 3.33
#   2 mentions      0.4   x 10 = 4      -> 67.38, rounds to 67; floors add to 66, and the largest
# remainder (tenure's .5) gets the missing point. Recovered: +10 -> 77.
HAND = Signals(nps=9, usage_depth=82, health_score=75, purchase_count=3,
               last_purchase_on=TODAY - timedelta(days=40), csat=None, customer_since=date(2025, 6, 15),
               referrals_made=1, social_mentions=2, recovered=True, last_active_on=TODAY - timedelta(days=3))
HAND_POINTS = {"nps": 18, "usage": 12, "health": 11, "purchases": 6, "recency": 5, "csat": 5, "tenure": 3,
               "referrals": 3, "social": 4}


def build(signals: Signals, rules: Rules = RULES, stored_score=None, stored_eligible=False, signal_row=True):
    record = Record(signals, signal_row, stored_score, stored_eligible, None)
    return explain_service.build(record, rules, TODAY, tiers=[], last_scored_at=None)


def test_each_part_its_share_weight_and_points_worked_by_hand():
    result = build(HAND)
    parts = {p.key: p for p in result.parts}
    assert {key: p.points for key, p in parts.items()} == HAND_POINTS
    assert {key: p.weight for key, p in parts.items()} == RULES.weights
    assert parts["usage"].share == pytest.approx(0.82) and parts["referrals"].share == pytest.approx(1 / 3)
    assert (result.weighted, result.bonus, result.capped, result.total) == (67, 10, 0, 77)
    assert readiness.score(HAND, RULES, TODAY) == 77


def test_the_raw_values_read_as_a_marketer_would_say_them():
    values = {p.key: p.value for p in build(HAND).parts}
    assert values == {"nps": "NPS 9", "usage": "usage depth 82", "health": "health 75",
                      "purchases": "3 purchases or renewals", "recency": "last purchase 40 days ago",
                      "csat": "no resolved tickets", "tenure": "a customer for 12 months",
                      "referrals": "1 referral made", "social": "2 mentions"}
    unknown = {p.key: p.value for p in build(Signals()).parts}
    assert unknown["nps"] == "no NPS" and unknown["recency"] == "no purchase on record"
    assert unknown["purchases"] == "no purchases" and unknown["tenure"] == "customer since unknown"
    some = {p.key: p.value for p in build(Signals(csat=4.6, purchase_count=1)).parts}
    assert (some["csat"], some["purchases"]) == ("CSAT 4.6 of 5", "1 purchase or renewal")


def test_no_bonus_without_recovery_and_the_cap_is_shown():
    plain = build(HAND._replace(recovered=False))
    assert (plain.weighted, plain.bonus, plain.capped, plain.total) == (67, 0, 0, 67)
    best = Signals(nps=10, health_score=100, customer_since=date(2020, 1, 1), purchase_count=5,
                   last_purchase_on=TODAY, csat=5.0, usage_depth=100, referrals_made=3, social_mentions=5,
                   recovered=True)
    capped = build(best)
    assert (capped.weighted, capped.bonus, capped.capped, capped.total) == (100, 10, 10, 100)


def test_zero_weights_give_zero_points_and_the_rest_still_add_up():
    rules = Rules(**{**RULES.__dict__, "weights": {**{k: 0 for k in RULES.weights}, "nps": 3, "usage": 1}})
    result = build(Signals(nps=10, usage_depth=50), rules)
    assert {p.key: p.points for p in result.parts if p.points} == {"nps": 75, "usage": 13}
    assert result.weighted == 88 == readiness.score(Signals(nps=10, usage_depth=50), rules, TODAY)


def test_the_parts_always_add_up_to_exactly_the_score():
    rng = random.Random(20260615)
    for _ in range(2000):
        signals = Signals(
            nps=rng.choice([None, *range(11)]), health_score=rng.choice([None, rng.randint(0, 100)]),
            customer_since=rng.choice([None, TODAY - timedelta(days=rng.randint(0, 3000))]),
            purchase_count=rng.randint(0, 8),
            last_purchase_on=rng.choice([None, TODAY - timedelta(days=rng.randint(0, 900))]),
            csat=rng.choice([None, round(rng.uniform(1, 5), 2)]), recovered=rng.random() < 0.3,
            usage_depth=rng.choice([None, rng.randint(0, 100)]), referrals_made=rng.randint(0, 4),
            social_mentions=rng.randint(0, 7))
        weights = {key: rng.choice([0, 0, rng.randint(0, 100)]) for key in RULES.weights}
        weights["nps"] = weights["nps"] or 1
        rules = Rules(**{**RULES.__dict__, "weights": weights, "recovered_bonus": rng.randint(0, 50)})
        result = build(signals, rules)
        assert sum(p.points for p in result.parts) + result.bonus - result.capped == result.total
        assert result.total == readiness.score(signals, rules, TODAY)
        assert all(0 <= p.points <= p.weight * 100 / sum(weights.values()) + 1 for p in result.parts)


def eligible(**overrides) -> Signals:
    values = dict(nps=9, health_score=70, customer_since=date(2026, 3, 15),
                  last_active_on=TODAY - timedelta(30))
    values.update(overrides)
    return Signals(**values)


def checks(signals: Signals, rules: Rules = RULES) -> dict[str, tuple[bool, str]]:
    result = build(signals, rules)
    assert result.eligible == readiness.is_eligible(signals, rules, TODAY)
    return {c.key: (c.passed, c.actual) for c in result.checks}


def test_every_condition_passes_exactly_at_its_threshold():
    assert checks(eligible()) == {"nps": (True, "9"), "health": (True, "70"), "tenure": (True, "3 months"),
                                  "active": (True, "last used 30 days ago")}
    assert build(eligible()).eligible


@pytest.mark.parametrize(("overrides", "key", "actual"), [
    ({"nps": 8}, "nps", "8"),
    ({"nps": None}, "nps", "unknown"),
    ({"health_score": 69}, "health", "69"),
    ({"health_score": None}, "health", "unknown"),
    ({"customer_since": date(2026, 3, 16)}, "tenure", "2 months"),
    ({"customer_since": None}, "tenure", "unknown (no customer-since date)"),
    ({"last_active_on": TODAY - timedelta(31)}, "active", "last used 31 days ago"),
    ({"last_active_on": None}, "active", "no product use recorded"),
])
def test_one_step_past_a_threshold_fails_that_condition_only(overrides, key, actual):
    found = checks(eligible(**overrides))
    assert found[key] == (False, actual)
    assert all(passed for other, (passed, _) in found.items() if other != key)
    assert not build(eligible(**overrides)).eligible


def test_the_requirements_follow_the_settings():
    rules = Rules(**{**RULES.__dict__, "min_nps": 10, "min_health": 80, "min_tenure_months": 1,
                     "active_days": 7})
    result = build(eligible(nps=10, health_score=80, customer_since=date(2026, 5, 15),
                            last_active_on=TODAY - timedelta(7)), rules)
    assert [c.requirement for c in result.checks] == ["10", "80 or more", "1 month or more",
                                                      "product used in the last 7 days"]
    assert result.eligible
    assert [c.requirement for c in build(eligible()).checks][0] == "9–10"


def test_a_stored_score_that_differs_from_the_current_signals_is_stale():
    assert build(HAND, stored_score=77, stored_eligible=True).stale is False
    assert build(HAND, stored_score=70, stored_eligible=True).stale is True
    assert build(HAND, stored_score=None).stale is True
    assert build(HAND, stored_score=77, stored_eligible=False).stale is True


def test_a_record_without_any_customer_data_says_so(session):
    bare = make_advocate(session, nps=None, health_score=None, customer_since=None)
    profile_only = make_advocate(session, nps=9)
    assert explain_service.explain(session, advocate_id=bare.id, now=NOW).no_customer_data
    result = explain_service.explain(session, advocate_id=profile_only.id, now=NOW)
    assert not result.no_customer_data and not result.stored.has_signal_row
    # Without a signals row the explanation uses what the job uses: NPS from the profile, the rest unknown.
    assert {p.key: p.points for p in result.parts if p.points} == {"nps": 18, "csat": 5}


def test_the_explanation_of_a_scored_record_adds_up_to_its_stored_score(session):
    advocate = make_advocate(session, nps=9, health_score=75, customer_since=date(2025, 6, 15))
    session.add(CustomerSignal(advocate_id=advocate.id, purchase_count=3,
                               last_purchase_on=TODAY - timedelta(40), usage_depth=82, referrals_made=1,
                               social_mentions=2, recovered=True, last_active_on=TODAY - timedelta(3),
                               updated_at=NOW))
    session.flush()
    readiness.score_customers(session, now=NOW)
    session.refresh(advocate)
    result = explain_service.explain(session, advocate_id=advocate.id, now=NOW)
    assert advocate.readiness_score == 77 == result.stored.score == result.total
    assert sum(p.points for p in result.parts) + result.bonus - result.capped == advocate.readiness_score
    assert not result.stale and result.eligible and result.stored.tier == 1


def test_tier_bands_show_the_lowest_stored_score_of_each_tier(session):
    for score, tier in [(90, 1), (80, 2), (75, 2), (60, 3), (50, None)]:
        make_advocate(session, readiness_score=score, eligible=True, readiness_tier=tier)
    bands = explain_service.tier_bands(session)
    assert [(b.tier, b.share, b.floor, b.count) for b in bands] == [
        (1, "top 10 %", 90, 1), (2, "next 20 %", 75, 2), (3, "next 30 %", 60, 1)]
    assert bands[0].uses == "case studies, testimonials, community"


def test_last_scored_is_the_later_of_the_weekly_run_and_the_records_own_rescore(session):
    from app.services.operations import joblocks

    advocate = make_advocate(session)
    other = make_advocate(session)
    assert explain_service.last_scored_at(session, advocate_id=advocate.id) is None
    run = joblocks.start_run(session, name="score_customers", holder="t", now=NOW - timedelta(days=3))
    joblocks.finish_run(session, run_id=run.id, now=NOW - timedelta(days=3), duration_ms=5)
    failed = joblocks.start_run(session, name="score_customers", holder="t", now=NOW - timedelta(days=1))
    joblocks.finish_run(session, run_id=failed.id, now=NOW - timedelta(days=1), duration_ms=5, error="boom")
    assert explain_service.last_scored_at(session, advocate_id=advocate.id) == NOW - timedelta(days=3)
    readiness.rescore_advocate(session, advocate_id=advocate.id, actor="staff:1", now=NOW)
    assert explain_service.last_scored_at(session, advocate_id=advocate.id) == NOW
    assert explain_service.last_scored_at(session, advocate_id=other.id) == NOW - timedelta(days=3)


def test_the_tier_bands_read_the_readiness_index_not_the_table(session):
    from sqlalchemy import event

    seen = []
    engine = session.get_bind()

    def grab(conn, cursor, statement, params, context, executemany):
        if "min(advocate.readiness_score)" in statement:
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        explain_service.tier_bands(session)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    cursor = session.connection().connection.dbapi_connection.cursor()
    (statement, params), = seen
    plan = " ".join(row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}", params))
    assert "USING COVERING INDEX ix_advocate_readiness" in plan, plan
