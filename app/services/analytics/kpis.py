"""Program analytics (SPEC §14): every figure for a period, computed in one place.

`program_figures(session, period=..., now=...)` returns a `Figures`; the JSON API (`GET /api/v1/kpis`)
serves it, and a dashboard or the monthly report should call the same function. Each figure is one
aggregate query (GROUP BY in the database, no loop over advocates in Python), the same on SQLite and
PostgreSQL. A period is whole days in the program timezone, `last` inclusive, so [starts_at, ends_at) in
naive UTC; months are bucketed by their UTC boundaries, one index range count each (right across DST on
both engines).
Definitions are in docs/api.md (*Program figures*): advocates by state, status and tier are a snapshot
now; asks count over the 365 days ending `last`; half-life spans all history up to the period's end.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from app.db.dialect import days_between
from app.models import (
    ActivityKind,
    ActivityType,
    Advocate,
    AdvocateState,
    Ask,
    AskState,
    Attempt,
    AttemptState,
    Redemption,
    RedemptionState,
    Status,
)
from app.services import references
from app.services.analytics import attribution as attributed
from app.services.errors import ValidationFailed
from app.services.periods import add_months, to_local, to_utc
from app.services.program import settings as settings_service
from app.services.referrals import reports as referral_reports

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366  # about three years: 37 month buckets at most
YEARS = (1970, 9998)  # room for the ask window's year before and the day after, in any timezone
COVERAGE_TARGET = (0.20, 0.30)
ASK_WINDOW_DAYS = 365
# (band, fewest, most asks in the window); "none" and "one" sit below SPEC §6's healthy band.
ASK_BANDS = (("none", 0, 0), ("one", 1, 1), ("healthy", 2, 4), ("acceptable", 5, 6),
             ("burnout_risk", 7, 10), ("burning", 11, None))

NOTES = {
    "revenue.influenced_cents": "Influenced revenue is the won opportunities the CRM reports (POST "
                                "/api/v1/opportunities) touched by a reference, content item or referral, "
                                "each deal once; ROI counts only the lift share of what referrals did not "
                                "source (the influenced_lift_percent setting).",
    "cost.rewards_cents": "Each fulfilled redemption is costed at its reward's unit cost when it was "
                          "redeemed (kept on the redemption; those made before costs were kept were "
                          "backfilled from the catalog at upgrade); a reward without one counts 0.",
    "currency": "Every amount is in the program's currency (the currency setting): the API refuses "
                "opportunities in another, and referral deal amounts are taken as in it.",
    "cost.incentives_cents": "Rallypoint records no incentive spend (points have no cash value and the "
                             "friend's referral offer is text), so program cost is rewards at cost only.",
}


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    timezone: str

    @property
    def starts_at(self) -> datetime:
        return _midnight(self.first, self.timezone)

    @property
    def ends_at(self) -> datetime:
        return _midnight(self.last + timedelta(days=1), self.timezone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _midnight(day: date, timezone: str) -> datetime:
    return to_utc(datetime(day.year, day.month, day.day), timezone)


def period(*, first: date | None, last: date | None, now: datetime, timezone: str) -> Period:
    """The period to report: `last` defaults to today (program timezone), `first` to DEFAULT_DAYS days
    ending `last`. Raises ValidationFailed naming "from" or "to": a year outside YEARS, first > last, or
    more than MAX_DAYS days."""
    for name, day in (("from", first), ("to", last)):
        if day is not None and not YEARS[0] <= day.year <= YEARS[1]:
            raise ValidationFailed(f"{name} must be a date from {YEARS[0]} to {YEARS[1]}.", field=name)
    last = last or to_local(now, timezone).date()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValidationFailed("from must be on or before to.", field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationFailed(f"A period may span at most {MAX_DAYS:,} days (about three years).",
                               field="from")
    return Period(first, last, timezone)


@dataclass
class Figures:
    period: Period
    as_of: datetime  # when the snapshot figures were read
    by_state: dict[AdvocateState, int]
    by_status: dict[Status, int]  # active advocates
    by_tier: dict[int | None, tuple[int, int]]  # eligible records: tier -> (records, active advocates)
    activated: int
    actions: dict[date, dict[ActivityKind, int]]  # first day of each month -> approved attempts by kind
    funnel: referral_reports.Funnel
    ask_bands: dict[str, int]
    half_life: "HalfLife"
    attribution: attributed.Attribution
    rewards: "RewardsCost"
    # The mean stars of the period's approved reviews that carry a rating (given with the evidence), and
    # how many did; None when none did.
    average_rating: float | None = None
    rated_reviews: int = 0
    notes: dict[str, str] = field(default_factory=lambda: dict(NOTES))

    @property
    def eligible(self) -> int:
        return sum(records for records, _ in self.by_tier.values())

    @property
    def active(self) -> int:
        return self.by_state.get(AdvocateState.ACTIVE, 0)

    @property
    def eligible_advocates(self) -> int:
        """Eligible customers who are active advocates: coverage's numerator (never above eligible)."""
        return sum(active for _, active in self.by_tier.values())

    @property
    def coverage(self) -> float | None:
        return _ratio(self.eligible_advocates, self.eligible)

    @property
    def activation_rate(self) -> float | None:
        return _ratio(self.activated, self.eligible)

    @property
    def action_totals(self) -> dict[date, int]:
        return {month: sum(kinds.values()) for month, kinds in self.actions.items()}

    @property
    def reviews(self) -> int:
        return sum(kinds[ActivityKind.REVIEW] for kinds in self.actions.values())

    @property
    def program_cost_cents(self) -> int:
        return self.rewards.cost_cents

    @property
    def sourced_revenue_cents(self) -> int:
        return self.attribution.sourced_cents

    @property
    def converted_referrals(self) -> int:
        return self.attribution.converted_referrals

    @property
    def roi(self) -> float | None:
        """(sourced + influenced lift - cost) / cost (services/analytics/attribution.py); None when
        nothing cost anything."""
        return attributed.roi(self.attribution, self.program_cost_cents)


