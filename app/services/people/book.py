"""A CSM's book for their overview: the advocates they own, the escalations waiting on them and
the asks waiting to go out to their advocates."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Advocate, Ask, AskState, Attempt, AttemptState, Mission, StaffUser

SHORT_LIST = 8


@dataclass(frozen=True)
class Escalation:
    attempt_id: int
    advocate_id: int
    advocate_name: str
    mission_title: str
    deadline_at: datetime


@dataclass(frozen=True)
class Book:
    advocate_count: int
    advocates: list[Advocate]  # the first SHORT_LIST by name
    escalations: list[Escalation]
    asks_queued: int
    next_ask_at: datetime | None


def csm_book(session: Session, *, csm: StaffUser, now: datetime, escalate_days_before: int) -> Book:
    """The advocates the CSM owns and what waits on them.

    An escalation is what the escalate_to_csm sweep tells the CSM about: a started attempt of one
    of their advocates whose deadline falls within `escalate_days_before` days and has not passed."""
    owned = select(Advocate.id).where(Advocate.owner_id == csm.id)
    count = session.scalar(select(func.count()).select_from(owned.subquery()))
    advocates = session.scalars(select(Advocate).where(Advocate.id.in_(owned))
                                .order_by(Advocate.name, Advocate.id).limit(SHORT_LIST)).all()
    rows = session.execute(
        select(Attempt.id, Attempt.advocate_id, Advocate.name, Mission.title, Attempt.deadline_at)
        .join(Advocate, Advocate.id == Attempt.advocate_id).join(Mission, Mission.id == Attempt.mission_id)
        .where(Attempt.advocate_id.in_(owned), Attempt.state == AttemptState.STARTED,
               Attempt.deadline_at > now, Attempt.deadline_at <= now + timedelta(days=escalate_days_before))
        .order_by(Attempt.deadline_at, Attempt.id)).all()
    queued, next_at = session.execute(
        select(func.count(Ask.id), func.min(Ask.queued_until))
        .where(Ask.advocate_id.in_(owned), Ask.state == AskState.QUEUED)).one()
    return Book(advocate_count=count, advocates=list(advocates),
                escalations=[Escalation(*row) for row in rows], asks_queued=queued, next_ask_at=next_at)
