"""Scheduled jobs (admin only): schedule, last run, duration, items, last error, "Run now", and
clearing a stale lease (one whose holder stopped renewing it)."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.confirmation import ask_first
from app.extensions import db
from app.jobs import registry
from app.jobs.heartbeat import Timing
from app.jobs.runner import find, run_once
from app.security import role_required
from app.services import clock
from app.services.errors import DomainError
from app.services.operations import joblocks
from app.services.program import settings as settings_service


def schedule_label(trigger: dict) -> str:
    """'every 15 minutes' from APScheduler add_job keywords (interval triggers; cron shown raw)."""
    if trigger.get("trigger") != "interval":
        fields = ", ".join(f"{k}={v}" for k, v in trigger.items() if k != "trigger")
        return f"{trigger.get('trigger', '?')} ({fields})"
    parts = [f"{value} {unit if value != 1 else unit.rstrip('s')}"
             for unit, value in trigger.items() if unit != "trigger"]
    return "every " + ", ".join(parts)


def lease_state(lock, now) -> str:
    """"free", "live" (its holder renews it: the job is running) or "stale" (it ran out unreleased)."""
    if lock is None or lock.leased_until is None:
        return "free"
    return "live" if lock.leased_until >= now else "stale"


@bp.get("/jobs")
@role_required()
def jobs_list():
    jobs, now = registry(), clock.utcnow()
    names = [job.name for job in jobs]
    last = joblocks.latest_runs(db.session, names=names)
    failed = joblocks.latest_runs(db.session, names=names, failed_only=True)
    leases = joblocks.leases(db.session, names=names)
    values = settings_service.load(db.session).values
    every_s = Timing.of(current_app.config).every_s
    return render_template("admin/jobs.html", jobs=jobs, last=last, failed=failed, leases=leases,
                           state=lambda name: lease_state(leases.get(name), now),
                           schedule=lambda job: schedule_label(
                               {"trigger": "interval", "seconds": every_s} if every_s else job.trigger),
                           describe=lambda job: job.describe(values))


@bp.post("/jobs/<name>/run")
@role_required()
def job_run(name: str):
    job = find(name)
    if job is None:
        abort(404)
    holder = f"admin:{current_user.id}"
    # The run uses its own app context and session; end this request's transaction first so
    # SQLite's single writer lock is free for it.
    db.session.rollback()
    outcome = run_once(current_app._get_current_object(), job, holder=holder)
    if not outcome.ran:
        flash(f"{name} is running elsewhere right now; try again in a moment.", "info")
    elif outcome.error:
        flash(f"{name} failed: {outcome.error}", "error")
    else:
        flash(f"{name} ran: {outcome.items} items touched in {outcome.duration_ms} ms.", "success")
    return redirect(url_for("admin.jobs_list"))


@bp.post("/jobs/<name>/clear-lease")
@role_required()
def job_clear_lease(name: str):
    if find(name) is None:
        abort(404)
    if asked := ask_first("clear_lease", cancel_url=url_for("admin.jobs_list"), name=name):
        return asked
    try:
        was = joblocks.clear_stale(db.session, name=name, now=clock.utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.jobs_list"))
    db.session.commit()
    flash(f"{name}'s lease, left by {was.holder}, is cleared; its unfinished run is marked stopped."
          if was else f"{name} holds no lease: nothing to clear.", "success" if was else "info")
    return redirect(url_for("admin.jobs_list"))
