"""The CRM's opportunities (SPEC §14), upserted by the CRM's id with what influenced each.

`record_opportunity` creates or updates one and replaces its links with the ones given: the
reference requests, content items and referrals that touched the deal. Every amount is in the
program's currency (the `currency` setting): one in another currency is refused, not converted,
so no figure mixes currencies. A won or lost deal needs its close date (revenue counts by it).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.models import (
    InfluenceKind,
    Opportunity,
    OpportunityLink,
    OpportunityStage,
    ReferenceRequest,
    Referral,
    ReferralState,
)
from app.services.attribution.content import unknown_content_ids
from app.services.errors import Conflict, ValidationFailed
from app.services.program import settings as settings_service

MAX_AMOUNT = 10_000_000_000  # whole currency units
MAX_LINKS = 100  # of each kind


@dataclass(frozen=True)
class OpportunityFields:
    crm_id: str
    amount: int
    currency: str
    stage: OpportunityStage
    close_date: date | None = None
    name: str = ""
    references: tuple[int, ...] = ()
    content: tuple[int, ...] = ()
    referrals: tuple[int, ...] = ()

    def links(self) -> set[tuple[InfluenceKind, int]]:
        return ({(InfluenceKind.REFERENCE, i) for i in self.references}
                | {(InfluenceKind.CONTENT, i) for i in self.content}
                | {(InfluenceKind.REFERRAL, i) for i in self.referrals})


def record_opportunity(session: Session, *, fields: OpportunityFields,
                       now: datetime) -> tuple[Opportunity, bool]:
    """Create or update the opportunity with this CRM id; returns it and whether it was created.
    Raises ValidationFailed naming the field, or Conflict when another request created it meanwhile."""
    crm_id = fields.crm_id.strip()
    _check(session, fields, crm_id)
    opportunity = session.scalar(select(Opportunity).options(selectinload(Opportunity.links))
                                 .where(Opportunity.crm_id == crm_id))
    created = opportunity is None
    if created:
        opportunity = Opportunity(crm_id=crm_id, created_at=now)
    opportunity.name, opportunity.amount = fields.name.strip(), fields.amount
    opportunity.currency, opportunity.stage = fields.currency, fields.stage
    opportunity.close_date, opportunity.updated_at = fields.close_date, now
    if created:
        try:
            with session.begin_nested():
                session.add(opportunity)
                session.flush()
        except IntegrityError:
            raise Conflict("This opportunity was recorded by another request just now; send it again.",
                           field="id") from None
    _replace_links(session, opportunity, fields.links())
    return opportunity, created


def _check(session: Session, fields: OpportunityFields, crm_id: str) -> None:
    if not crm_id:
        raise ValidationFailed("id is required.", field="id")
    program = settings_service.load(session).currency
    if fields.currency != program:
        raise ValidationFailed(f"currency must be the program's currency, {program}: amounts are not "
                               f"converted; send the amount in {program}.", field="currency")
    if not 0 <= fields.amount <= MAX_AMOUNT:
        raise ValidationFailed(f"amount must be a whole number from 0 to {MAX_AMOUNT:,}.", field="amount")
    if fields.stage != OpportunityStage.OPEN and fields.close_date is None:
        raise ValidationFailed(f"close_date is required for a {fields.stage.value} opportunity.",
                               field="close_date")
    _check_targets(session, fields)


def _check_targets(session: Session, fields: OpportunityFields) -> None:
    for name, ids in (("references", fields.references), ("content", fields.content),
                      ("referrals", fields.referrals)):
        if len(set(ids)) > MAX_LINKS:
            raise ValidationFailed(f"{name} may hold at most {MAX_LINKS} ids.", field=name)
    checks = (
        ("references", "reference request", _missing(session, ReferenceRequest.id, fields.references)),
        ("content", "content item (an approved review, testimonial, case study or post)",
         unknown_content_ids(session, fields.content)),
        ("referrals", "referral (rejected ones cannot source a deal)",
         _missing(session, Referral.id, fields.referrals, Referral.state != ReferralState.REJECTED)),
    )
    for name, what, missing in checks:
        if missing:
            listed = ", ".join(map(str, missing[:5]))
            raise ValidationFailed(f"{name}: no {what} with id {listed}.", field=name)


def _missing(session: Session, column, ids, *where) -> list[int]:
    wanted = set(ids)
    if not wanted:
        return []
    return sorted(wanted - set(session.scalars(select(column).where(column.in_(wanted), *where))))


def _replace_links(session: Session, opportunity: Opportunity,
                   wanted: set[tuple[InfluenceKind, int]]) -> None:
    have = {(link.kind, link.target_id): link for link in opportunity.links}
    for key, link in have.items():
        if key not in wanted:
            opportunity.links.remove(link)
    session.flush()  # deletes first: a link removed and added again must not meet its old row
    for kind, target_id in sorted(wanted - have.keys()):
        opportunity.links.append(OpportunityLink(kind=kind, target_id=target_id))
    session.flush()


def links_of(opportunity: Opportunity) -> dict[InfluenceKind, list[int]]:
    """The opportunity's links as {kind: sorted target ids}, every kind present."""
    found = {kind: [] for kind in InfluenceKind}
    for link in opportunity.links:
        found[link.kind].append(link.target_id)
    return {kind: sorted(ids) for kind, ids in found.items()}
