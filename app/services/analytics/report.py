"""The monthly report (issue 16, point 4) as one plain data structure: the month's KPIs against the
previous month's, the month's top advocates, new content, the references fulfilled and the trend charts.

`build(session, month=..., now=...)` returns a `MonthlyReport`; report_output.py renders it as HTML
(the email and the figures page's download) and as CSV from the same values, so both agree.
The KPIs are read from kpis.program_figures and references.figures generically (`kpi_rows`): every
number of those structures that is a figure of the period becomes a row, so figures added to them
later (ratings, attribution) appear in the report with no change here. Snapshot figures (advocates by
state, coverage, open requests, availability) are left out: they are "now", not the month's.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import ContentItem, ReferenceAsk, ReferenceAskState, ReferenceRequest
from app.services import references
from app.services.analytics import charts, kpis, trends
from app.services.errors import ValidationFailed
from app.services.periods import add_months, to_local
from app.services.points import leaderboards
from app.services.program import settings as settings_service

TOP = 10
TREND_MONTHS = 6  # the charts show the report month and the five before it
# The headline figures first, in reading order: (key, label). Others found in the structures follow.
HEADLINE = (
    ("actions", "Approved actions"), ("reviews", "Reviews approved"),
    ("activated", "Eligible customers activated"),
    ("activation_rate", "Activation rate"), ("funnel.clicks", "Referral link clicks"),
    ("funnel.submissions", "Referrals submitted"), ("funnel.qualified", "Referrals qualified"),
    ("funnel.converted", "Referrals converted"), ("funnel.conversion_rate", "Referral conversion"),
    ("sourced_revenue_cents", "Sourced revenue"), ("program_cost_cents", "Program cost"),
    ("rewards.fulfilled", "Rewards sent"), ("roi", "ROI"), ("half_life.median_days", "Half-life (median)"),
    ("references.filed", "Reference requests filed"), ("references.fulfilled", "Of them fulfilled"),
    ("references.fulfilment_rate", "Reference fulfilment rate"),
    ("references.days_to_fulfil", "Days to fulfil a reference"),
    # Known names of other figures (shown when present; any other number gets a label from its name).
    ("converted_referrals", "Referral deals closed"), ("funnel.lost", "Referrals lost"),
    ("funnel.rejected", "Referrals rejected (fraud rules)"),
    ("rewards.without_cost", "Rewards sent without a cost"),
    ("average_rating", "Average review rating"), ("rated_reviews", "Reviews with a rating"),
    ("attribution.won", "Won opportunities"), ("attribution.won_cents", "Won revenue"),
    ("attribution.influenced", "Influenced opportunities"),
    ("attribution.influenced_cents", "Influenced revenue"),
    ("attribution.lift_cents", "Influenced lift counted in ROI"),
)
# Not figures of the month: snapshots "now", settings, duplicates of a headline and per-state splits.
SKIP = {"eligible", "active", "eligible_advocates", "coverage", "references.open_requests",
        "references.available", "references.availability", "references.target", "rewards.cost_cents",
        "funnel.revenue", "funnel.still_submitted", "funnel.still_qualified", "half_life.advocates",
        "half_life.single_action", "attribution.lift_percent", "attribution.sourced_cents",
        "attribution.converted_referrals"}


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str  # "count", "money" (cents), "rate" (a fraction), "ratio", "days" or "number"
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 4)


@dataclass(frozen=True)
class TopAdvocate:
    rank: int
    name: str
    company: str
    points: int


@dataclass(frozen=True)
class ContentRow:
    kind: str
    title: str
    author: str
    state: str
    created_on: date


@dataclass(frozen=True)
class FulfilledReference:
    company: str
    industry: str
    advocate: str
    fulfilled_on: date
    days: float


@dataclass(frozen=True)
class MonthlyReport:
    month: date  # its first day
    program_name: str
    currency: str
    period: kpis.Period
    kpis: list[Kpi]
    top_advocates: list[TopAdvocate]
    new_content: list[ContentRow]
    references: list[FulfilledReference]
    charts: list[charts.Chart]

    @property
    def title(self) -> str:
        return f"{self.program_name}: the report for {self.month:%B %Y}"

    @property
    def slug(self) -> str:
        return f"{self.month:%Y-%m}"


def parse_month(value: str | None) -> date:
    """A month written YYYY-MM (its first day); ValidationFailed naming "month" otherwise."""
    try:
        month = datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationFailed("Choose a month (YYYY-MM).", field="month") from None
    if not kpis.YEARS[0] <= month.year <= kpis.YEARS[1]:
        raise ValidationFailed(f"Choose a month from {kpis.YEARS[0]} to {kpis.YEARS[1]}.", field="month")
    return month


def last_month(now: datetime, timezone: str) -> date:
    """The first day of the month before `now`'s month (program timezone): the month to report."""
    return add_months(to_local(now, timezone).date().replace(day=1), -1)


