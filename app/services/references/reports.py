"""What people read of the reference program: the staff list, an advocate's asks, and the figures
(SPEC §10): open requests, fulfilment rate and days to fulfil of the requests filed in a period, and
availability — opted-in advocates who can be matched (active, minimum status) per open request,
against the target of 5:1."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.models import (
    Advocate,
    AdvocateState,
    ReferenceAsk,
    ReferenceProfile,
    ReferenceRequest,
    ReferenceRequestState,
    Status,
)
from app.services.program import settings as settings_service

RQ = ReferenceRequestState
OPEN_STATES = (RQ.OPEN, RQ.ASKED, RQ.ACCEPTED)
AVAILABILITY_TARGET = 5


def requests_list(session: Session, *, state: ReferenceRequestState | None = None,
                  limit: int = 200) -> list[ReferenceRequest]:
    stmt = select(ReferenceRequest).order_by(ReferenceRequest.created_at.desc(), ReferenceRequest.id.desc())
    if state is not None:
        stmt = stmt.where(ReferenceRequest.state == state)
    return list(session.scalars(stmt.limit(limit)))


def request_detail(session: Session, request_id: int) -> ReferenceRequest | None:
    return session.scalar(select(ReferenceRequest).where(ReferenceRequest.id == request_id).options(
        selectinload(ReferenceRequest.asks).selectinload(ReferenceAsk.advocate),
        selectinload(ReferenceRequest.asks).selectinload(ReferenceAsk.feedback)))


def asks_of(session: Session, advocate_id: int) -> list[ReferenceAsk]:
    """An advocate's reference asks, newest first, with their requests and feedback."""
    return list(session.scalars(select(ReferenceAsk).where(ReferenceAsk.advocate_id == advocate_id)
                                .options(selectinload(ReferenceAsk.request),
                                         selectinload(ReferenceAsk.feedback))
                                .order_by(ReferenceAsk.sent_at.desc(), ReferenceAsk.id.desc())))


@dataclass(frozen=True)
class ReferenceFigures:
    open_requests: int
    filed: int
    fulfilled: int
    fulfilment_rate: float | None  # fulfilled ÷ filed in the period, None when none was filed
    days_to_fulfil: float | None  # mean days from filing to completion of those fulfilled
    available: int
    availability: float | None  # available references per open request, None with no open request
    target: int = AVAILABILITY_TARGET


def figures(session: Session, *, start: datetime, end: datetime) -> ReferenceFigures:
    """The reference KPIs; filed, fulfilled and days count requests filed in [start, end)."""
    cfg = settings_service.load(session)
    open_requests = session.scalar(select(func.count()).select_from(ReferenceRequest)
                                   .where(ReferenceRequest.state.in_(OPEN_STATES))) or 0
    table = ReferenceRequest
    rows = session.execute(select(table.created_at, table.fulfilled_at, table.state)
                           .where(table.created_at >= start, table.created_at < end)).all()
    filed = [row for row in rows if row.state != RQ.CANCELLED]
    done = [row for row in filed if row.fulfilled_at is not None]
    minimum = Status(cfg.reference_min_status)
    available = session.scalar(
        select(func.count()).select_from(ReferenceProfile)
        .join(Advocate, Advocate.id == ReferenceProfile.advocate_id)
        .where(ReferenceProfile.opted_in.is_(True), Advocate.state == AdvocateState.ACTIVE,
               Advocate.status.in_([s for s in Status if s.rank >= minimum.rank]))) or 0
    days = [(row.fulfilled_at - row.created_at).total_seconds() / 86400 for row in done]
    return ReferenceFigures(
        open_requests=open_requests, filed=len(filed), fulfilled=len(done),
        fulfilment_rate=len(done) / len(filed) if filed else None,
        days_to_fulfil=round(sum(days) / len(days), 1) if days else None, available=available,
        availability=round(available / open_requests, 1) if open_requests else None)


def ask_for(session: Session, *, ask_id: int, advocate_id: int) -> ReferenceAsk | None:
    """One ask of one advocate (the email link's page), or None."""
    ask = session.get(ReferenceAsk, ask_id)
    return ask if ask is not None and ask.advocate_id == advocate_id else None
