"""What staff and advocates see of referrals: funnels, lists and one referral, each within the
viewer's reach (an advocate their own, a CSM their book's, marketing and admins all)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from app.models import Advocate, Referral, ReferralClick, ReferralCode, ReferralState, StaffRole, StaffUser
from app.services.errors import NotFound

PER_PAGE = 50


@dataclass
class Funnel:
    clicks: int
    submissions: int  # accepted referrals (rejected ones are counted apart)
    qualified: int  # ever qualified, including those converted or lost since
    converted: int
    lost: int
    rejected: int
    revenue: int  # whole currency units
    still_submitted: int = 0  # in state submitted now (neither qualified nor lost yet)
    still_qualified: int = 0  # in state qualified now (neither converted nor lost yet)

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.submissions if self.submissions else None

    @property
    def by_state(self) -> dict[ReferralState, int]:
        """How many of the funnel's referrals are in each state now."""
        return {ReferralState.SUBMITTED: self.still_submitted, ReferralState.QUALIFIED: self.still_qualified,
                ReferralState.CONVERTED: self.converted, ReferralState.LOST: self.lost,
                ReferralState.REJECTED: self.rejected}


@dataclass
class ReferralPage:
    rows: list[Referral]
    page: int
    has_next: bool


def _book(viewer: StaffUser | None):
    """The WHERE conditions on the referrer (Advocate) for a staff viewer's reach."""
    if viewer is not None and viewer.role == StaffRole.CSM:
        return [Advocate.owner_id == viewer.id]
    return []


def _in_state(state: ReferralState):
    return func.coalesce(func.sum(case((Referral.state == state, 1), else_=0)), 0)


def funnel(session: Session, *, referrer_id: int | None = None, viewer: StaffUser | None = None,
           created: tuple[datetime, datetime] | None = None) -> Funnel:
    """Clicks and referral counts for one referrer, or for everything the staff viewer may see.

    `created` = (since, until), naive UTC, limits it to the clicks and referrals made in
    [since, until): a cohort, whose later moves still count (e.g. converted after `until`)."""
    scope = [Referral.referrer_id == referrer_id] if referrer_id is not None else []
    rejected = Referral.state == ReferralState.REJECTED
    stmt = select(
        func.coalesce(func.sum(case((rejected, 0), else_=1)), 0),
        func.count(Referral.qualified_at), func.count(Referral.converted_at),
        _in_state(ReferralState.LOST), _in_state(ReferralState.REJECTED),
        func.coalesce(func.sum(Referral.deal_amount), 0),
        _in_state(ReferralState.SUBMITTED), _in_state(ReferralState.QUALIFIED),
    ).select_from(Referral).where(*scope)
    clicks = select(func.count()).select_from(ReferralClick).join(
        ReferralCode, ReferralCode.id == ReferralClick.code_id)
    if referrer_id is not None:
        clicks = clicks.where(ReferralCode.advocate_id == referrer_id)
    if created is not None:
        stmt = stmt.where(Referral.created_at >= created[0], Referral.created_at < created[1])
        clicks = clicks.where(ReferralClick.at >= created[0], ReferralClick.at < created[1])
    if _book(viewer):
        stmt = stmt.join(Advocate, Advocate.id == Referral.referrer_id).where(*_book(viewer))
        clicks = clicks.join(Advocate, Advocate.id == ReferralCode.advocate_id).where(*_book(viewer))
    submissions, qualified, converted, lost, rejected_count, revenue, *still = session.execute(stmt).one()
    return Funnel(session.scalar(clicks), int(submissions), qualified, converted, int(lost),
                  int(rejected_count), int(revenue), *(int(n) for n in still))


def referrals_of(session: Session, *, advocate_id: int, limit: int = 100) -> list[Referral]:
    """One advocate's own referrals, newest first."""
    return session.scalars(select(Referral).where(Referral.referrer_id == advocate_id)
                           .order_by(Referral.created_at.desc(), Referral.id.desc()).limit(limit)).all()


def staff_list(session: Session, *, viewer: StaffUser, state: ReferralState | None = None,
               page: int = 1) -> ReferralPage:
    """Referrals in the viewer's reach, optionally in one state, newest first, PER_PAGE at a time."""
    stmt = select(Referral).options(joinedload(Referral.referrer))
    if _book(viewer):
        stmt = stmt.join(Advocate, Advocate.id == Referral.referrer_id).where(*_book(viewer))
    if state is not None:
        stmt = stmt.where(Referral.state == state)
    page = max(1, page)
    rows = session.scalars(stmt.order_by(Referral.created_at.desc(), Referral.id.desc())
                           .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    return ReferralPage(rows[:PER_PAGE], page, len(rows) > PER_PAGE)


def get_for_staff(session: Session, *, viewer: StaffUser, referral_id: int) -> Referral:
    """One referral with its history; NotFound outside the viewer's reach."""
    referral = session.get(Referral, referral_id)
    if referral is None or (viewer.role == StaffRole.CSM and referral.referrer.owner_id != viewer.id):
        raise NotFound("No such referral.")
    return referral
