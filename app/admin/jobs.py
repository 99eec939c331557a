"""Scheduled jobs (admin only): schedule, last run, duration, items, last error, and "Run now"."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.extensions import db
from app.jobs import registry
from app.jobs.runner import find, run_once
from app.security import role_required
from app.services import joblocks
from app.services import settings as settings_service


def schedule_label(trigger: dict) -> str:
    """'every 15 minutes' from APScheduler add_job keywords (interval triggers; cron shown raw)."""
    if trigger.get("trigger") != "interval":
        fields = ", ".join(f"{k}={v}" for k, v in trigger.items() if k != "trigger")
        return f"{trigger.get('trigger', '?')} ({fields})"
    parts = [f"{value} {unit if value != 1 else unit.rstrip('s')}"
             for unit, value in trigger.items() if unit != "trigger"]
    return "every " + ", ".join(parts)


@bp.get("/jobs")
@role_required()
def jobs_list():
    jobs = registry()
    names = [job.name for job in jobs]
    last = joblocks.latest_runs(db.session, names=names)
    failed = joblocks.latest_runs(db.session, names=names, failed_only=True)
    values = settings_service.load(db.session).values
    return render_template("admin/jobs.html", jobs=jobs, last=last, failed=failed,
                           schedule_label=schedule_label, describe=lambda job: job.describe(values))


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
