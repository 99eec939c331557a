"""Mission clockwork jobs: expiry, reminders and escalations (each one sweep in services.sweeps,
committed batch by batch so no transaction holds SQLite's write lock for long)."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.jobs import Job, batch_commit
from app.services.missions import sweeps


def expire_due_attempts(session: Session, now: datetime) -> int:
    return sweeps.expire_due_attempts(session, now=now, commit=batch_commit(session))


def remind_after_start(session: Session, now: datetime) -> int:
    return sweeps.remind_after_start(session, now=now, commit=batch_commit(session))


def remind_before_deadline(session: Session, now: datetime) -> int:
    return sweeps.remind_before_deadline(session, now=now, commit=batch_commit(session))


def escalate_to_csm(session: Session, now: datetime) -> int:
    return sweeps.escalate_to_csm(session, now=now, commit=batch_commit(session))


def escalate_waiting_approvals(session: Session, now: datetime) -> int:
    return sweeps.escalate_waiting_approvals(session, now=now, commit=batch_commit(session))


JOBS = [
    Job("expire_due_attempts", expire_due_attempts, {"trigger": "interval", "minutes": 5},
        "Expire started attempts at their deadline and rejected ones whose mission closed."),
    Job("remind_after_start", remind_after_start, {"trigger": "interval", "minutes": 15},
        "Remind advocates once when a started mission has no submission after "
        "{reminder_after_start_hours} h."),
    Job("remind_before_deadline", remind_before_deadline, {"trigger": "interval", "minutes": 15},
        "Remind advocates once when a started mission's deadline is within "
        "{reminder_before_deadline_hours} h."),
    Job("escalate_to_csm", escalate_to_csm, {"trigger": "interval", "minutes": 15},
        "Tell the owner CSM once when a started mission is {escalate_csm_days_before} days from its "
        "deadline."),
    Job("escalate_waiting_approvals", escalate_waiting_approvals, {"trigger": "interval", "minutes": 15},
        "Tell marketing and admins once when a submission has waited over {escalate_approval_days} days "
        "for approval."),
]
