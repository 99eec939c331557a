"""The scheduled jobs, in one registry: name → function and trigger.

A job function takes (session, now) and returns how many items it touched; it calls one
service that does set-based, idempotent work. The runner (app/jobs/runner.py) adds the app
context, the job lease, the transaction, logging and the run record.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session


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
    from app.jobs import accounts, api, asks, missions, outbox, program, triggers

    return [*missions.JOBS, *outbox.JOBS, *program.JOBS, *asks.JOBS, *triggers.JOBS, *api.JOBS,
            *accounts.JOBS]
