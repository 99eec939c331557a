"""The scheduled jobs, in one registry: name → function and trigger.

A job function takes (session, now) and returns how many items it touched; it calls one
service that does set-based, idempotent work. The runner (app/jobs/runner.py) adds the app
context, the job lease, the transaction, logging and the run record.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

# After each committed batch a job on SQLite waits a moment before its next BEGIN IMMEDIATE. SQLite's
# busy handler polls (every 100 ms at most, and only at those instants), so a job in another process
# that began again at once kept winning the write lock, and a web writer waited out its busy timeout
# (a gunicorn worker timeout). PostgreSQL queues lock waiters, so it needs no pause.
BATCH_PAUSE_S = 0.1


def batch_commit(session: Session) -> Callable[[], None]:
    """The `commit` a job hands a batched service: commit the batch, then (on SQLite) give waiting
    writers their turn at the write lock before the next batch begins."""
    pause = session.get_bind().dialect.name == "sqlite"

    def commit() -> None:
        session.commit()
        if pause:
            time.sleep(BATCH_PAUSE_S)

    return commit


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[Session, datetime], int]
    # APScheduler add_job keyword arguments, e.g. {"trigger": "interval", "minutes": 5}
    trigger: dict = field(default_factory=dict)
    # May name program settings, e.g. "{reminder_after_start_hours} h": describe() fills them in.
    description: str = ""

    def describe(self, settings: dict) -> str:
        """The description with the program's current setting values."""
        return self.description.format_map(settings)


def registry() -> list[Job]:
    from app.jobs import accounts, api, asks, missions, outbox, program, references, reports  # noqa: I001
    from app.jobs import slack, triggers, webhooks

    return [*missions.JOBS, *outbox.JOBS, *program.JOBS, *asks.JOBS, *triggers.JOBS, *api.JOBS,
            *accounts.JOBS, *webhooks.JOBS, *slack.JOBS, *references.JOBS,
            *reports.JOBS]
