"""Readiness (SPEC §7): a 0-100 score from a customer's signals, eligibility, and percentile tiers.

`score` and `is_eligible` are pure rules over one customer's Signals and the program's Rules
(settings). `score_customers` applies them to every advocate record in batches of ids (memory
stays flat however many there are), then gives tiers by rank among the eligible with a few
set-based UPDATEs. Scores are whole numbers, so the rank of a score is found from at most 101
(score, count) groups: tier 1 goes to the scores with fewer than ceil(10 % of the eligible)
customers above them, tier 2 under ceil(30 %), tier 3 under ceil(60 %). Equal scores therefore
always share the better tier. Rerunning changes nothing unless signals, settings or the date did.
"""

import math
import time
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.models import Advocate, CustomerSignal
from app.models.signals import ADVOCATE, SIGNALS
from app.services.errors import NotFound
from app.services.operations import joblocks
from app.services.program import settings as settings_service

BATCH = 2000
JOB = "score_customers"  # the weekly job that scores every record (app/jobs/program.py)
RECORD_RUN = "score_advocate:{}"  # the run record of one record's on-demand rescore
TIER_SHARES = ((1, 0.10), (2, 0.30), (3, 0.60))  # cumulative share of the eligible, best first
# Where a signal counts in full; below it counts in proportion.
FULL_PURCHASES, FULL_REFERRALS, FULL_MENTIONS, FULL_TENURE_MONTHS = 5, 3, 5, 24
RECENT_DAYS, STALE_DAYS = 90, 730  # a purchase this recent counts in full, this old not at all
NO_TICKETS_CSAT = 0.5  # no resolved tickets: neither good nor bad


# One customer's signals: an attribute per models.signals.SIGNALS entry, each defaulting to "no data".
Signals = namedtuple("Signals", [s.attr for s in SIGNALS], defaults=[s.default for s in SIGNALS])
_DEFAULTS = tuple((s.attr, s.default) for s in SIGNALS)


def signals_of(values: Mapping[str, object]) -> Signals:
    """The Signals of a record's stored or imported values (a mapping with every signal attribute);
    a missing value (no customer_signal row) is the signal's default: no purchases, referrals…"""
    return Signals._make([default if (value := values[attr]) is None else value
                          for attr, default in _DEFAULTS])


@dataclass(frozen=True)
class Rules:
    weights: dict[str, int]  # signal name (nps, usage, ...) -> weight
    recovered_bonus: int
    min_nps: int
    min_health: int
    min_tenure_months: int
    active_days: int

    @classmethod
    def from_settings(cls, values: dict) -> "Rules":
        weights = {key.removeprefix("score_weight_"): values[key] for key in settings_service.SCORE_WEIGHTS}
        return cls(weights=weights,
                   recovered_bonus=values["score_recovered_bonus"], min_nps=values["eligible_min_nps"],
                   min_health=values["eligible_min_health"],
                   min_tenure_months=values["eligible_min_tenure_months"],
                   active_days=values["eligible_active_days"])


def months_between(start: date, today: date) -> int:
    """Whole calendar months from `start` to `today` (0 if start is later)."""
    months = (today.year - start.year) * 12 + today.month - start.month - (today.day < start.day)
    return max(0, months)


def _part(value: float | None, full: float) -> float:
    return 0.0 if value is None else max(0.0, min(1.0, value / full))


def components(s: Signals, today: date) -> dict[str, float]:
    """Each signal as a share from 0 to 1; an unknown signal counts 0 (CSAT: neutral)."""
    days = (today - s.last_purchase_on).days if s.last_purchase_on else None
    recency = 0.0 if days is None else 1.0 - _part(max(0, days - RECENT_DAYS), STALE_DAYS - RECENT_DAYS)
    tenure = months_between(s.customer_since, today) if s.customer_since else None
    return {
        "nps": _part(s.nps, 10), "usage": _part(s.usage_depth, 100), "health": _part(s.health_score, 100),
        "purchases": _part(s.purchase_count, FULL_PURCHASES), "recency": recency,
        "csat": NO_TICKETS_CSAT if s.csat is None else _part(s.csat - 1, 4),
        "tenure": _part(tenure, FULL_TENURE_MONTHS), "referrals": _part(s.referrals_made, FULL_REFERRALS),
        "social": _part(s.social_mentions, FULL_MENTIONS),
    }


def weighted_points(parts: dict[str, float], weights: dict[str, int]) -> float:
    """The weighted average of the shares as 0-100, before rounding (0 when every weight is 0)."""
    total = sum(weights.values())
    return sum(parts[name] * weight for name, weight in weights.items()) / total * 100 if total else 0.0


def bonus(s: Signals, rules: Rules) -> int:
    return rules.recovered_bonus if s.recovered else 0


def score(s: Signals, rules: Rules, today: date) -> int:
    """The weighted average of the signals as 0-100, plus the recovered bonus, capped at 100."""
    raw = math.floor(weighted_points(components(s, today), rules.weights) + 0.5) + bonus(s, rules)
    return max(0, min(100, raw))


def conditions(s: Signals, rules: Rules, today: date) -> dict[str, bool]:
    """Each eligibility condition (nps, health, tenure, active) met or not; an unknown value is not."""
    tenure = months_between(s.customer_since, today) if s.customer_since else None
    idle = (today - s.last_active_on).days if s.last_active_on else None
    return {"nps": s.nps is not None and s.nps >= rules.min_nps,
            "health": s.health_score is not None and s.health_score >= rules.min_health,
            "tenure": tenure is not None and tenure >= rules.min_tenure_months,
            "active": idle is not None and idle <= rules.active_days}


