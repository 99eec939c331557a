"""Program figures (SPEC §14) for a period: GET /kpis?from=YYYY-MM-DD&to=YYYY-MM-DD (a read key is enough).

The response is checked and sent through its model (Figures, the document's Kpis);
tests/api/test_kpis.py proves every field of a response is in the schema and described.
"""

import itertools
from keyword import iskeyword
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, create_model

from app.api.inputs import Query
from app.api.operations import Read, route
from app.api.representations import when
from app.api.shapes import Representation
from app.extensions import db
from app.models import ActivityKind, AdvocateState, ReferralState, Status
from app.services import clock
from app.services.analytics import kpis
from app.services.program import settings as settings_service


def _counts(mapping: dict) -> dict:
    return {key.value: n for key, n in mapping.items()}


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def figures(f: kpis.Figures) -> dict:
    """The figures as the response's fields (checked by the Kpis model on the way out)."""
    p = f.period
    return {
        "period": {"from": p.first.isoformat(), "to": p.last.isoformat(), "days": p.days,
                   "timezone": p.timezone, "starts_at": when(p.starts_at), "ends_at": when(p.ends_at)},
        "as_of": when(f.as_of),
        "advocates": _advocates(f),
        "coverage": _coverage(f),
        "activation": {"eligible_customers": f.eligible, "activated": f.activated, "rate": f.activation_rate},
        "actions_by_month": [{"month": month.strftime("%Y-%m"), "total": f.action_totals[month],
                              "by_kind": _counts(kinds)} for month, kinds in f.actions.items()],
        "reviews": {"count": f.reviews, "average_rating": f.average_rating, "rated": f.rated_reviews},
        "referrals": _referrals(f.funnel),
        "asks_per_advocate_year": _asks(f),
        "half_life": {"median_days": f.half_life.median_days, "advocates": f.half_life.advocates,
                      "single_action": f.half_life.single_action},
        "currency": f.attribution.currency,
        "revenue": _revenue(f.attribution),
        "cost": {"rewards_cents": f.rewards.cost_cents, "redemptions_fulfilled": f.rewards.fulfilled,
                 "redemptions_without_cost": f.rewards.without_cost, "incentives_cents": None,
                 "total_cents": f.program_cost_cents},
        "roi": f.roi,
        "notes": [{"figure": name, "text": text} for name, text in f.notes.items()],
    }


def _revenue(a) -> dict:
    return {"sourced_cents": a.sourced_cents, "converted_referrals": a.converted_referrals,
            "sourced_opportunities": a.sourced_deals, "sourced_opportunities_cents": a.sourced_deals_cents,
            "unreported_referrals": a.unreported_referrals,
            "unreported_referrals_cents": a.unreported_referrals_cents,
            "won_opportunities": a.won, "won_cents": a.won_cents,
            "influenced_opportunities": a.influenced, "influenced_cents": a.influenced_cents,
            "influenced_lift_percent": a.lift_percent, "influenced_lift_cents": a.lift_cents}


def _advocates(f: kpis.Figures) -> dict:
    tiers = [{"tier": tier, "eligible_records": records, "active_advocates": active}
             for tier, (records, active) in f.by_tier.items()]
    return {"as_of": when(f.as_of), "by_state": _counts(f.by_state), "by_status": _counts(f.by_status),
            "by_readiness_tier": tiers}


def _coverage(f: kpis.Figures) -> dict:
    low, high = kpis.COVERAGE_TARGET
    return {"eligible_advocates": f.eligible_advocates, "eligible_customers": f.eligible, "rate": f.coverage,
            "target": {"min": low, "max": high},
            "within_target": None if f.coverage is None else low <= f.coverage <= high}


def _referrals(funnel) -> dict:
    return {"clicks": funnel.clicks, "submissions": funnel.submissions, "qualified": funnel.qualified,
            "converted": funnel.converted, "lost": funnel.lost, "rejected": funnel.rejected,
            "by_state": _counts(funnel.by_state), "conversion_rate": _rounded(funnel.conversion_rate),
            "deal_amount_cents": funnel.revenue * 100}


def _asks(f: kpis.Figures) -> dict:
    first, last = kpis.ask_window(f.period)
    return {"window": {"from": first.isoformat(), "to": last.isoformat()}, "bands": f.ask_bands,
            "advocates": sum(f.ask_bands.values()),
            "band_limits": {name: {"min": low, "max": high} for name, low, high in kpis.ASK_BANDS}}


