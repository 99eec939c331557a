"""Job leases and run records: one holder per job at a time, one run per due time, a row per run.

A lease is a row in job_lock taken by a single guarded UPDATE (`leased_until` empty or past), so
two schedulers racing for it cannot both win. Leases are short and the holder renews its lease
while the job runs (a heartbeat), so a holder that dies stops renewing and its lease runs out within
one lease length; whoever takes the lease next marks the dead holder's unfinished runs abandoned.
A scheduled run also claims its due time (`claim`): the unique index uq_job_run_slot lets one run
that is not abandoned hold each (name, due_at), so a due time is never served twice.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.db.dialect import dialect_insert
from app.models import JobLock, JobRun
from app.models.ops import LIVE_RUN
from app.services.errors import Conflict

HOLDER_STOPPED = "the scheduler process stopped during this run"


class LeaseLive(Conflict):
    """The lease is held and still being renewed, so its holder is alive."""


def acquire(session: Session, *, name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """Take the lease on `name` until now + lease if it is free or expired; False if someone holds it.

    Taking it over from a holder whose lease ran out marks that holder's unfinished runs abandoned
    (only a lease holder has an unfinished run, so any such run belongs to a holder that stopped).
    """
    session.execute(dialect_insert(session)(JobLock).values(name=name, holder=None, leased_until=None)
                    .on_conflict_do_nothing(index_elements=["name"]))
    result = session.execute(
        update(JobLock)
        .where(JobLock.name == name, or_(JobLock.leased_until.is_(None), JobLock.leased_until < now))
        .values(holder=holder, leased_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    abandon(session, now=now, name=name)
    return True


def renew(session: Session, *, name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """The heartbeat: extend `holder`'s lease to now + lease; False if it is no longer theirs."""
    result = session.execute(
        update(JobLock).where(JobLock.name == name, JobLock.holder == holder)
        .values(leased_until=now + lease).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(session: Session, *, name: str, holder: str) -> bool:
    """Give the lease back, only if `holder` still holds it."""
    result = session.execute(
        update(JobLock).where(JobLock.name == name, JobLock.holder == holder)
        .values(holder=None, leased_until=None).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def claim(session: Session, *, name: str, holder: str, now: datetime, due_at: datetime | None) -> int | None:
    """Record a run of `name` serving `due_at` and return its id; None if a run already holds that
    due time. Call it holding the lease, in the lease's transaction. A manual run (due_at None)
    always gets a row."""
    row = {"name": name, "holder": holder, "started_at": now, "items": 0, "due_at": due_at,
           "abandoned": False}
    stmt = dialect_insert(session)(JobRun).values(**row).on_conflict_do_nothing(
        index_elements=["name", "due_at"], index_where=LIVE_RUN).returning(JobRun.id)
    return session.scalar(stmt)


def start_run(session: Session, *, name: str, holder: str, now: datetime) -> JobRun:
    run = JobRun(name=name, holder=holder, started_at=now, items=0)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, *, run_id: int, now: datetime, duration_ms: int, items: int = 0,
               error: str | None = None) -> None:
    """Record the outcome, unless the run was given up meanwhile (its holder was taken for dead)."""
    session.execute(update(JobRun).where(JobRun.id == run_id, LIVE_RUN).values(
        finished_at=now, duration_ms=duration_ms, items=items, error=error
    ).execution_options(synchronize_session=False))


def abandon(session: Session, *, now: datetime, name: str | None = None, holder: str | None = None,
            reason: str = HOLDER_STOPPED) -> int:
    """Mark unfinished runs (of job `name` and/or of `holder`) abandoned: finished now, with `reason`.
    Their due times become free to claim again. Returns how many."""
    stmt = update(JobRun).where(JobRun.finished_at.is_(None), LIVE_RUN)
    if name is not None:
        stmt = stmt.where(JobRun.name == name)
    if holder is not None:
        stmt = stmt.where(JobRun.holder == holder)
    result = session.execute(stmt.values(finished_at=now, abandoned=True, error=reason)
                             .execution_options(synchronize_session=False))
    return result.rowcount


def stop_holder(session: Session, *, holder: str, now: datetime, reason: str) -> tuple[int, int]:
    """A holder that is stopping: its unfinished runs abandoned with `reason`, every lease it holds
    given back at once. Returns (runs abandoned, leases released)."""
    runs = abandon(session, now=now, holder=holder, reason=reason)
    result = session.execute(update(JobLock).where(JobLock.holder == holder)
                             .values(holder=None, leased_until=None)
                             .execution_options(synchronize_session=False))
    return runs, result.rowcount


def clear_stale(session: Session, *, name: str, now: datetime) -> JobLock | None:
    """Free `name`'s lease if it has run out, marking the stopped holder's unfinished runs abandoned.

    Raises LeaseLive while the lease is live (its holder is renewing it, so it is running the job);
    returns the lease as it was, or None when nothing was held."""
    lock = session.get(JobLock, name)
    if lock is None or lock.leased_until is None:
        return None
    if lock.leased_until >= now:
        raise LeaseLive(f"{name} is running: {lock.holder} renewed its lease, which now runs until "
                        f"{lock.leased_until:%H:%M:%S} UTC. A lease frees itself within a minute of "
                        "its holder stopping.")
    was = JobLock(name=lock.name, holder=lock.holder, leased_until=lock.leased_until)
    lock.holder, lock.leased_until = None, None
    abandon(session, now=now, name=name)
    session.flush()
    return was


def unserved(session: Session, *, due: dict[str, datetime], now: datetime) -> list[str]:
    """The jobs among `due` (name → latest due time) that should run now: no run finished for that
    due time, and nobody holds a live lease on the job (a run whose holder died counts as not
    finished: the next run takes the lease over and claims the due time again)."""
    served = set(session.scalars(select(JobRun.name).where(
        JobRun.name.in_(due), JobRun.finished_at.is_not(None), LIVE_RUN,
        or_(*(and_(JobRun.name == name, JobRun.due_at == at) for name, at in due.items())))))
    busy = set(session.scalars(select(JobLock.name).where(JobLock.name.in_(due),
                                                          JobLock.leased_until >= now)))
    return [name for name in due if name not in served and name not in busy]


def leases(session: Session, *, names: list[str]) -> dict[str, JobLock]:
    return {lock.name: lock for lock in session.scalars(select(JobLock).where(JobLock.name.in_(names)))}


def latest_runs(session: Session, *, names: list[str], failed_only: bool = False) -> dict[str, JobRun]:
    """The most recent run (or failed run) of each named job."""
    stmt = select(JobRun.name, func.max(JobRun.id)).where(JobRun.name.in_(names))
    if failed_only:
        stmt = stmt.where(JobRun.error.is_not(None))
    ids = [run_id for _, run_id in session.execute(stmt.group_by(JobRun.name))]
    return {run.name: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(ids)))}
