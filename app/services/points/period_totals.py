"""Rebuilding the week and month leaderboard buckets after the program timezone changes.

Every award adds its points to the buckets of its week and month in the timezone in force at the
time (ledger.py). When an admin changes the timezone, the buckets already written follow the old
calendar, so `settings.save` marks them stale (the `settings.BUCKETS_TIMEZONE` row of
program_setting, which is not an admin setting, is set to ""). The `rebuild_period_totals` job
then recomputes every advocate's buckets from the ledger, a batch of advocates per transaction,
and records the timezone they now follow. Until it has run, the week and month boards still show
the old calendar's buckets (for at most one job interval).

Awards during a rebuild stay right: each batch locks its advocates' rows first (PostgreSQL; SQLite
serialises writers), so an award waits and then adds to the rebuilt bucket, and an award for an
advocate not yet rebuilt is recomputed from the ledger with the rest. A timezone changed again
mid-rebuild leaves the marker unequal to the new one, and the next run rebuilds again.
"""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from app.db.dialect import dialect_insert
from app.models import Advocate, LedgerEntry, LedgerReason, PeriodTotal, ProgramSetting
from app.services.periods import PeriodStarts
from app.services.program import settings as settings_service

MARKER = settings_service.BUCKETS_TIMEZONE
BATCH = 1000


def is_stale(session: Session) -> bool:
    marker = session.get(ProgramSetting, MARKER)
    return marker is not None and marker.value != settings_service.load(session).timezone


def rebuild_if_stale(session: Session, *, now: datetime, commit: Callable[[], None] | None = None,
                     batch: int = BATCH) -> int:
    """Recompute every advocate's buckets when the timezone changed since they were built; returns
    the number of advocates rebuilt (0 when nothing is stale). `commit` is called after each batch
    so that no transaction holds the database for the whole rebuild."""
    if not is_stale(session):
        return 0
    tz = settings_service.load(session).timezone
    earned = [reason for reason in LedgerReason if reason.counts_as_earned]
    # The periods that hold buckets now, to read an advocate range's buckets by primary key
    # (period, period_start, advocate_id): the table has no index that starts with the advocate.
    # Only buckets that differ are written (a few hours' shift moves few entries across a boundary).
    held: dict[str, list] = {}
    for period, start in session.execute(select(PeriodTotal.period, PeriodTotal.period_start).distinct()):
        held.setdefault(period, []).append(start)
    upsert = _upsert(session)
    starts = PeriodStarts(tz)
    rebuilt, last = 0, 0
    while ids := list(session.scalars(select(Advocate.id).where(Advocate.id > last)
                                      .order_by(Advocate.id).limit(batch).with_for_update())):
        last = ids[-1]
        buckets: dict[tuple, list] = {}
        entries = session.execute(
            select(LedgerEntry.advocate_id, LedgerEntry.amount, LedgerEntry.created_at)
            .where(LedgerEntry.advocate_id.between(ids[0], last), LedgerEntry.reason.in_(earned)))
        for advocate_id, amount, at in entries:
            for key in starts(at):
                bucket = buckets.setdefault((*key, advocate_id), [0, at])
                bucket[0] += amount
                bucket[1] = max(bucket[1], at)
        buckets = {key: tuple(value) for key, value in buckets.items()}
        existing = _existing(session, held, ids[0], last)
        gone = [{"p": period, "s": start, "a": advocate_id} for period, start, advocate_id in existing
                if (period, start, advocate_id) not in buckets]
        if gone:
            session.execute(_DELETE_ONE, gone)
        changed = [{"period": period, "period_start": start, "advocate_id": advocate_id, "points": points,
                    "last_scored_at": scored}
                   for (period, start, advocate_id), (points, scored) in buckets.items()
                   if existing.get((period, start, advocate_id)) != (points, scored)]
        if changed:
            # An upsert: an award made since `held` was read may have started a bucket of its own.
            session.execute(upsert, changed)
        rebuilt += len(ids)
        if commit:
            commit()
    marker = session.get(ProgramSetting, MARKER)
    marker.value, marker.updated_at = tz, now
    session.flush()
    return rebuilt


_TABLE = PeriodTotal.__table__
_DELETE_ONE = delete(_TABLE).where(_TABLE.c.period == bindparam("p"), _TABLE.c.period_start == bindparam("s"),
                                   _TABLE.c.advocate_id == bindparam("a"))


def _existing(session: Session, held: dict[str, list], first: int, last: int) -> dict[tuple, tuple]:
    """The stored buckets of advocates first..last: (period, start, advocate) -> (points, last scored)."""
    found = {}
    for period, periods in held.items():
        for start, advocate_id, points, scored in session.execute(
                select(_TABLE.c.period_start, _TABLE.c.advocate_id, _TABLE.c.points, _TABLE.c.last_scored_at)
                .where(_TABLE.c.period == period, _TABLE.c.period_start.in_(periods),
                       _TABLE.c.advocate_id.between(first, last))):
            found[(period, start, advocate_id)] = (points, scored)
    return found


def _upsert(session: Session):
    stmt = dialect_insert(session)(_TABLE)
    return stmt.on_conflict_do_update(
        index_elements=["period", "period_start", "advocate_id"],
        set_={"points": stmt.excluded.points, "last_scored_at": stmt.excluded.last_scored_at})