def is_eligible(s: Signals, rules: Rules, today: date) -> bool:
    """NPS, health, tenure and active usage all at or past their thresholds; unknown means no."""
    return all(conditions(s, rules, today).values())


def rate(values: Mapping[str, object], rules: Rules, today: date) -> tuple[int, bool]:
    """(score, eligible) of a record's values: what score_customers writes for it."""
    signals = signals_of(values)
    return score(signals, rules, today), is_eligible(signals, rules, today)


def tier_floors(groups: list[tuple[int, int]]) -> dict[int, int]:
    """tier -> lowest score in it, from the eligible (score, count) groups; empty tiers are left out."""
    eligible = sum(n for _, n in groups)
    cuts = {tier: math.ceil(share * eligible) for tier, share in TIER_SHARES}
    floors: dict[int, int] = {}
    above = 0
    for value, n in sorted(groups, reverse=True):
        tier = next((t for t, cut in cuts.items() if above < cut), None)
        if tier is None:
            break
        floors[tier] = value
        above += n
    return floors


_A = Advocate.__table__
_S = CustomerSignal.__table__
_READ = (select(_A.c.id, *((_A if s.table == ADVOCATE else _S).c[s.attr] for s in SIGNALS),
                _A.c.readiness_score, _A.c.eligible)
         .select_from(_A.outerjoin(_S, _S.c.advocate_id == _A.c.id)))
_WRITE = (sa.update(_A).where(_A.c.id == bindparam("b_id"))
          .values(readiness_score=bindparam("b_score"), eligible=bindparam("b_eligible")))


def score_customers(session: Session, *, now: datetime, batch: int = BATCH,
                    commit: Callable[[], None] | None = None) -> int:
    """Recompute every record's score, eligibility and tier; returns how many records changed.

    Scores are written a batch of ids at a time (only rows whose score or flag changed; `commit`,
    if given, runs after each batch), then the tiers with one UPDATE per tier."""
    rules = Rules.from_settings(settings_service.load(session).values)
    today = now.date()
    changed, last = 0, 0
    while rows := session.execute(_READ.where(_A.c.id > last).order_by(_A.c.id).limit(batch)).all():
        last = rows[-1].id
        writes = []
        for row in rows:
            new = rate(row._mapping, rules, today)
            if new != (row.readiness_score, row.eligible):
                writes.append({"b_id": row.id, "b_score": new[0], "b_eligible": new[1]})
        if writes:
            session.execute(_WRITE, writes)
            changed += len(writes)
        if commit:
            commit()
    return changed + assign_tiers(session)


@dataclass(frozen=True)
class Record:
    """One customer record as the scoring reads it, with what is stored on it now."""
    signals: Signals
    has_signal_row: bool
    score: int | None
    eligible: bool
    tier: int | None


@dataclass(frozen=True)
class Rescored:
    before: Record
    after: Record
    tiers_changed: int  # records whose tier changed (this one included) when the tiers were re-derived


def read_record(session: Session, *, advocate_id: int) -> Record:
    """The record's signals (as score_customers reads them) and stored score; NotFound if no such record."""
    row = session.execute(_READ.add_columns(_A.c.readiness_tier, _S.c.advocate_id.label("signal_row"))
                          .where(_A.c.id == advocate_id)).one_or_none()
    if row is None:
        raise NotFound("No such advocate.")
    return Record(signals_of(row._mapping), row.signal_row is not None, row.readiness_score,
                  bool(row.eligible), row.readiness_tier)


def rescore_advocate(session: Session, *, advocate_id: int, actor: str, now: datetime) -> Rescored:
    """Score one record now with the same rules as score_customers, then re-derive every tier.

    Tiers are percentiles of the eligible, so one changed score can move others' tiers; that is the
    job's own set-based UPDATE. The rescore is recorded as a run named RECORD_RUN.format(id) by
    `actor`, so the record's page can say when it was last scored. Raises NotFound for an unknown
    record."""
    started = time.monotonic()
    before = read_record(session, advocate_id=advocate_id)
    run = joblocks.start_run(session, name=RECORD_RUN.format(advocate_id), holder=actor, now=now)
    rules = Rules.from_settings(settings_service.load(session).values)
    today = now.date()
    new = (score(before.signals, rules, today), is_eligible(before.signals, rules, today))
    changed = new != (before.score, before.eligible)
    if changed:
        session.execute(_WRITE, [{"b_id": advocate_id, "b_score": new[0], "b_eligible": new[1]}])
    tiers_changed = assign_tiers(session)
    for loaded in session.identity_map.values():
        if isinstance(loaded, Advocate):
            session.expire(loaded, ["readiness_score", "eligible", "readiness_tier"])
    after = read_record(session, advocate_id=advocate_id)
    joblocks.finish_run(session, run_id=run.id, now=now, items=int(changed) + tiers_changed,
                        duration_ms=int((time.monotonic() - started) * 1000))
    return Rescored(before, after, tiers_changed)


def assign_tiers(session: Session) -> int:
    """Give every record the tier its score earns among the eligible (set-based); how many changed."""
    groups = session.execute(select(_A.c.readiness_score, func.count()).where(_A.c.eligible.is_(True))
                             .group_by(_A.c.readiness_score)).all()
    floors = tier_floors([(value, n) for value, n in groups])
    whens = [(sa.and_(_A.c.eligible.is_(True), _A.c.readiness_score >= floor), tier)
             for tier, floor in sorted(floors.items())]
    tier = sa.case(*whens, else_=sa.null()) if whens else sa.null()
    result = session.execute(sa.update(_A).where(_A.c.readiness_tier.is_distinct_from(tier))
                             .values(readiness_tier=tier))
    return result.rowcount