# --- The response model (its schema is the document's Kpis, inlined) -----------------------------

_NUMBERS = itertools.count(1)


class Figure(Representation):
    """An object of the figures: every field present and described, no other."""

    model_config = ConfigDict(extra="forbid")


def _int(description: str) -> Any:
    return Annotated[int, Field(ge=0, description=description)]


def _rate(description: str) -> Any:
    return Annotated[float | None, Field(description=description + "; null when the denominator is 0")]


def _of(value_type, description: str, **extra) -> Any:
    return Annotated[value_type, Field(description=description, **extra)]


def _model(name: str, description: str, **fields) -> type[Figure]:
    """A model of these fields, all required (a keyword such as `from` is its field's alias)."""
    named = {(key if not iskeyword(key) else f"{key}_"): (Annotated[value, Field(alias=key)], ...)
             for key, value in fields.items()}
    return create_model(name, __base__=Figure, __doc__=description, **named)


def _obj(description: str, **fields) -> type[Figure]:
    return _model(f"Figures{next(_NUMBERS)}", description, **fields)


def _per(enum_cls, description: str) -> Any:
    return _obj(description, **{m.value: _int(f"{description}: {m.value}") for m in enum_cls})


def _day(description: str) -> Any:
    return _of(str, description, json_schema_extra={"format": "date"})


def _moment(description: str) -> Any:
    return _of(str, description + ", UTC", json_schema_extra={"format": "date-time"})


def _upto(high: int | None) -> str:
    return str(high) if high is not None else "more"


UNTRACKED = "always null: "
BANDS = ", ".join(f"{name} {low}-{_upto(high)}" for name, low, high in kpis.ASK_BANDS)

