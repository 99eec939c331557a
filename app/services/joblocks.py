"""Job leases and run records: one holder per job at a time, and a row per run for the admin page.

A lease is a row in job_lock taken by a single guarded UPDATE (`leased_until` empty or past), so
two schedulers racing for it cannot both win; a holder that crashes simply lets its lease run out.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.models import JobLock, JobRun
from app.services.notifications import dialect_insert


def acquire(session: Session, *, name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """Take the lease on `name` until now + lease if it is free or expired; False if someone holds it."""
    session.execute(dialect_insert(session)(JobLock).values(name=name, holder=None, leased_until=None)
                    .on_conflict_do_nothing(index_elements=["name"]))
    result = session.execute(
        update(JobLock)
        .where(JobLock.name == name, or_(JobLock.leased_until.is_(None), JobLock.leased_until < now))
        .values(holder=holder, leased_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(session: Session, *, name: str, holder: str) -> bool:
    """Give the lease back, only if `holder` still holds it."""
    result = session.execute(
        update(JobLock).where(JobLock.name == name, JobLock.holder == holder)
        .values(holder=None, leased_until=None).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def start_run(session: Session, *, name: str, holder: str, now: datetime) -> JobRun:
    run = JobRun(name=name, holder=holder, started_at=now, items=0)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, *, run_id: int, now: datetime, duration_ms: int, items: int = 0,
               error: str | None = None) -> None:
    session.execute(update(JobRun).where(JobRun.id == run_id).values(
        finished_at=now, duration_ms=duration_ms, items=items, error=error
    ).execution_options(synchronize_session=False))


def latest_runs(session: Session, *, names: list[str], failed_only: bool = False) -> dict[str, JobRun]:
    """The most recent run (or failed run) of each named job."""
    stmt = select(JobRun.name, func.max(JobRun.id)).where(JobRun.name.in_(names))
    if failed_only:
        stmt = stmt.where(JobRun.error.is_not(None))
    ids = [run_id for _, run_id in session.execute(stmt.group_by(JobRun.name))]
    return {run.name: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(ids)))}