def month_period(month: date, timezone: str) -> kpis.Period:
    """The whole calendar month (program timezone) starting on `month`."""
    return kpis.Period(month, add_months(month, 1) - timedelta(days=1), timezone)


def build(session: Session, *, month: date, now: datetime) -> MonthlyReport:
    """The report of `month` (its first day), read at `now`."""
    cfg = settings_service.load(session)
    this, before = month_period(month, cfg.timezone), month_period(add_months(month, -1), cfg.timezone)
    figures = kpis.program_figures(session, period=this, now=now)
    previous = kpis.program_figures(session, period=before, now=now)
    rows = kpi_rows(_values(figures, kpis.reference_figures(session, period=this)),
                    _values(previous, kpis.reference_figures(session, period=before)))
    span = kpis.Period(add_months(month, 1 - TREND_MONTHS), this.last, cfg.timezone)
    drawn = charts.figure_charts(figures, trends.trends(session, period=span, now=now))
    return MonthlyReport(month, cfg.program_name, cfg.currency, this, rows, top_advocates(session, this),
                         new_content(session, this), fulfilled_references(session, this), drawn)


def _values(figures: kpis.Figures, refs: "references.ReferenceFigures") -> dict[str, float | None]:
    found = {"actions": sum(figures.action_totals.values())}
    found.update(_numbers(figures, ""))
    found.update(_numbers(refs, "references."))
    return found


def _is_number(value) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _numbers(obj, prefix: str, depth: int = 0) -> dict[str, float | None]:
    """Every number of a figures dataclass (its fields and properties), nested dataclasses one level
    down as "name.field"; dicts, texts, dates and the period are not figures."""
    found = {}
    names = [f.name for f in dataclasses.fields(obj)]
    names += [name for name, attr in vars(type(obj)).items() if isinstance(attr, property)]
    for name in names:
        value = getattr(obj, name)
        if dataclasses.is_dataclass(value) and not isinstance(value, kpis.Period) and depth == 0:
            found.update(_numbers(value, f"{prefix}{name}.", depth + 1))
        elif _is_number(value):
            found[f"{prefix}{name}"] = value
    return found


def unit_of(key: str) -> str:
    name = key.rpartition(".")[2]
    if name.endswith("_cents"):
        return "money"
    if name.endswith("rate"):
        return "rate"
    if name == "roi":
        return "ratio"
    if "days" in name:
        return "days"
    return "number" if "rating" in name else "count"


def _label(key: str) -> str:
    words = key.replace(".", " ").replace("_cents", "").replace("_", " ")
    return words[:1].upper() + words[1:]


def kpi_rows(this: dict, previous: dict) -> list[Kpi]:
    """A row for each figure of the month: the headline ones first, then every other one found."""
    labels = dict(HEADLINE)
    keys = [key for key, _ in HEADLINE if key in this]
    keys += [key for key in this if key not in labels and key not in SKIP]
    return [Kpi(key, labels.get(key) or _label(key), unit_of(key), this[key], previous.get(key))
            for key in keys]


def top_advocates(session: Session, period: kpis.Period) -> list[TopAdvocate]:
    """The month's leaderboard top TOP, as everyone sees it (opted out → "Anonymous advocate")."""
    board = leaderboards.board(session, period="month", now=period.starts_at, limit=TOP)
    return [TopAdvocate(row.rank, row.name, row.company, row.points) for row in board.rows]


def new_content(session: Session, period: kpis.Period) -> list[ContentRow]:
    """Content items added to the library in the month, oldest first."""
    found = session.scalars(select(ContentItem).where(ContentItem.created_at >= period.starts_at,
                                                      ContentItem.created_at < period.ends_at)
                            .order_by(ContentItem.created_at, ContentItem.id))
    return [ContentRow(_text(row.kind), row.title or "", row.author_name or "", _text(row.state),
                       to_local(row.created_at, period.timezone).date()) for row in found]


def _text(value) -> str:
    return str(getattr(value, "value", value)).replace("_", " ").capitalize()


def fulfilled_references(session: Session, period: kpis.Period) -> list[FulfilledReference]:
    """Reference requests fulfilled in the month (whenever filed), oldest first, with who took the call."""
    found = session.scalars(
        select(ReferenceRequest).where(ReferenceRequest.fulfilled_at >= period.starts_at,
                                       ReferenceRequest.fulfilled_at < period.ends_at)
        .options(selectinload(ReferenceRequest.asks).selectinload(ReferenceAsk.advocate))
        .order_by(ReferenceRequest.fulfilled_at, ReferenceRequest.id))
    rows = []
    for request in found:
        done = [ask for ask in request.asks if ask.state == ReferenceAskState.COMPLETED]
        rows.append(FulfilledReference(
            request.prospect_company, request.industry, done[-1].advocate.name if done else "",
            to_local(request.fulfilled_at, period.timezone).date(),
            round((request.fulfilled_at - request.created_at).total_seconds() / 86400, 1)))
    return rows
