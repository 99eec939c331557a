"""Trend series of a period (SPEC §14's charts): approved actions per week by kind, the referral funnel
by month, and active advocates by status at each month's end.

`trends(session, period=..., now=...)` returns plain numbers; `charts.py` turns them into chart data
that the figures page and the monthly report draw. Weeks start on Monday and months on the 1st, in the
program timezone; the first and last bucket are clipped to the period, so the weekly actions add up to
the period's approved actions and the monthly funnel adds up to the period's funnel (kpis.py).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import (
    ActivityKind,
    Advocate,
    AdvocateState,
    Referral,
    ReferralClick,
    ReferralState,
    Status,
    StatusChange,
)
from app.services.analytics.kpis import Period, approved_by_kind, bucket_ranges, month_starts
from app.services.periods import add_months, to_utc


@dataclass(frozen=True)
class FunnelStep:
    clicks: int = 0
    submissions: int = 0  # accepted referrals made in the bucket (rejected ones are not counted)
    qualified: int = 0  # of them, ever qualified
    converted: int = 0  # of them, converted by now


@dataclass(frozen=True)
class Trends:
    period: Period
    actions_by_week: dict[date, dict[ActivityKind, int]]  # Monday -> approved attempts by kind
    funnel_by_month: dict[date, FunnelStep]  # first of the month -> the month's referral cohort
    status_by_month: dict[date, dict[Status, int]]  # first of the month -> statuses at its end


def trends(session: Session, *, period: Period, now: datetime) -> Trends:
    """The period's trend series; statuses are walked back from `now` through the status changes."""
    return Trends(period, _actions_by_week(session, period), _funnel_by_month(session, period),
                  _status_by_month(session, period, now))


def week_starts(period: Period) -> list[date]:
    """The Monday of every week the period touches."""
    monday = period.first - timedelta(days=period.first.weekday())
    return [monday + timedelta(weeks=n) for n in range((period.last - monday).days // 7 + 1)]


def _local_midnight(day: date, period: Period) -> datetime:
    return to_utc(datetime(day.year, day.month, day.day), period.timezone)


def _bucket(column, starts: list[date], period: Period, step):
    """A CASE naming the bucket (its first day, ISO text) that holds `column`; rows must be in the period."""
    return case(*[(column < _local_midnight(step(start), period), start.isoformat()) for start in starts])


def _actions_by_week(session: Session, period: Period) -> dict[date, dict[ActivityKind, int]]:
    weeks = bucket_ranges(period, week_starts(period), lambda monday: monday + timedelta(days=7))
    return approved_by_kind(session, weeks)


def _funnel_by_month(session: Session, period: Period) -> dict[date, FunnelStep]:
    months = month_starts(period)
    in_period = (period.starts_at, period.ends_at)
    made = (select(_bucket(Referral.created_at, months, period, lambda d: add_months(d, 1)).label("month"),
                   Referral.qualified_at, Referral.converted_at)
            .where(Referral.state != ReferralState.REJECTED, Referral.created_at >= in_period[0],
                   Referral.created_at < in_period[1]).subquery())
    referrals = {month: (n, qualified, converted) for month, n, qualified, converted in session.execute(
        select(made.c.month, func.count(), func.count(made.c.qualified_at), func.count(made.c.converted_at))
        .group_by(made.c.month))}
    clicked = (select(_bucket(ReferralClick.at, months, period, lambda d: add_months(d, 1)).label("month"))
               .where(ReferralClick.at >= in_period[0], ReferralClick.at < in_period[1]).subquery())
    clicks = dict(session.execute(select(clicked.c.month, func.count()).group_by(clicked.c.month)).all())
    return {month: FunnelStep(clicks.get(month.isoformat(), 0), *referrals.get(month.isoformat(), (0, 0, 0)))
            for month in months}


def _status_by_month(session: Session, period: Period, now: datetime) -> dict[date, dict[Status, int]]:
    """Today's active advocates by the status each held at every month's end (the period's end for the
    last month), counting only those who existed then: today's statuses with later changes undone."""
    months = month_starts(period)
    ends = [min(_local_midnight(add_months(month, 1), period), period.ends_at, now) for month in months]
    active = Advocate.state == AdvocateState.ACTIVE
    joined = select(Advocate.status, Advocate.created_at).where(active).subquery()
    created = case(*[(joined.c.created_at < end, n) for n, end in enumerate(ends)], else_=len(ends))
    counted = select(joined.c.status, created.label("first")).subquery()
    first_counted = session.execute(select(counted.c.status, counted.c.first, func.count())
                                    .group_by(counted.c.status, counted.c.first)).all()
    changes = session.execute(
        select(StatusChange.from_status, StatusChange.to_status, StatusChange.at, Advocate.created_at)
        .join(Advocate, Advocate.id == StatusChange.advocate_id)
        .where(active, StatusChange.at >= ends[0])).all()
    found = {}
    for n, (month, end) in enumerate(zip(months, ends, strict=True)):
        counts = dict.fromkeys(Status, 0)
        for status, first, number in first_counted:
            if first <= n:
                counts[status] += number
        for before, after, at, since in changes:
            if at >= end and since < end:
                counts[after] -= 1
                counts[before] += 1
        found[month] = counts
    return found
