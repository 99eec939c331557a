"""Why a customer record has its readiness score, eligibility and tier (the staff advocate page).

Everything here is read off `readiness` itself: the shares from `components`, the total from
`score`, each eligibility condition from `conditions` (which `is_eligible` is built on), so the
explanation cannot drift from the rules the weekly job applies. The points of each signal are its
share of the weighted average, rounded by largest remainders so that they add up to exactly the
rounded average; with the recovered bonus and the cap at 100 they give the score.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, JobRun
from app.models.signals import ON_ADVOCATE
from app.services.customers import readiness
from app.services.customers.readiness import Record, Rules, Signals
from app.services.program import settings as settings_service

LABELS = {"nps": "NPS", "usage": "Usage depth", "health": "Health score", "purchases": "Purchases",
          "recency": "Last purchase", "csat": "Support CSAT", "tenure": "Tenure",
          "referrals": "Referrals made", "social": "Social mentions"}
TIER_USES = {1: "case studies, testimonials, community", 2: "referrals, reviews", 3: "social shares, surveys"}


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    value: str  # the raw signal, e.g. "NPS 9", "last purchase 40 days ago", "no resolved tickets"
    share: float  # how much of it counts, 0-1 (readiness.components)
    weight: int
    points: int  # whole points it contributes; the parts add up to the rounded weighted average


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    requirement: str
    actual: str
    passed: bool


@dataclass(frozen=True)
class TierBand:
    tier: int
    share: str  # "top 10 %", "next 20 %", ...
    uses: str
    floor: int | None  # the lowest stored score in this tier (None: nobody in it)
    count: int


@dataclass(frozen=True)
class Explanation:
    parts: list[Part]
    weighted: int  # sum of the parts' points
    bonus: int  # the recovered-customer bonus added
    capped: int  # points above 100 that the cap removes
    total: int  # readiness.score of the current signals and settings
    checks: list[Check]
    eligible: bool  # readiness.is_eligible of the current signals and settings
    stored: Record  # what the last scoring wrote on the record
    tiers: list[TierBand]
    last_scored_at: datetime | None

    @property
    def stale(self) -> bool:
        """The stored score or flag differs from what the signals and settings give today."""
        return (self.stored.score, self.stored.eligible) != (self.total, self.eligible)

    @property
    def no_customer_data(self) -> bool:
        s = self.stored.signals
        return not self.stored.has_signal_row and all(getattr(s, name) is None for name in ON_ADVOCATE)


def explain(session: Session, *, advocate_id: int, now: datetime) -> Explanation:
    """The score, eligibility and tier of one record, part by part; NotFound for an unknown record."""
    record = readiness.read_record(session, advocate_id=advocate_id)
    rules = Rules.from_settings(settings_service.load(session).values)
    return build(record, rules, now.date(), tiers=tier_bands(session),
                 last_scored_at=last_scored_at(session, advocate_id=advocate_id))


def build(record: Record, rules: Rules, today: date, *, tiers: list[TierBand],
          last_scored_at: datetime | None) -> Explanation:
    """The explanation of `record` under `rules` on `today` (pure; the parts are tested by hand)."""
    s = record.signals
    shares = readiness.components(s, today)
    rounded = math.floor(readiness.weighted_points(shares, rules.weights) + 0.5)
    points = _apportion(shares, rules.weights, rounded)
    parts = [Part(key, LABELS[key], describe(key, s, today), shares[key], rules.weights[key], points[key])
             for key in shares]
    weighted, bonus = sum(points.values()), readiness.bonus(s, rules)
    return Explanation(parts=parts, weighted=weighted, bonus=bonus, capped=max(0, weighted + bonus - 100),
                       total=readiness.score(s, rules, today), checks=checks(s, rules, today),
                       eligible=readiness.is_eligible(s, rules, today), stored=record, tiers=tiers,
                       last_scored_at=last_scored_at)


def _apportion(shares: dict[str, float], weights: dict[str, int], total: int) -> dict[str, int]:
    """Whole points per signal adding up to `total`: floors first, then the largest remainders get one."""
    weight_sum = sum(weights.values())
    exact = {key: shares[key] * weights[key] / weight_sum * 100 if weight_sum else 0.0 for key in shares}
    points = {key: math.floor(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: exact[key] - points[key], reverse=True)
    for key in by_remainder[:max(0, total - sum(points.values()))]:
        points[key] += 1
    return points


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _days_ago(day: date, today: date) -> str:
    days = (today - day).days
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days:,} days ago"


def _known(value, unknown: str, known) -> str:
    return unknown if value is None else known(value)


def _purchases(n: int) -> str:
    if not n:
        return "no purchases"
    return "1 purchase or renewal" if n == 1 else f"{n:,} purchases or renewals"


_DESCRIBE = {
    "nps": lambda s, today: _known(s.nps, "no NPS", lambda v: f"NPS {v}"),
    "usage": lambda s, today: _known(s.usage_depth, "usage depth unknown", lambda v: f"usage depth {v}"),
    "health": lambda s, today: _known(s.health_score, "no health score", lambda v: f"health {v}"),
    "purchases": lambda s, today: _purchases(s.purchase_count),
    "recency": lambda s, today: _known(s.last_purchase_on, "no purchase on record",
                                       lambda v: f"last purchase {_days_ago(v, today)}"),
    "csat": lambda s, today: _known(s.csat, "no resolved tickets", lambda v: f"CSAT {v:.1f} of 5"),
    "tenure": lambda s, today: _known(s.customer_since, "customer since unknown", lambda v: (
        f"a customer for {_plural(readiness.months_between(v, today), 'month')}")),
    "referrals": lambda s, today: _plural(s.referrals_made, "referral") + " made",
    "social": lambda s, today: _plural(s.social_mentions, "mention"),
}


def describe(key: str, s: Signals, today: date) -> str:
    """The raw value behind one signal, as a marketer would say it ("last purchase 40 days ago")."""
    return _DESCRIBE[key](s, today)


def checks(s: Signals, rules: Rules, today: date) -> list[Check]:
    """Each eligibility condition with its threshold, the actual value and whether it is met."""
    met = readiness.conditions(s, rules, today)
    tenure = readiness.months_between(s.customer_since, today) if s.customer_since else None
    return [
        Check("nps", "NPS", f"{rules.min_nps}–10" if rules.min_nps < 10 else "10",
              "unknown" if s.nps is None else str(s.nps), met["nps"]),
        Check("health", "Health score", f"{rules.min_health} or more",
              "unknown" if s.health_score is None else str(s.health_score), met["health"]),
        Check("tenure", "Tenure", f"{_plural(rules.min_tenure_months, 'month')} or more",
              "unknown (no customer-since date)" if tenure is None else _plural(tenure, "month"),
              met["tenure"]),
        Check("active", "Active usage", f"product used in the last {_plural(rules.active_days, 'day')}",
              "no product use recorded" if s.last_active_on is None else
              f"last used {_days_ago(s.last_active_on, today)}", met["active"]),
    ]


def tier_bands(session: Session) -> list[TierBand]:
    """Each tier's share, uses, lowest score and size as the last tier assignment left them."""
    # "state IN (every state)" changes no result but lets SQLite range-scan the covering index
    # (state, readiness_tier, readiness_score) instead of the table.
    stored = {tier: (floor, n) for tier, floor, n in session.execute(
        select(Advocate.readiness_tier, func.min(Advocate.readiness_score), func.count())
        .where(Advocate.state.in_(list(AdvocateState)), Advocate.readiness_tier.is_not(None))
        .group_by(Advocate.readiness_tier))}
    bands, previous = [], 0.0
    for tier, cumulative in readiness.TIER_SHARES:
        share = f"{'top' if tier == 1 else 'next'} {round((cumulative - previous) * 100)} %"
        floor, n = stored.get(tier, (None, 0))
        bands.append(TierBand(tier, share, TIER_USES[tier], floor, n))
        previous = cumulative
    return bands


def last_scored_at(session: Session, *, advocate_id: int) -> datetime | None:
    """When the record was last scored: the last successful weekly run or its own rescore, the later."""
    return session.scalar(select(func.max(JobRun.finished_at)).where(
        JobRun.name.in_([readiness.JOB, readiness.RECORD_RUN.format(advocate_id)]),
        JobRun.error.is_(None), JobRun.finished_at.is_not(None)))
