"""The points ledger: append-only entries, idempotent on their key, with caches kept in step.

Every change of points is one LedgerEntry. The advocate's cached `balance` (all entries) and
`lifetime_points` (earned entries only), and the week/month PeriodTotal buckets used by the
leaderboards, are updated in the same transaction as the insert. `verify` proves them equal
to the sums.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import Advocate, LedgerEntry, LedgerReason, PeriodTotal, StatusChange
from app.services import settings as settings_service
from app.services import status as status_service
from app.services.errors import NotFound, ValidationFailed
from app.services.periods import PERIODS, period_start


@dataclass
class PostResult:
    entry: LedgerEntry
    created: bool
    promotions: list[StatusChange]


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def post_entry(
    session: Session,
    *,
    advocate_id: int,
    amount: int,
    reason: LedgerReason,
    idempotency_key: str,
    now: datetime,
    source: tuple[str, int] | None = None,
    note: str = "",
    actor_id: int | None = None,
) -> PostResult:
    """Append one entry unless its idempotency key exists; update caches and status with it.

    A repeated key returns the first entry with created=False and changes nothing. A debit
    that would take the balance below zero raises ValidationFailed.
    """
    if amount == 0:
        raise ValidationFailed("An entry must move points.", field="amount")
    source_type, source_id = source or (None, None)
    values = dict(
        advocate_id=advocate_id, amount=amount, reason=reason, idempotency_key=idempotency_key,
        source_type=source_type, source_id=source_id, note=note, actor_id=actor_id, created_at=now,
    )
    stmt = (
        _insert(session)(LedgerEntry)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(LedgerEntry.id)
    )
    new_id = session.execute(stmt).scalar()
    if new_id is None:
        existing = session.scalars(
            select(LedgerEntry).where(LedgerEntry.idempotency_key == idempotency_key)
        ).one()
        return PostResult(existing, False, [])
    earned = amount if reason.counts_as_earned else 0
    _apply_to_caches(session, advocate_id=advocate_id, amount=amount, earned=earned, now=now)
    promotions = []
    if earned > 0:
        promotions = status_service.promote_if_earned(session, advocate_id=advocate_id, now=now)
    return PostResult(session.get(LedgerEntry, new_id), True, promotions)


def _apply_to_caches(session: Session, *, advocate_id: int, amount: int, earned: int, now: datetime):
    changes = {"balance": Advocate.balance + amount}
    if earned:
        changes.update(lifetime_points=Advocate.lifetime_points + earned, last_scored_at=now)
    stmt = update(Advocate).where(Advocate.id == advocate_id).values(**changes)
    if amount < 0:
        stmt = stmt.where(Advocate.balance + amount >= 0)
    if session.execute(stmt).rowcount != 1:
        if session.get(Advocate, advocate_id) is None:
            raise NotFound("No such advocate.")
        raise ValidationFailed("Not enough points: the balance cannot go below zero.", field="amount")
    if earned:
        tz = settings_service.load(session).timezone
        for period in PERIODS:
            _bump_period(session, advocate_id, period, period_start(now, tz, period), earned, now)


def _bump_period(session: Session, advocate_id: int, period: str, start, earned: int, now: datetime):
    stmt = _insert(session)(PeriodTotal).values(
        period=period, period_start=start, advocate_id=advocate_id, points=earned, last_scored_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["period", "period_start", "advocate_id"],
        set_={"points": PeriodTotal.points + stmt.excluded.points, "last_scored_at": now},
    )
    session.execute(stmt)


def adjust(
    session: Session, *, advocate_id: int, amount: int, note: str, actor_id: int, request_key: str,
    now: datetime,
) -> PostResult:
    """A manual adjustment by staff. Needs a reason; the form's one-time key stops double posts."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say why the points change.", field="note")
    if not request_key:
        raise ValidationFailed("Missing request key; reload the form.", field="amount")
    return post_entry(
        session, advocate_id=advocate_id, amount=amount, reason=LedgerReason.ADJUSTMENT,
        idempotency_key=f"adjustment:{request_key}", now=now, note=note, actor_id=actor_id,
    )


def entries_for(session: Session, *, advocate_id: int, limit: int = 50, offset: int = 0):
    return session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.advocate_id == advocate_id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()


@dataclass
class Discrepancy:
    advocate_id: int
    field: str
    cached: int
    actual: int


def verify(session: Session) -> list[Discrepancy]:
    """Compare every cached balance, lifetime total and period bucket with the ledger sums."""
    earned_reasons = [r for r in LedgerReason if r.counts_as_earned]
    earned_sum = func.coalesce(
        func.sum(LedgerEntry.amount).filter(LedgerEntry.reason.in_(earned_reasons)), 0
    )
    sums = (
        select(LedgerEntry.advocate_id, func.sum(LedgerEntry.amount).label("bal"), earned_sum.label("earned"))
        .group_by(LedgerEntry.advocate_id)
        .subquery()
    )
    rows = session.execute(
        select(Advocate.id, Advocate.balance, Advocate.lifetime_points, sums.c.bal, sums.c.earned)
        .outerjoin(sums, sums.c.advocate_id == Advocate.id)
    )
    problems = []
    for adv_id, balance, lifetime, bal, earned in rows:
        if balance != (bal or 0):
            problems.append(Discrepancy(adv_id, "balance", balance, bal or 0))
        if lifetime != (earned or 0):
            problems.append(Discrepancy(adv_id, "lifetime_points", lifetime, earned or 0))
    problems.extend(_verify_periods(session, earned_reasons))
    return problems


def _verify_periods(session: Session, earned_reasons) -> list[Discrepancy]:
    tz = settings_service.load(session).timezone
    expected: dict[tuple, int] = {}
    entries = session.execute(
        select(LedgerEntry.advocate_id, LedgerEntry.amount, LedgerEntry.created_at)
        .where(LedgerEntry.reason.in_(earned_reasons))
        .execution_options(yield_per=10_000)
    )
    for adv_id, amount, created_at in entries:
        for period in PERIODS:
            key = (period, period_start(created_at, tz, period), adv_id)
            expected[key] = expected.get(key, 0) + amount
    actual = {
        (p.period, p.period_start, p.advocate_id): p.points
        for p in session.execute(select(PeriodTotal)).scalars()
    }
    problems = []
    for key in expected.keys() | actual.keys():
        if expected.get(key, 0) != actual.get(key, 0):
            problems.append(
                Discrepancy(key[2], f"{key[0]} from {key[1]}", actual.get(key, 0), expected.get(key, 0))
            )
    return problems
