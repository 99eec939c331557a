"""Runs scheduled jobs and builds the APScheduler 3 scheduler that triggers them.

`run_once` is the edge for a job: it pushes an app context, takes the job's database lease (so
two schedulers never run one job at once), claims the due time it serves when it is a scheduled
run (so each due time is served once across every scheduler process), records the run, keeps
the lease alive with a heartbeat while the job runs, commits or rolls back, and gives the lease
back. Every job fires at the due times of a grid shared by all processes (app/jobs/slots.py);
a catch-up check every SCHEDULER_CATCH_UP_SECONDS runs any job whose latest due time has not been
served and whose lease is free: after a start, a restart, a missed due time or a dead holder.
"""

import atexit
import contextlib
import logging
import os
import signal
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from app.extensions import db
from app.jobs import Job, registry, slots
from app.jobs.heartbeat import Heartbeat, Timing
from app.services import clock
from app.services.operations import joblocks

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
# One job at a time per scheduler process: many jobs come due together (on start, the catch-up runs
# every unserved one), and side by side they only queued for SQLite's one write lock (and the web's
# writers behind them) or took CPU from the web; a job's heartbeat runs in its own thread.
WORKERS = 1
CATCH_UP = "catch-up"
LEASED = "leased"  # another holder has the lease
SERVED = "served"  # a run already served this due time
STOPPED = "the scheduler process was stopped (SIGTERM or Ctrl+C) during this run"


@dataclass(frozen=True)
class Outcome:
    name: str
    ran: bool
    items: int = 0
    error: str | None = None
    duration_ms: int = 0
    skipped: str | None = None  # why it did not run: LEASED or SERVED


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def find(name: str) -> Job | None:
    return next((job for job in registry() if job.name == name), None)


def run_once(app, job: Job, holder: str | None = None, now: datetime | None = None,
             due_at: datetime | None = None) -> Outcome:
    """Run `job` once under its lease, in its own app context and session; never raises for job
    errors. A scheduled run passes the due time it serves (`due_at`); a manual run has none."""
    with app.app_context():
        try:
            return _run_leased(app, job, holder or default_holder(), now, due_at)
        finally:
            db.session.remove()


def _run_leased(app, job: Job, holder: str, now: datetime | None, due_at: datetime | None) -> Outcome:
    session = db.session
    timing = Timing.of(app.config)
    run_id, skipped = _claim(session, job.name, holder, due_at, timing)
    if run_id is None:
        return Outcome(job.name, ran=False, skipped=skipped)
    started = time.monotonic()
    items, error = 0, None
    with Heartbeat(app, job.name, holder, timing):
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


def _claim(session, name: str, holder: str, due_at: datetime | None, timing: Timing):
    """Lease first, then the due time, in one transaction: (run id, None) or (None, why not)."""
    now = clock.utcnow()
    if not joblocks.acquire(session, name=name, holder=holder, now=now, lease=timing.lease):
        session.rollback()
        log.info("job %s skipped: another scheduler holds its lease", name)
        return None, LEASED
    run_id = joblocks.claim(session, name=name, holder=holder, now=now, due_at=due_at)
    if run_id is None:
        session.rollback()  # gives the lease back too: it was taken in this transaction
        log.info("job %s skipped: it already ran for %s", name, due_at)
        return None, SERVED
    session.commit()
    return run_id, None


def run_due(app, job: Job, holder: str) -> Outcome:
    """A scheduled run: it serves the latest due time on the job's grid."""
    every = slots.interval(job, Timing.of(app.config).every_s)
    return run_once(app, job, holder, due_at=slots.latest(clock.utcnow(), every))


def catch_up(app, scheduler, holder: str) -> list[str]:
    """Start now every job whose latest due time is unserved and whose lease is free."""
    every_s = Timing.of(app.config).every_s
    jobs = {job.name: job for job in registry()}
    now = clock.utcnow()
    due = {name: slots.latest(now, slots.interval(job, every_s)) for name, job in jobs.items()}
    with app.app_context():
        try:
            names = joblocks.unserved(db.session, due=due, now=now)
            db.session.rollback()
        finally:
            db.session.remove()
    for name in names:
        scheduler.add_job(run_due, "date", args=(app, jobs[name], holder), id=f"{name}:{CATCH_UP}",
                          name=f"{name} (catch-up)", replace_existing=True)
    if names:
        log.info("catch-up: %s", ", ".join(names))
    return names


def build_scheduler(app, holder: str | None = None):
    """A scheduler running on its own threads with every job on its grid, and the catch-up check,
    first run at once."""
    scheduler = BackgroundScheduler(jobstores={"default": MemoryJobStore()},
                    executors={"default": ThreadPoolExecutor(WORKERS)},
                    job_defaults=JOB_DEFAULTS, timezone="UTC")
    holder = holder or default_holder()
    timing = Timing.of(app.config)
    for job in registry():
        scheduler.add_job(run_due, args=(app, job, holder), id=job.name, name=job.name,
                          replace_existing=True, **slots.trigger(job, timing.every_s))
    scheduler.add_job(catch_up, "interval", seconds=timing.catch_up_s, args=(app, scheduler, holder),
                      id=CATCH_UP, name=CATCH_UP, next_run_time=datetime.now(UTC), replace_existing=True)
    return scheduler


def serve(app, holder: str | None = None, echo=print) -> tuple[int, int]:
    """Run the scheduler until SIGTERM or Ctrl+C, then `stop` it; returns what `stop` did.

    This thread only waits while the scheduler's threads run the jobs, so the signal's exception
    always lands here: APScheduler's own loop catches BaseException around each job it submits, and
    a SIGTERM arriving there was logged and ignored."""
    holder = holder or default_holder()
    scheduler = build_scheduler(app, holder=holder)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    echo(f"Scheduler {holder} running {len(registry())} jobs; Ctrl+C or SIGTERM stops it.")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
        while True:
            time.sleep(60)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return stop(app, scheduler, holder)


def _exit_on_signal(signum, frame):
    raise SystemExit(0)


def stop(app, scheduler, holder: str) -> tuple[int, int]:
    """Stop firing jobs, mark this holder's unfinished runs stopped and give its leases back at once.
    Returns (runs marked stopped, leases released); a database error is logged (the leases then run
    out within SCHEDULER_LEASE_SECONDS)."""
    if scheduler.running:
        scheduler.shutdown(wait=False)
    with app.app_context():
        try:
            done = joblocks.stop_holder(db.session, holder=holder, now=clock.utcnow(), reason=STOPPED)
            db.session.commit()
            return done
        except Exception:  # noqa: BLE001 (stopping must not hang or crash on the way out)
            db.session.rollback()
            log.exception("scheduler %s: could not release its leases; they run out on their own", holder)
            return 0, 0
        finally:
            db.session.remove()


def register_scheduler(app):
    """Start a background scheduler in this process, only when SCHEDULER_ENABLED is set."""
    if not app.config.get("SCHEDULER_ENABLED"):
        return None
    holder = default_holder()
    scheduler = build_scheduler(app, holder=holder)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    atexit.register(lambda: scheduler.running and stop(app, scheduler, holder))
    log.info("in-process scheduler started with %s jobs", len(registry()))
    return scheduler
