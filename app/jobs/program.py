"""Program-wide jobs: re-engagement of inactive advocates, status promotions that come due with time,
the leaderboard buckets after a timezone change, and the weekly scoring of customer records."""

from datetime import datetime

from sqlalchemy.orm import Session

from app.jobs import Job, batch_commit
from app.services.customers import readiness
from app.services.messaging import reengagement
from app.services.points import period_totals, status


def send_reengagement(session: Session, now: datetime) -> int:
    return reengagement.send_due(session, now=now, commit=batch_commit(session))


def promote_due_status(session: Session, now: datetime) -> int:
    return status.promote_due(session, now=now, commit=batch_commit(session))


def rebuild_period_totals(session: Session, now: datetime) -> int:
    return period_totals.rebuild_if_stale(session, now=now, commit=batch_commit(session))


def score_customers(session: Session, now: datetime) -> int:
    return readiness.score_customers(session, now=now, commit=batch_commit(session))


JOBS = [
    Job("send_reengagement", send_reengagement, {"trigger": "interval", "hours": 6},
        "Check in once each with advocates inactive for {reengage_first_days}, {reengage_second_days} "
        "and {reengage_third_days} days."),
    Job("promote_due_status", promote_due_status, {"trigger": "interval", "hours": 6},
        "Promote advocates whose next status came due with time (e.g. Platinum after months at Gold)."),
    Job("rebuild_period_totals", rebuild_period_totals, {"trigger": "interval", "minutes": 15},
        "After a timezone change, rebuild the week and month leaderboards from the ledger in the "
        "{timezone} calendar (does nothing otherwise)."),
    Job("score_customers", score_customers, {"trigger": "interval", "weeks": 1},
        "Score every customer record from its signals, mark who is eligible (NPS ≥ {eligible_min_nps}, "
        "health ≥ {eligible_min_health}, {eligible_min_tenure_months}+ months a customer, product use in "
        "the last {eligible_active_days} days) and give readiness tiers: the qualified advocates list."),
]
