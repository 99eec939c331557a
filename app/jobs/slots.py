"""Due times on a shared grid: every interval job is due at ANCHOR + n × its interval.

All scheduler processes derive the same due times from the same anchor, whenever each one
started, so "the run for 10:15" means one thing everywhere and can be claimed in the database
(job_run.due_at). A run serves the latest due time at or before the moment it starts.
"""

from datetime import UTC, datetime, timedelta

from app.jobs import Job

# A fixed point on the grid (naive UTC like every stored time): a Thursday midnight, so hourly
# jobs fall on the hour, six-hourly ones at 00/06/12/18 UTC and the weekly one on Thursdays.
ANCHOR = datetime(2026, 1, 1)
UNITS = ("weeks", "days", "hours", "minutes", "seconds")


def interval(job: Job, every_seconds: int | None = None) -> timedelta:
    """The job's interval: its trigger's, or `every_seconds` when that override is set."""
    if job.trigger.get("trigger") != "interval":
        raise ValueError(f"{job.name}: only interval triggers have due times on the grid")
    if every_seconds:
        return timedelta(seconds=every_seconds)
    length = timedelta(**{unit: job.trigger[unit] for unit in UNITS if unit in job.trigger})
    if length <= timedelta(0):
        raise ValueError(f"{job.name}: an interval must be positive")
    return length


def latest(now: datetime, every: timedelta, anchor: datetime = ANCHOR) -> datetime:
    """The latest due time at or before `now` on the grid anchor + n × every."""
    return anchor + ((now - anchor) // every) * every


def trigger(job: Job, every_seconds: int | None = None) -> dict:
    """APScheduler add_job keywords firing the job at each due time of the grid."""
    return {"trigger": "interval", "seconds": interval(job, every_seconds).total_seconds(),
            "start_date": ANCHOR.replace(tzinfo=UTC)}
