"""The points ledger: append-only entries, idempotent on their key, with caches kept in step.

Every change of points is one LedgerEntry. The advocate's cached `balance` (all entries) and
`lifetime_points` (earned entries only), and the week/month PeriodTotal buckets used by the
leaderboards, are updated in the same transaction as the insert. `verify` proves them equal
to the sums.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import TextClause, bindparam, func, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.models import Advocate, LedgerEntry, LedgerReason, PeriodTotal, StatusChange
from app.services.errors import NotFound, ValidationFailed
from app.services.periods import PERIODS, period_start
from app.services.points import status as status_service
from app.services.program import settings as settings_service
from app.services.webhooks import events as webhook_events


@dataclass
class PostResult:
    session: Session
    entry_id: int
    created: bool
    promotions: list[StatusChange]

    @property
    def entry(self) -> LedgerEntry:
        return self.session.get(LedgerEntry, self.entry_id)


_ENTRY = LedgerEntry.__table__
_ADVOCATE = Advocate.__table__
_PERIOD = PeriodTotal.__table__


def _typed(sql: str, **columns) -> TextClause:
    """A textual statement whose parameters (name=column) take their columns' types (enums, dates).

    The two upserts are text because their SQL is the same on SQLite (>= 3.35) and PostgreSQL and,
    unlike the dialects' `insert().on_conflict_*()` constructs, text is cached once compiled."""
    return text(sql).bindparams(*(bindparam(name, type_=column.type) for name, column in columns.items()))


_INSERT_ENTRY = _typed(
    "INSERT INTO ledger_entry (advocate_id, amount, reason, idempotency_key, source_type, source_id, "
    "note, actor_id, created_at) VALUES (:advocate_id, :amount, :reason, :idempotency_key, "
    ":source_type, :source_id, :note, :actor_id, :created_at) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    **{column.key: column for column in _ENTRY.c if column.key != "id"},
)
_UPDATE_CACHES = (  # the guard refuses an overdraft (it always holds for credits)
    update(_ADVOCATE)
    .where(_ADVOCATE.c.id == bindparam("advocate_id"), _ADVOCATE.c.balance + bindparam("amount") >= 0)
    .values(balance=_ADVOCATE.c.balance + bindparam("amount"),
            lifetime_points=_ADVOCATE.c.lifetime_points + bindparam("earned"),
            last_scored_at=func.coalesce(bindparam("scored_at", type_=_ADVOCATE.c.last_scored_at.type),
                                         _ADVOCATE.c.last_scored_at))
    .returning(_ADVOCATE.c.lifetime_points, _ADVOCATE.c.status, _ADVOCATE.c.status_since)
)
_BUMP_PERIODS = _typed(
    "INSERT INTO period_total (period, period_start, advocate_id, points, last_scored_at) "
    "VALUES ('week', :week_start, :advocate_id, :points, :last_scored_at), "
    "('month', :month_start, :advocate_id, :points, :last_scored_at) "
    "ON CONFLICT (period, period_start, advocate_id) DO UPDATE SET "
    "points = period_total.points + excluded.points, last_scored_at = excluded.last_scored_at",
    week_start=_PERIOD.c.period_start, month_start=_PERIOD.c.period_start,
    last_scored_at=_PERIOD.c.last_scored_at,
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
    new_id = session.execute(_INSERT_ENTRY, values).scalar()
    if new_id is None:
        existing_id = session.scalar(select(_ENTRY.c.id).where(_ENTRY.c.idempotency_key == idempotency_key))
        return PostResult(session, existing_id, False, [])
    _emit_entry(session, new_id, values, now)
    earned = amount if reason.counts_as_earned else 0
    cfg = settings_service.load(session)
    standing = _apply_to_caches(session, advocate_id=advocate_id, amount=amount, earned=earned,
                                now=now, tz=cfg.timezone)
    promotions = []
    if earned > 0:
        promotions = status_service.promote_if_earned(session, advocate_id=advocate_id, now=now,
                                                      cfg=cfg, standing=standing)
    return PostResult(session, new_id, True, promotions)


def _emit_entry(session: Session, entry_id: int, values: dict, now: datetime) -> None:
    """The `ledger_entry.created` webhook event, stored in the entry's transaction."""
    source = {"type": values["source_type"], "id": values["source_id"]} if values["source_type"] else None
    webhook_events.emit(session, "ledger_entry.created", {
        "entry_id": entry_id, "advocate_id": values["advocate_id"], "amount": values["amount"],
        "reason": values["reason"].value, "idempotency_key": values["idempotency_key"],
        "source": source,
        "created_at": now.isoformat(timespec="seconds") + "Z"}, now)


def _apply_to_caches(session: Session, *, advocate_id: int, amount: int, earned: int, now: datetime,
                     tz: str) -> status_service.Standing:
    """Update the cached totals (refusing an overdraft); returns the advocate's standing after it.

    A loaded Advocate has its cached totals expired, so it reads them again when next used."""
    row = session.execute(_UPDATE_CACHES, dict(
        advocate_id=advocate_id, amount=amount, earned=earned, scored_at=now if earned else None)).first()
    if row is None:
        if session.get(Advocate, advocate_id) is None:
            raise NotFound("No such advocate.")
        raise ValidationFailed("Not enough points: the balance cannot go below zero.", field="amount")
    loaded = session.identity_map.get(identity_key(Advocate, advocate_id))
    if loaded is not None:
        session.expire(loaded, ["balance", "lifetime_points", "last_scored_at"])
    if earned:
        session.execute(_BUMP_PERIODS, dict(
            week_start=period_start(now, tz, "week"), month_start=period_start(now, tz, "month"),
            advocate_id=advocate_id, points=earned, last_scored_at=now))
    lifetime_points, status, status_since = row
    return status_service.Standing(advocate_id, lifetime_points, status, status_since)


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
