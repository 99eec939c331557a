"""The staff view of advocates: search, one advocate's record, and the program overview figures.

Visibility rule: a CSM sees only the advocates they own (owner_id); admin and marketing see
everyone. Anything outside the viewer's book is NotFound, never Forbidden, so ids do not leak.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.models import (
    Advocate,
    AdvocateState,
    Attempt,
    AttemptState,
    LedgerEntry,
    LedgerReason,
    StaffRole,
    StaffUser,
    Status,
    StatusChange,
)
from app.services.errors import NotFound
from app.services.periods import period_start, to_utc
from app.services.points import ledger

PER_PAGE = 25
STORED_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}(\.[A-Za-z0-9]{1,10})?$")


@dataclass
class AdvocatePage:
    items: list[Advocate]
    page: int
    has_next: bool


@dataclass
class AdvocateRecord:
    advocate: Advocate
    attempts: list[Attempt]
    entries: list[LedgerEntry]
    status_changes: list[StatusChange]
    staff_names: dict[int, str]


@dataclass
class Overview:
    awaiting_approval: int
    oldest_submitted_at: datetime | None
    active_advocates: int
    invited_advocates: int
    by_status: dict[Status, int]
    points_this_month: int


def _visible(viewer: StaffUser):
    stmt = select(Advocate)
    if viewer.role == StaffRole.CSM:
        stmt = stmt.where(Advocate.owner_id == viewer.id)
    return stmt


def search_advocates(session: Session, *, viewer: StaffUser, query: str = "", status: Status | None = None,
                     state: AdvocateState | None = None, page: int = 1) -> AdvocatePage:
    """Advocates in the viewer's book matching name/email/company, by name, PER_PAGE at a time."""
    stmt = _visible(viewer)
    query = (query or "").strip().lower()
    if query:
        like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(Advocate.name).like(like, escape="\\"),
                              func.lower(Advocate.email).like(like, escape="\\"),
                              func.lower(Advocate.company).like(like, escape="\\")))
    if status is not None:
        stmt = stmt.where(Advocate.status == status)
    if state is not None:
        stmt = stmt.where(Advocate.state == state)
    page = max(1, page)
    rows = session.scalars(stmt.order_by(Advocate.name, Advocate.id)
                           .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    return AdvocatePage(list(rows[:PER_PAGE]), page, len(rows) > PER_PAGE)


def get_advocate(session: Session, *, viewer: StaffUser, advocate_id: int) -> Advocate:
    """One advocate in the viewer's book; NotFound otherwise."""
    advocate = session.scalars(_visible(viewer).where(Advocate.id == advocate_id)).first()
    if advocate is None:
        raise NotFound("No such advocate.")
    return advocate


def advocate_record(session: Session, *, viewer: StaffUser, advocate_id: int) -> AdvocateRecord:
    """The advocate with attempts (and their transitions), newest ledger entries and status changes."""
    advocate = get_advocate(session, viewer=viewer, advocate_id=advocate_id)
    attempts = session.scalars(
        select(Attempt).where(Attempt.advocate_id == advocate.id)
        .options(selectinload(Attempt.transitions), selectinload(Attempt.mission))
        .order_by(Attempt.created_at.desc(), Attempt.id.desc())
    ).all()
    changes = session.scalars(
        select(StatusChange).where(StatusChange.advocate_id == advocate.id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
    ).all()
    entries = ledger.entries_for(session, advocate_id=advocate.id, limit=100)
    actor_ids = {c.actor_id for c in changes if c.actor_id}
    names = dict(session.execute(
        select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(actor_ids))).all())
    return AdvocateRecord(advocate, list(attempts), list(entries), list(changes), names)


def get_attempt(session: Session, *, viewer: StaffUser, attempt_id: int) -> Attempt:
    """An attempt whose advocate is in the viewer's book; NotFound otherwise."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("No such attempt.")
    get_advocate(session, viewer=viewer, advocate_id=attempt.advocate_id)
    return attempt


def evidence_file_name(attempt: Attempt) -> str:
    """The stored upload's name, checked to be a bare file name (never a path)."""
    name = attempt.evidence_file or ""
    if not STORED_FILE_NAME.match(name):
        raise NotFound("This attempt has no file.")
    return name


def overview(session: Session, *, viewer: StaffUser, now: datetime, timezone: str) -> Overview:
    """Headline figures for the staff dashboard, limited to the viewer's book for a CSM."""
    book = _visible(viewer).with_only_columns(Advocate.id).scalar_subquery()
    waiting = select(func.count(Attempt.id), func.min(Attempt.submitted_at)).where(
        Attempt.state == AttemptState.SUBMITTED, Attempt.advocate_id.in_(book))
    awaiting, oldest = session.execute(waiting).one()
    states = dict(session.execute(
        select(Advocate.state, func.count(Advocate.id)).where(Advocate.id.in_(book)).group_by(Advocate.state)
    ).all())
    statuses = dict(session.execute(
        select(Advocate.status, func.count(Advocate.id))
        .where(Advocate.id.in_(book), Advocate.state == AdvocateState.ACTIVE).group_by(Advocate.status)
    ).all())
    return Overview(
        awaiting_approval=awaiting, oldest_submitted_at=oldest,
        active_advocates=states.get(AdvocateState.ACTIVE, 0),
        invited_advocates=states.get(AdvocateState.INVITED, 0),
        by_status={s: statuses.get(s, 0) for s in Status},
        points_this_month=_points_this_month(session, book, now, timezone),
    )


def _points_this_month(session: Session, book, now: datetime, timezone: str) -> int:
    month_start = period_start(now, timezone, "month")
    since = to_utc(datetime(month_start.year, month_start.month, 1), timezone)
    earned = [r for r in LedgerReason if r.counts_as_earned]
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.created_at >= since, LedgerEntry.amount > 0, LedgerEntry.reason.in_(earned),
            LedgerEntry.advocate_id.in_(book))
    )
    return int(total or 0)


def csm_choices(session: Session) -> list[StaffUser]:
    return session.scalars(
        select(StaffUser).where(StaffUser.role == StaffRole.CSM, StaffUser.active.is_(True))
        .order_by(StaffUser.name)
    ).all()
