"""Demo opportunities, as the CRM would report them (services/attribution): deals behind the demo
reference requests, deals a converted referral sourced, one a published review and a reference
touched, one lost and one still open, so the figures page shows sourced and influenced revenue."""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.models import (
    ContentItem,
    ContentKind,
    ContentState,
    OpportunityStage,
    ReferenceRequest,
    Referral,
    ReferralState,
)
from app.services import attribution
from app.services.program import settings as settings_service

D = timedelta(days=1)


def _ids(session, statement, n: int) -> list[int]:
    return list(session.scalars(statement.limit(n)))


def load_opportunities(session, now: datetime) -> int:
    """Record the demo deals through the service; returns how many were recorded."""
    currency = settings_service.load(session).currency
    requests = session.scalars(select(ReferenceRequest).order_by(ReferenceRequest.id)).all()
    converted = _ids(session, select(Referral.id).where(Referral.state == ReferralState.CONVERTED)
                     .order_by(Referral.id), 2)
    reviews = _ids(session, select(ContentItem.id).where(ContentItem.kind == ContentKind.REVIEW,
                                                          ContentItem.state == ContentState.APPROVED)
                   .order_by(ContentItem.id), 2)
    refs = [r.id for r in requests]
    deals = [  # crm id, name, amount, stage, closed days ago, references, content, referrals
        ("OPP-DEMO-1", "Larkspur Health platform", 120_000, "won", 6, refs[:1], reviews[:1], []),
        ("OPP-DEMO-2", "Oakridge Software expansion", 36_000, "open", None, refs[1:2], [], []),
        ("OPP-DEMO-3", "Tern Logistics pilot", 18_000, "lost", 3, refs[2:3], [], []),
        ("OPP-DEMO-4", "Referred: first-year licence", 24_000, "won", 10, [], [], converted[:1]),
        ("OPP-DEMO-5", "Referred: team plan", 15_000, "won", 20, refs[:1], reviews[1:2], converted[1:2]),
        ("OPP-DEMO-6", "Harbour Foods renewal", 60_000, "won", 14, [], reviews[:2], []),
        ("OPP-DEMO-7", "Quarry Labs new logo", 45_000, "won", 8, [], [], []),
    ]
    for crm_id, name, amount, stage, days, references, content, referrals in deals:
        attribution.record_opportunity(session, fields=attribution.OpportunityFields(
            crm_id=crm_id, name=name, amount=amount, currency=currency, stage=OpportunityStage(stage),
            close_date=(now - days * D).date() if days is not None else None, references=tuple(references),
            content=tuple(content), referrals=tuple(referrals)), now=now)
    return len(deals)
