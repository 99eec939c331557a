"""The points ledger: append-only entries, idempotent on their key, with caches kept in step.

Every change of points is one LedgerEntry. The advocate's cached `balance` (all entries) and
`lifetime_points` (earned entries only), and the week/month PeriodTotal buckets used by the
leaderboards, are updated in the same transaction as the insert. `verify` proves them equal
to the sums.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.models import Advocate, LedgerEntry, LedgerReason, PeriodTotal, Status, StatusChange
from app.services import settings as settings_service
from app.services import status as status_service
from app.services.errors import NotFound, ValidationFailed
from app.services.periods import PERIODS, period_start
from app.services.prepared import Prepared


@dataclass
class PostResult:
    session: Session
    entry_id: int
    created: bool
    promotions: list[StatusChange]

    @property
    def entry(self) -> LedgerEntry:
        return self.session.get(LedgerEntry, self.entry_id)


def _typed(table, sql: str, **columns: str):
    """A textual statement whose parameters use the table's column types (enums, dates).

    `columns` maps a parameter to the column whose type it takes when the names differ.
    The statements on the award path are prebuilt text run as `Prepared` statements on the
    session's connection (services/prepared.py): SQLAlchemy (2.0) cannot cache
    `insert().on_conflict_*()` constructs, and its execution layer costs more per statement than
    SQLite takes to run it. The SQL is the same on SQLite (>= 3.35) and PostgreSQL.
    """
    names = set(re.findall(r":(\w+)", sql))
    return Prepared(text(sql).bindparams(
        *(bindparam(name, type_=table.c[columns.get(name, name)].type) for name in names)))


_INSERT_ENTRY = _typed(
    LedgerEntry.__table__,
    "INSERT INTO ledger_entry (advocate_id, amount, reason, idempotency_key, source_type, source_id, "
    "note, actor_id, created_at) VALUES (:advocate_id, :amount, :reason, :idempotency_key, "
    ":source_type, :source_id, :note, :actor_id, :created_at) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
)
_UPDATE_CACHES = Prepared(text(
    "UPDATE advocate SET balance = balance + :amount, lifetime_points = lifetime_points + :earned, "
    "last_scored_at = COALESCE(:scored_at, last_scored_at) "
    "WHERE id = :advocate_id AND balance + :amount >= 0 "
    "RETURNING lifetime_points, status, status_since"
).bindparams(bindparam("scored_at", type_=Advocate.__table__.c.last_scored_at.type)).columns(
    Advocate.__table__.c.lifetime_points, Advocate.__table__.c.status, Advocate.__table__.c.status_since))
_BUMP_PERIODS = _typed(
    PeriodTotal.__table__,
    "INSERT INTO period_total (period, period_start, advocate_id, points, last_scored_at) "
    "VALUES ('week', :week_start, :advocate_id, :points, :last_scored_at), "
    "('month', :month_start, :advocate_id, :points, :last_scored_at) "
    "ON CONFLICT (period, period_start, advocate_id) DO UPDATE SET "
    "points = period_total.points + excluded.points, last_scored_at = excluded.last_scored_at",
    week_start="period_start", month_start="period_start",
)


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
    that would take the balance below zero raises ValidationFailed after the entry row was
    written, so the caller must roll back on any DomainError (every edge does).
    """
    if amount == 0:
        raise ValidationFailed("An entry must move points.", field="amount")
    source_type, source_id = source or (None, None)
    values = dict(
        advocate_id=advocate_id, amount=amount, reason=reason, idempotency_key=idempotency_key,
        source_type=source_type, source_id=source_id, note=note, actor_id=actor_id, created_at=now,
    )
    # The hot path runs prepared statements on the session's own connection (same transaction):
    # ORM-enabled execution costs several times more per statement than the SQL itself.
    connection = session.connection()
    inserted = _INSERT_ENTRY.first(connection, values)
    if inserted is None:
        existing_id = connection.execute(
            select(LedgerEntry.id).where(LedgerEntry.idempotency_key == idempotency_key)).scalar_one()
        return PostResult(session, existing_id, False, [])
    new_id = inserted[0]
    earned = amount if reason.counts_as_earned else 0
    cfg = settings_service.load(session)
    standing = _apply_to_caches(session, connection, advocate_id=advocate_id, amount=amount, earned=earned,
                                now=now, tz=cfg.timezone)
    promotions = []
    if earned > 0:
        promotions = status_service.promote_if_earned(session, advocate_id=advocate_id, now=now,
                                                      cfg=cfg, standing=standing)
    return PostResult(session, new_id, True, promotions)


def _apply_to_caches(session: Session, connection, *, advocate_id: int, amount: int, earned: int,
                     now: datetime, tz: str) -> status_service.Standing:
    """Update the cached totals; returns the advocate's standing after it.

    The guard `balance + amount >= 0` refuses an overdraft (it always holds for credits)."""
    row = _UPDATE_CACHES.first(connection, dict(
        advocate_id=advocate_id, amount=amount, earned=earned, scored_at=now if earned else None))
    if row is None:
        if session.get(Advocate, advocate_id) is None:
            raise NotFound("No such advocate.")
        raise ValidationFailed("Not enough points: the balance cannot go below zero.", field="amount")
    loaded = session.identity_map.get(identity_key(Advocate, advocate_id))
    if loaded is not None:
        session.expire(loaded, ["balance", "lifetime_points", "last_scored_at"])
    if earned:
        _BUMP_PERIODS.rows(connection, dict(
            week_start=period_start(now, tz, "week"), month_start=period_start(now, tz, "month"),
            advocate_id=advocate_id, points=earned, last_scored_at=now))
    lifetime_points, status, status_since = row
    return status_service.Standing(advocate_id, lifetime_points, Status(status), status_since)


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
