"""JSON API housekeeping: forget Idempotency-Keys past their retention, and stale rate-limit counts."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from app.jobs import Job, batch_commit
from app.services.api import idempotency
from app.services.api import keys as api_keys


def purge_api_records(session: Session, now: datetime) -> int:
    retention = timedelta(hours=current_app.config["API_IDEMPOTENCY_RETENTION_HOURS"])
    # Each batch is committed as it goes (see idempotency.purge_expired).
    deleted = idempotency.purge_expired(session, now=now, retention=retention, commit=batch_commit(session))
    return deleted + api_keys.purge_request_counts(session, now=now)


JOBS = [Job("purge_api_records", purge_api_records, {"trigger": "interval", "hours": 1},
            "Delete API idempotency records older than the retention (API_IDEMPOTENCY_RETENTION_HOURS, "
            "24 h by default) and request counts that have left the rate limit's 60-second window.")]
