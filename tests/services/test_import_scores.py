"""The import's scorer equals readiness.score and readiness.is_eligible on varied records and settings."""

import random
from datetime import date, timedelta

import pytest

from app.services import readiness
from app.services import settings as settings_service
from app.services.import_scores import Scorer

TODAY = date(2026, 6, 15)


def _maybe(rng, value):
    return None if rng.random() < 0.2 else value


def _record(rng) -> dict:
    """Merged values as the importer holds them: unknowns, zeros, edges and far-off dates."""
    def day():
        days = rng.choice((0, 1, 29, 30, 31, 89, 90, 91, 400, 729, 730, 731, 5000, rng.randint(0, 3000)))
        return _maybe(rng, TODAY - timedelta(days=days))

    return {"nps": _maybe(rng, rng.randint(0, 10)), "health_score": _maybe(rng, rng.randint(0, 100)),
            "customer_since": _maybe(rng, TODAY - timedelta(days=rng.choice((0, 27, 28, 31, 59, 92, 730,
                                                                              rng.randint(0, 4000))))),
            "purchase_count": rng.choice((0, 1, 4, 5, 6, 1_000_000)), "last_purchase_on": day(),
            "csat": _maybe(rng, rng.choice((1.0, 1.01, 2.5, 3.33, 4.99, 5.0, round(rng.uniform(1, 5), 2)))),
            "recovered": rng.random() < 0.3, "usage_depth": _maybe(rng, rng.randint(0, 100)),
            "referrals_made": rng.choice((0, 1, 2, 3, 4, 50)),
            "social_mentions": rng.choice((0, 4, 5, 6, 99)),
            "last_active_on": day()}


def _rules(rng) -> readiness.Rules:
    values = dict(settings_service.DEFAULTS)
    for key in settings_service.SCORE_WEIGHTS:
        values[key] = rng.choice((0, 0, 1, 7, 10, 15, 33, 100))
    values["score_recovered_bonus"] = rng.choice((0, 10, 50))
    values["eligible_min_nps"] = rng.randint(0, 10)
    values["eligible_min_health"] = rng.randint(0, 100)
    values["eligible_min_tenure_months"] = rng.choice((0, 1, 3, 24))
    values["eligible_active_days"] = rng.choice((1, 30, 365))
    return readiness.Rules.from_settings(values)


@pytest.mark.parametrize("seed", range(8))
def test_the_import_scorer_equals_readiness_score_and_is_eligible(seed):
    rng = random.Random(seed)
    rules = readiness.Rules.from_settings(dict(settings_service.DEFAULTS)) if seed == 0 else _rules(rng)
    scorer = Scorer(rules, TODAY)
    for _ in range(3000):
        v = _record(rng)
        signals = readiness.Signals(**v)
        expected = (readiness.score(signals, rules, TODAY), readiness.is_eligible(signals, rules, TODAY))
        assert scorer.score_and_flag(v) == expected, v


def test_all_weights_zero_scores_only_the_bonus():
    values = {**settings_service.DEFAULTS, **{key: 0 for key in settings_service.SCORE_WEIGHTS}}
    rules = readiness.Rules.from_settings(values)
    v = _record(random.Random(1)) | {"recovered": True}
    assert Scorer(rules, TODAY).score_and_flag(v)[0] == readiness.score(readiness.Signals(**v), rules, TODAY)
