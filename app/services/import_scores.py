"""Readiness score and eligibility of records being imported, a batch at a time.

The same numbers as readiness.score and readiness.is_eligible, computed from a record's merged
values (a dict of advocate and customer_signal columns) without building a Signals and a
components dict per row: the import scores up to a million rows, and that cost more than the
rest of the row. Every share below is the expression of readiness.components, the weighted sum
runs over the same products in the weights' order, and rounding, bonus and capping are
readiness.score's; tests/services/test_import_scores.py proves equality on varied records and
settings, so a change to the rules in readiness must be made here too (the test fails otherwise).
"""

import math
from datetime import date

from app.services.readiness import (
    FULL_MENTIONS,
    FULL_PURCHASES,
    FULL_REFERRALS,
    FULL_TENURE_MONTHS,
    NO_TICKETS_CSAT,
    RECENT_DAYS,
    STALE_DAYS,
    Rules,
    months_between,
)


def _share(value, full: float) -> float:
    if value is None:
        return 0.0
    share = value / full
    return 1.0 if share > 1.0 else (share if share > 0.0 else 0.0)


class Scorer:
    """score_and_flag(values) -> (score, eligible) under one program's rules on one day."""

    def __init__(self, rules: Rules, today: date):
        self.rules, self.today = rules, today
        self.weights = tuple(rules.weights.items())
        self.total = sum(rules.weights.values())

    def score_and_flag(self, v: dict) -> tuple[int, bool]:
        today, rules = self.today, self.rules
        bought, since = v["last_purchase_on"], v["customer_since"]
        tenure = months_between(since, today) if since else None
        if bought:
            recency = 1.0 - _share(max(0, (today - bought).days - RECENT_DAYS), STALE_DAYS - RECENT_DAYS)
        else:
            recency = 0.0
        csat = v["csat"]
        parts = {"nps": _share(v["nps"], 10), "usage": _share(v["usage_depth"], 100),
                 "health": _share(v["health_score"], 100),
                 "purchases": _share(v["purchase_count"], FULL_PURCHASES), "recency": recency,
                 "csat": NO_TICKETS_CSAT if csat is None else _share(csat - 1, 4),
                 "tenure": _share(tenure, FULL_TENURE_MONTHS),
                 "referrals": _share(v["referrals_made"], FULL_REFERRALS),
                 "social": _share(v["social_mentions"], FULL_MENTIONS)}
        total = self.total
        weighted = sum(parts[name] * weight for name, weight in self.weights) / total if total else 0.0
        raw = math.floor(weighted * 100 + 0.5) + (rules.recovered_bonus if v["recovered"] else 0)
        nps, health, active = v["nps"], v["health_score"], v["last_active_on"]
        eligible = (nps is not None and nps >= rules.min_nps
                    and health is not None and health >= rules.min_health
                    and tenure is not None and tenure >= rules.min_tenure_months
                    and active is not None and (today - active).days <= rules.active_days)
        return max(0, min(100, raw)), eligible
