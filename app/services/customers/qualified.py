"""The qualified-advocates list and inviting from it (SPEC §7).

Qualified: a customer record the score_customers job found eligible and gave a readiness tier,
who has not joined the program yet (state `invited`: imported and never invited, or invited and
not yet accepted). Best tier first, then highest score. Inviting reuses accounts.invite_advocate
(a signed, expiring link); someone whose invitation is still pending is not invited again, so a
repeated click makes no second invitation.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, CustomerSignal, Invite, StaffUser
from app.services.customers import readiness
from app.services.customers.readiness import months_between
from app.services.errors import ValidationFailed
from app.services.operations import joblocks
from app.services.people import accounts

PER_PAGE = 50
MAX_INVITES = 100
JOB = readiness.JOB


@dataclass
class QualifiedRow:
    advocate: Advocate
    signal: CustomerSignal | None
    tenure_months: int | None
    invite: Invite | None  # the latest invitation, if any
    invite_state: str  # "not invited", "pending", "expired", "revoked"


@dataclass
class QualifiedPage:
    rows: list[QualifiedRow]
    total: int
    by_tier: dict[int, int]
    page: int
    pages: int
    scored_at: datetime | None  # when the score_customers job last finished


def _qualified():
    return (Advocate.state == AdvocateState.INVITED, Advocate.eligible.is_(True),
            Advocate.readiness_tier.is_not(None))


def qualified_page(session: Session, *, now: datetime, tier: int | None = None, page: int = 1,
                   per_page: int = PER_PAGE) -> QualifiedPage:
    """One page of qualified advocates (optionally of one tier), with their signals and invitations."""
    by_tier = tier_counts(session)
    total = by_tier.get(tier, 0) if tier else sum(by_tier.values())
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    stmt = select(Advocate).where(*_qualified())
    if tier:
        stmt = stmt.where(Advocate.readiness_tier == tier)
    stmt = stmt.order_by(Advocate.readiness_tier, Advocate.readiness_score.desc(), Advocate.id)
    advocates = session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    ids = [a.id for a in advocates]
    signals = {s.advocate_id: s for s in session.scalars(
        select(CustomerSignal).where(CustomerSignal.advocate_id.in_(ids)))}
    invites = latest_invites(session, ids)
    rows = [QualifiedRow(a, signals.get(a.id),
                         months_between(a.customer_since, now.date()) if a.customer_since else None,
                         invites.get(a.id), _state(invites.get(a.id), now)) for a in advocates]
    run = joblocks.latest_runs(session, names=[JOB]).get(JOB)
    return QualifiedPage(rows, total, by_tier, page, pages, run.finished_at if run else None)


def tier_counts(session: Session) -> dict[int, int]:
    """How many qualified advocates each tier has (tiers with none are left out)."""
    return dict(session.execute(select(Advocate.readiness_tier, func.count()).where(*_qualified())
                                .group_by(Advocate.readiness_tier)).all())


def latest_invites(session: Session, advocate_ids: list[int]) -> dict[int, Invite]:
    found: dict[int, Invite] = {}
    stmt = select(Invite).where(Invite.advocate_id.in_(advocate_ids)).order_by(Invite.id)
    for invite in session.scalars(stmt):
        found[invite.advocate_id] = invite
    return found


def _state(invite: Invite | None, now: datetime) -> str:
    return "not invited" if invite is None else accounts.invite_state(invite, now)


@dataclass
class InviteOutcome:
    advocate: Advocate
    invite: Invite | None
    created: bool
    note: str = ""


def invite_qualified(session: Session, *, advocate_ids: list[int], invited_by: StaffUser, now: datetime,
                     valid_days: int) -> list[InviteOutcome]:
    """Invite the chosen qualified advocates; those with a pending invitation keep it (created False).

    Raises ValidationFailed (field advocate_ids) when nothing, or more than MAX_INVITES, is chosen."""
    ids = list(dict.fromkeys(advocate_ids))
    if not ids:
        raise ValidationFailed("Choose at least one person to invite.", field="advocate_ids")
    if len(ids) > MAX_INVITES:
        raise ValidationFailed(f"Invite at most {MAX_INVITES} people at a time.", field="advocate_ids")
    advocates = session.scalars(select(Advocate).where(Advocate.id.in_(ids), *_qualified())
                                .order_by(Advocate.readiness_tier, Advocate.readiness_score.desc())).all()
    if not advocates:
        raise ValidationFailed("The people chosen are not on the qualified list any more.",
                               field="advocate_ids")
    current = latest_invites(session, [a.id for a in advocates])
    outcomes = []
    for advocate in advocates:
        invite = current.get(advocate.id)
        if invite is not None and accounts.invite_state(invite, now) == "pending":
            outcomes.append(InviteOutcome(advocate, invite, False, "already invited; the link still works"))
            continue
        profile = accounts.AdvocateProfile(
            name=advocate.name, email=advocate.email, company=advocate.company, title=advocate.title,
            industry=advocate.industry, company_size=advocate.company_size, region=advocate.region,
            owner_id=advocate.owner_id)
        invite = accounts.invite_advocate(session, profile=profile, invited_by=invited_by, now=now,
                                          valid_days=valid_days)
        outcomes.append(InviteOutcome(advocate, invite, True))
    return outcomes