@dataclass(frozen=True)
class HalfLife:
    median_days: float | None
    advocates: int  # with at least one approved attempt by the end of the period
    single_action: int  # of them, with exactly one


@dataclass(frozen=True)
class RewardsCost:
    cost_cents: int
    fulfilled: int  # redemptions fulfilled in the period
    without_cost: int  # of them, of a reward with no unit cost recorded (counted as 0)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def program_figures(session: Session, *, period: Period, now: datetime) -> Figures:
    """Every §14 figure for the period; the definitions are in docs/api.md."""
    window = (period.starts_at, period.ends_at)
    average_rating, rated = _review_rating(session, window)
    cfg = settings_service.load(session)
    return Figures(
        period=period, as_of=now, by_state=_by_state(session), by_status=_by_status(session),
        by_tier=_by_tier(session), activated=_activated(session, window), actions=_actions(session, period),
        funnel=referral_reports.funnel(session, created=window), ask_bands=_ask_bands(session, period),
        half_life=_half_life(session, period.ends_at), rewards=_rewards_cost(session, window),
        attribution=attributed.attribution(session, period=period, window=window, currency=cfg.currency,
                                           lift_percent=cfg.influenced_lift_percent),
        average_rating=average_rating, rated_reviews=rated,
    )


def _by_state(session: Session) -> dict[AdvocateState, int]:
    counts = dict(session.execute(select(Advocate.state, func.count()).group_by(Advocate.state)).all())
    return {state: counts.get(state, 0) for state in AdvocateState}


def _by_status(session: Session) -> dict[Status, int]:
    active = Advocate.state == AdvocateState.ACTIVE
    counts = dict(session.execute(select(Advocate.status, func.count()).where(active)
                                  .group_by(Advocate.status)).all())
    return {status: counts.get(status, 0) for status in Status}


def _by_tier(session: Session) -> dict[int | None, tuple[int, int]]:
    active = func.coalesce(func.sum(case((Advocate.state == AdvocateState.ACTIVE, 1), else_=0)), 0)
    rows = session.execute(select(Advocate.readiness_tier, func.count(), active)
                           .where(Advocate.eligible.is_(True)).group_by(Advocate.readiness_tier)).all()
    counts = {tier: (records, int(members)) for tier, records, members in rows}
    return {tier: counts.get(tier, (0, 0)) for tier in (1, 2, 3, None)}


def _approved_in(window: tuple[datetime, datetime]):
    return (Attempt.state == AttemptState.APPROVED, Attempt.decided_at >= window[0],
            Attempt.decided_at < window[1])


def _review_rating(session: Session, window: tuple[datetime, datetime]) -> tuple[float | None, int]:
    """The average stars of approved review attempts decided in the window that carry a rating."""
    mean, rated = session.execute(
        select(func.avg(Attempt.review_rating), func.count(Attempt.review_rating))
        .join(ActivityType, ActivityType.id == Attempt.activity_id)
        .where(ActivityType.kind == ActivityKind.REVIEW, Attempt.review_rating.is_not(None),
               *_approved_in(window))).one()
    return (round(float(mean), 2) if rated else None), int(rated)


def _activated(session: Session, window: tuple[datetime, datetime]) -> int:
    acted = exists().where(Attempt.advocate_id == Advocate.id, *_approved_in(window))
    return session.scalar(select(func.count()).select_from(Advocate)
                          .where(Advocate.eligible.is_(True), acted))