Kpis = _model(
    "Kpis",
    "The program figures of SPEC §14 for the period. Money is in cents of the program's currency (deal "
    "amounts are entered in whole units, unit costs in cents). Rates are fractions (0.25 = 25 %).",
    period=_obj("The period reported: whole days in the program timezone, `to` inclusive",
                **{"from": _day("first day"), "to": _day("last day"), "days": _int("days in the period"),
                   "timezone": _of(str, "the program timezone (IANA name)"),
                   "starts_at": _moment("the period's first moment"),
                   "ends_at": _moment("the first moment after the period (exclusive)")}),
    as_of=_moment("when the figures were read"),
    advocates=_obj(
        "A snapshot now, whatever the period", as_of=_moment("the moment of the snapshot"),
        by_state=_per(AdvocateState, "customer records in each state"),
        by_status=_per(Status, "active advocates at each status"),
        by_readiness_tier=_of(list[_obj("one tier", tier=_of(Literal[1, 2, 3] | None, "1, 2, 3 or null"),
                                        eligible_records=_int("eligible records in this tier"),
                                        active_advocates=_int("of them, active advocates"))],
                              "eligible customer records by readiness tier (null: below tier 3)")),
    coverage=_obj("Advocate coverage, a snapshot now",
                  eligible_advocates=_int("eligible customer records that are active advocates"),
                  eligible_customers=_int("customer records flagged eligible (any state)"),
                  rate=_rate("eligible_advocates ÷ eligible_customers"),
                  target=_obj("the target band (SPEC §14)", min=_of(float, "lower bound"),
                              max=_of(float, "upper bound")),
                  within_target=_of(bool | None, "whether the rate is within the target band")),
    activation=_obj("Activation in the period",
                    eligible_customers=_int("customer records flagged eligible now"),
                    activated=_int("of them, with at least one approved attempt decided in the period"),
                    rate=_rate("activated ÷ eligible_customers")),
    actions_by_month=_of(list[_obj("one month", month=_of(str, "YYYY-MM", pattern="^[0-9]{4}-[0-9]{2}$"),
                                   total=_int("approved attempts in the month"),
                                   by_kind=_per(ActivityKind, "approved attempts by activity kind"))],
                         "approved attempts by the calendar month (program timezone) of their approval; the "
                         "first and last months hold only the period's days"),
    reviews=_obj("Reviews in the period", count=_int("approved review attempts decided in the period"),
                 average_rating=_of(float | None, "mean stars (1-5) of those reviews that carry a rating, "
                                    "given by the advocate with the evidence; null when none does"),
                 rated=_int("of them, with a rating")),
    referrals=_obj(
        "The referral funnel of the clicks and referrals made in the period (later moves count)",
        clicks=_int("referral link visits"), submissions=_int("accepted sign-ups (rejected ones apart)"),
        qualified=_int("ever qualified, including converted or lost since"), converted=_int("converted"),
        lost=_int("lost"), rejected=_int("rejected by the fraud rules"),
        by_state=_per(ReferralState, "referrals in each state now"),
        conversion_rate=_rate("converted ÷ submissions"),
        deal_amount_cents=_int("the deal amounts of these referrals (whenever converted)")),
    asks_per_advocate_year=_obj(
        "Sent asks that count as an ask per advocate over the 365 days ending `to`, in SPEC §6's bands; "
        "counted: every advocate active now (with 0 or 1 asks: bands none and one) and anyone asked then",
        window=_obj("the 365 days counted, program timezone", **{"from": _day("first day"),
                                                                 "to": _day("last day")}),
        bands=_obj(f"advocates in each band ({BANDS} asks)",
                   **{name: _int(f"advocates with {low}-{_upto(high)} asks")
                      for name, low, high in kpis.ASK_BANDS}),
        advocates=_int("advocates counted"),
        band_limits=_obj("the asks each band holds", **{
            name: _obj(name, min=_int("fewest asks"),
                       max=_of(int | None, "most asks; null: no limit"))
            for name, _, _ in kpis.ASK_BANDS})),
    half_life=_obj("Advocate half-life, over all history up to the period's end",
                   median_days=_of(float | None, "median days between an advocate's first and last "
                                   "approved attempt (one decimal); null when nobody has one"),
                   advocates=_int("advocates with at least one approved attempt (one alone counts 0 days)"),
                   single_action=_int("of them, with exactly one")),
    currency=_of(str, "the program's currency (ISO 4217): every amount is in it", pattern="^[A-Z]{3}$"),
    revenue=_obj(
        "Advocacy revenue in the period: won opportunities (POST /opportunities) by close date, each deal "
        "once however many references, content items or referrals touched it",
        sourced_cents=_int("sourced_opportunities_cents + unreported_referrals_cents"),
        converted_referrals=_int("referrals converted in the period"),
        sourced_opportunities=_int("won opportunities linked to a referral"),
        sourced_opportunities_cents=_int("their amounts"),
        unreported_referrals=_int("referrals converted in the period that no won opportunity names"),
        unreported_referrals_cents=_int("their deal amounts (counted as sourced)"),
        won_opportunities=_int("won opportunities closing in the period"),
        won_cents=_int("their amounts"),
        influenced_opportunities=_int("won opportunities linked to a reference, content item or referral"),
        influenced_cents=_int("their amounts, each deal once (sourced ones included)"),
        influenced_lift_percent=_of(int, "the share of influenced, not sourced revenue ROI counts (setting)",
                                    ge=0, le=100),
        influenced_lift_cents=_int("(influenced_cents − sourced_opportunities_cents) × the share")),
    cost=_obj("Program cost in the period",
              rewards_cents=_int("the cost kept on every redemption fulfilled in the period (its reward's "
                                 "unit cost when redeemed)"),
              redemptions_fulfilled=_int("redemptions fulfilled in the period"),
              redemptions_without_cost=_int("of them, of rewards with no unit cost (counted 0)"),
              incentives_cents=_of(None, UNTRACKED + "no incentive spend is recorded (see notes)"),
              total_cents=_int("rewards_cents (the only cost recorded)")),
    roi=_of(float | None,
            "(revenue.sourced_cents + revenue.influenced_lift_cents − cost.total_cents) ÷ cost.total_cents; "
            "null when the cost is 0"),
    notes=_of(list[_obj("one note", figure=_of(str, "the field, e.g. revenue.influenced_cents"),
                              text=_of(str, "the explanation"))], "what a figure cannot show and why"),
)


FIRST = Query.day("from", "first day, YYYY-MM-DD (program timezone); default "
                          f"{kpis.DEFAULT_DAYS - 1} days before `to`")
LAST = Query.day("to", "last day, inclusive; default today")


@route("/kpis", get=Read("The program figures (SPEC §14) for a period", Kpis, (FIRST, LAST),
                         codes=("401", "422", "429")))
def kpis_report():
    now = clock.utcnow()
    timezone = settings_service.load(db.session).timezone
    period = kpis.period(first=FIRST.value(), last=LAST.value(), now=now, timezone=timezone)
    return Kpis.model_validate(figures(kpis.program_figures(db.session, period=period, now=now)))
