"""Attributed revenue for the program figures (SPEC §14): sourced, influenced and the ROI's lift.

Revenue is the amount of *won* opportunities whose close date falls in the period, each deal once
however many things touched it (an EXISTS per opportunity, never a join over its links):
- sourced: a won opportunity linked to a referral, plus the deal amount of referrals converted in the
  period that no won opportunity names (a CRM that reports no opportunity still has its referral
  counted; one it reports is counted once, by the opportunity);
- influenced: a won opportunity linked to anything (reference request, content item, referral);
- lift: the `influenced_lift_percent` setting's share of the influenced revenue that is not sourced.
ROI = (sourced + lift − cost) ÷ cost. Every amount is in the program's `currency` (the API refuses
another; deals recorded before the setting changed, in the old currency, are left out); referral deal
amounts are taken as in it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, not_, select
from sqlalchemy.orm import Session

from app.models import InfluenceKind, Opportunity, OpportunityLink, OpportunityStage, Referral, ReferralState


@dataclass(frozen=True)
class Attribution:
    currency: str
    lift_percent: int
    won: int  # won opportunities closing in the period
    won_cents: int
    sourced_deals: int  # of them, linked to a referral
    sourced_deals_cents: int
    influenced: int  # of them, linked to anything
    influenced_cents: int
    converted_referrals: int  # referrals converted in the period
    unreported_referrals: int  # of them, named by no won opportunity
    unreported_referrals_cents: int

    @property
    def sourced_cents(self) -> int:
        return self.sourced_deals_cents + self.unreported_referrals_cents

    @property
    def influenced_only_cents(self) -> int:
        """Influenced but not sourced: the revenue the lift share applies to."""
        return self.influenced_cents - self.sourced_deals_cents

    @property
    def lift_cents(self) -> int:
        return self.influenced_only_cents * self.lift_percent // 100


def roi(attribution: Attribution, cost_cents: int) -> float | None:
    """(sourced + lift − cost) ÷ cost, four decimals; None when nothing cost anything."""
    if not cost_cents:
        return None
    return round((attribution.sourced_cents + attribution.lift_cents - cost_cents) / cost_cents, 4)


def _linked(*kinds: InfluenceKind):
    where = [OpportunityLink.opportunity_id == Opportunity.id]
    if kinds:
        where.append(OpportunityLink.kind.in_(kinds))
    return exists().where(*where)


def _sum_if(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def attribution(session: Session, *, period, window: tuple[datetime, datetime], currency: str,
                lift_percent: int) -> Attribution:
    """The attributed revenue of the period: won deals by close date (period.first..last, program
    timezone days) and the referrals converted in `window` (naive UTC [start, end))."""
    won, won_amount, sourced_n, sourced_amount, touched_n, touched_amount = _won_deals(
        session, period, currency)
    converted, unreported_n, unreported_amount = _referrals(session, window)
    return Attribution(
        currency=currency, lift_percent=lift_percent, won=won, won_cents=int(won_amount) * 100,
        sourced_deals=int(sourced_n), sourced_deals_cents=int(sourced_amount) * 100,
        influenced=int(touched_n), influenced_cents=int(touched_amount) * 100,
        converted_referrals=converted, unreported_referrals=int(unreported_n),
        unreported_referrals_cents=int(unreported_amount) * 100)


def _won_deals(session: Session, period, currency: str) -> tuple:
    """Deals recorded in another currency (before the setting changed) are left out, never mixed in."""
    sourced, touched = _linked(InfluenceKind.REFERRAL), _linked()
    amount = Opportunity.amount
    return session.execute(
        select(func.count(), func.coalesce(func.sum(amount), 0), _sum_if(sourced, 1),
               _sum_if(sourced, amount), _sum_if(touched, 1), _sum_if(touched, amount))
        .where(Opportunity.stage == OpportunityStage.WON, Opportunity.currency == currency,
               Opportunity.close_date >= period.first,
               Opportunity.close_date <= period.last)).one()


def _referrals(session: Session, window: tuple[datetime, datetime]) -> tuple:
    reported = (select(OpportunityLink.id)
                .join(Opportunity, Opportunity.id == OpportunityLink.opportunity_id)
                .where(OpportunityLink.kind == InfluenceKind.REFERRAL,
                       OpportunityLink.target_id == Referral.id,
                       Opportunity.stage == OpportunityStage.WON).exists())
    unreported = not_(reported)
    priced = and_(unreported, Referral.deal_amount.is_not(None))
    return session.execute(
        select(func.count(), _sum_if(unreported, 1), _sum_if(priced, Referral.deal_amount))
        .where(Referral.state == ReferralState.CONVERTED, Referral.converted_at >= window[0],
               Referral.converted_at < window[1])).one()
