"""Runs scheduled jobs and builds the APScheduler 3 scheduler that triggers them.

`run_once` is the edge for a job: it pushes an app context, takes the job's database lease (so
two schedulers on two hosts never run one job at once; a crashed holder's lease runs out),
records the run, calls the job in one transaction and commits or rolls back. The scheduler
keeps its jobs in memory (the list lives in code) with coalesce, max_instances=1 and an hour of
misfire grace: every job is a catch-up sweep, so a late run does no harm.
"""

import atexit
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from app.extensions import db
from app.jobs import Job, registry
from app.services import clock, joblocks

log = logging.getLogger(__name__)

# Longer than any job may take; a holder killed mid-run blocks the job for at most this long.
LEASE = timedelta(minutes=10)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
# An interval trigger first fires one interval after start, so a scheduler restarted more often
# than every six hours would never run the six-hourly jobs. Each job is an idempotent catch-up
# sweep, so every job instead runs soon after start, a few seconds apart, then on its interval.
FIRST_RUN_AFTER = timedelta(seconds=15)
FIRST_RUN_STAGGER = timedelta(seconds=5)


@dataclass(frozen=True)
class Outcome:
    name: str
    ran: bool  # False when another holder had the lease
    items: int = 0
    error: str | None = None
    duration_ms: int = 0


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def find(name: str) -> Job | None:
    return next((job for job in registry() if job.name == name), None)


def run_once(app, job: Job, holder: str | None = None, now: datetime | None = None) -> Outcome:
    """Run `job` once under its lease, in its own app context and session; never raises for job errors."""
    with app.app_context():
        try:
            return _run_leased(job, holder or default_holder(), now)
        finally:
            db.session.remove()


def _run_leased(job: Job, holder: str, now: datetime | None) -> Outcome:
    session = db.session
    if not joblocks.acquire(session, name=job.name, holder=holder, now=clock.utcnow(), lease=LEASE):
        session.rollback()
        log.info("job %s skipped: another scheduler holds its lease", job.name)
        return Outcome(job.name, ran=False)
    run_id = joblocks.start_run(session, name=job.name, holder=holder, now=clock.utcnow()).id
    session.commit()
    started = time.monotonic()
    items, error = 0, None
    try:
        items = job.func(session, now or clock.utcnow())
        session.commit()
    except Exception as failure:  # noqa: BLE001 (recorded on the run and logged, then the lease freed)
        session.rollback()
        error = f"{type(failure).__name__}: {failure}"
        log.exception("job %s failed", job.name)
    duration_ms = int((time.monotonic() - started) * 1000)
    joblocks.finish_run(session, run_id=run_id, now=clock.utcnow(), duration_ms=duration_ms,
                        items=items, error=error)
    joblocks.release(session, name=job.name, holder=holder)
    session.commit()
    log.info("job %s: %s items in %s ms%s", job.name, items, duration_ms, f" ({error})" if error else "")
    return Outcome(job.name, ran=True, items=items, error=error, duration_ms=duration_ms)


def build_scheduler(app, blocking: bool):
    """A Blocking (own process) or Background (inside the web process) scheduler with every job."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(jobstores={"default": MemoryJobStore()}, job_defaults=JOB_DEFAULTS, timezone="UTC")
    holder = default_holder()
    first = datetime.now(UTC) + FIRST_RUN_AFTER
    for index, job in enumerate(registry()):
        scheduler.add_job(run_once, args=(app, job, holder), id=job.name, name=job.name,
                          replace_existing=True, next_run_time=first + index * FIRST_RUN_STAGGER,
                          **job.trigger)
    return scheduler


def register_scheduler(app):
    """Start a background scheduler in this process, only when SCHEDULER_ENABLED is set."""
    if not app.config.get("SCHEDULER_ENABLED"):
        return None
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    atexit.register(lambda: scheduler.running and scheduler.shutdown(wait=False))
    log.info("in-process scheduler started with %s jobs", len(scheduler.get_jobs()))
    return scheduler