def month_starts(period: Period) -> list[date]:
    """The first day of every calendar month the period touches."""
    months, month = [], period.first.replace(day=1)
    while month <= period.last:
        months.append(month)
        month = add_months(month, 1)
    return months


def bucket_ranges(period: Period, starts: list[date], step) -> list[tuple[date, datetime, datetime]]:
    """(first day, from, until) in naive UTC for each bucket starting on `starts`, clipped to the period;
    `step(start)` is the first day of the next bucket."""
    return [(start, max(_midnight(start, period.timezone), period.starts_at),
             min(_midnight(step(start), period.timezone), period.ends_at)) for start in starts]


def approved_by_kind(session: Session, ranges: list[tuple[date, datetime, datetime]]
                     ) -> dict[date, dict[ActivityKind, int]]:
    """Attempts approved in each range, by activity kind. One index range count per bucket (UNION ALL):
    a CASE over the buckets would be evaluated for every approved attempt of the period."""
    found = {start: dict.fromkeys(ActivityKind, 0) for start, _, _ in ranges}
    kinds = dict(session.execute(select(ActivityType.id, ActivityType.kind)).all())
    parts = [select(literal(start.isoformat()).label("bucket"), Attempt.activity_id, func.count())
             .where(*_approved_in((since, until))).group_by(Attempt.activity_id)
             for start, since, until in ranges]
    for bucket, activity_id, n in session.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
        found[date.fromisoformat(bucket)][kinds[activity_id]] += n
    return found


def _actions(session: Session, period: Period) -> dict[date, dict[ActivityKind, int]]:
    return approved_by_kind(session, bucket_ranges(period, month_starts(period), lambda m: add_months(m, 1)))


def ask_window(period: Period) -> tuple[date, date]:
    """The ASK_WINDOW_DAYS days (program timezone) ending on the period's last day."""
    return period.last - timedelta(days=ASK_WINDOW_DAYS - 1), period.last


def _ask_bands(session: Session, period: Period) -> dict[str, int]:
    first, _ = ask_window(period)
    counted = and_(Ask.advocate_id == Advocate.id, Ask.state == AskState.SENT, Ask.counts_as_ask.is_(True),
                   Ask.sent_at >= _midnight(first, period.timezone), Ask.sent_at < period.ends_at)
    per_advocate = (select(func.count(Ask.id).label("asks")).select_from(Advocate).outerjoin(Ask, counted)
                    .where(or_(Advocate.state == AdvocateState.ACTIVE, Ask.id.is_not(None)))
                    .group_by(Advocate.id).subquery())
    band = case(*[(per_advocate.c.asks <= most, name) for name, _, most in ASK_BANDS if most is not None],
                else_=ASK_BANDS[-1][0])
    banded = select(band.label("band")).subquery()
    counts = dict(session.execute(select(banded.c.band, func.count()).group_by(banded.c.band)).all())
    return {name: counts.get(name, 0) for name, _, _ in ASK_BANDS}


def _half_life(session: Session, until: datetime) -> HalfLife:
    # The spans are made once (MATERIALIZED); the median reads the middle one or two of them in order.
    spans = (select(days_between(func.max(Attempt.decided_at), func.min(Attempt.decided_at)).label("days"),
                    func.count().label("actions"))
             .where(Attempt.state == AttemptState.APPROVED, Attempt.decided_at < until)
             .group_by(Attempt.advocate_id).cte("spans").prefix_with("MATERIALIZED"))
    total = select(func.count()).select_from(spans).scalar_subquery()
    middle = (select(spans.c.days).order_by(spans.c.days)
              .limit(2 - total % 2).offset((total - 1) // 2).subquery())
    median, advocates, single = session.execute(select(
        select(func.avg(middle.c.days)).scalar_subquery(), func.count(),
        func.coalesce(func.sum(case((spans.c.actions == 1, 1), else_=0)), 0)).select_from(spans)).one()
    return HalfLife(round(float(median), 1) if median is not None else None, advocates, int(single))


def _rewards_cost(session: Session, window: tuple[datetime, datetime]) -> RewardsCost:
    cost, fulfilled, priced = session.execute(
        select(func.coalesce(func.sum(Redemption.cost_cents), 0), func.count(),
               func.count(Redemption.cost_cents))
        .where(Redemption.state == RedemptionState.FULFILLED, Redemption.fulfilled_at >= window[0],
               Redemption.fulfilled_at < window[1])).one()
    return RewardsCost(int(cost), fulfilled, fulfilled - priced)


def reference_figures(session: Session, *, period: Period) -> "references.ReferenceFigures":
    """The reference program's figures (SPEC §10) for the period: open requests and availability now,
    fulfilment rate and days to fulfil of the requests filed in the period (services.references)."""
    return references.figures(session, start=period.starts_at, end=period.ends_at)
