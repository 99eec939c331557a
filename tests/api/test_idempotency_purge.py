"""purge_api_records: Idempotency-Keys are forgotten after the retention (API_IDEMPOTENCY_RETENTION_HOURS,
24 h by default), in batches, under the job's lease; stale per-minute request counts go too."""

from datetime import timedelta

from sqlalchemy import func, select

from app.jobs import api as api_jobs
from app.jobs import registry
from app.jobs.runner import run_once
from app.models import ApiKey, ApiRequestCount, IdempotencyRecord, LedgerEntry
from app.services import clock
from app.services.api import idempotency
from app.services.api import keys as api_keys
from app.services.api import rate as api_rate
from app.services.operations import joblocks
from tests.api.conftest import ApiClient
from tests.factories import make_advocate

PURGE = next(job for job in registry() if job.name == "purge_api_records")
H = timedelta(hours=1)


def _count(session, model) -> int:
    """Count, then end the transaction (on SQLite every transaction holds the write lock the job needs)."""
    session.expire_all()
    counted = session.scalar(select(func.count()).select_from(model))
    session.commit()
    return counted


def _records(session, key_id: int, *ages: timedelta, now) -> None:
    for n, age in enumerate(ages):
        idempotency.claim(session, api_key_id=key_id, key=f"k{n}-{age}", fingerprint="f", now=now - age)
    session.commit()


def _key_id(session, make_key) -> int:
    make_key("write")
    return session.scalars(select(ApiKey.id)).one()


def test_records_past_the_retention_are_deleted_and_younger_ones_kept(session, make_key, now):
    key_id = _key_id(session, make_key)
    _records(session, key_id, 25 * H, 24 * H + timedelta(seconds=1), 24 * H, 2 * H, timedelta(0), now=now)
    assert idempotency.purge_expired(session, now=now, retention=24 * H) == 2
    session.commit()
    ages = sorted(now - r.created_at for r in session.scalars(select(IdempotencyRecord)))
    assert ages == [timedelta(0), 2 * H, 24 * H]
    assert idempotency.purge_expired(session, now=now, retention=24 * H) == 0  # idempotent


def test_the_purge_deletes_in_batches_committing_each(session, make_key, now):
    key_id = _key_id(session, make_key)
    _records(session, key_id, *[30 * H + n * timedelta(minutes=1) for n in range(10)], H, now=now)
    commits = []
    deleted = idempotency.purge_expired(session, now=now, retention=24 * H, batch=3,
                                        commit=lambda: commits.append(_pending(session)))
    assert deleted == 10 and commits == [8, 5, 2, 1]
    assert _count(session, IdempotencyRecord) == 1


def _pending(session) -> int:
    session.commit()
    return _count(session, IdempotencyRecord)  # what is left after this batch's commit


def test_the_job_forgets_a_key_after_the_retention_under_its_lease(app, client, session, make_key, now):
    api = ApiClient(client, make_key("write"))
    advocate = make_advocate(session)
    session.commit()
    path = f"/advocates/{advocate.id}/adjustments"
    first = api.post(path, json={"amount": 10, "reason": "Webinar"}, key="webinar-1")
    assert first.status_code == 201
    assert api.post(path, json={"amount": 10, "reason": "Webinar"}, key="webinar-1").headers[
        "Idempotent-Replayed"] == "true"
    assert _count(session, IdempotencyRecord) == 1

    clock.freeze(now + 23 * H)
    assert run_once(app, PURGE, holder="test").ran
    assert _count(session, IdempotencyRecord) == 1  # (the minute's request count went: older than an hour)

    clock.freeze(now + 25 * H)
    joblocks.acquire(session, name=PURGE.name, holder="other host", now=clock.utcnow(), lease=H)
    session.commit()
    assert run_once(app, PURGE, holder="test").ran is False  # another scheduler holds the job
    joblocks.release(session, name=PURGE.name, holder="other host")
    session.commit()
    outcome = run_once(app, PURGE, holder="test")
    assert (outcome.ran, outcome.error) == (True, None) and outcome.items >= 1
    assert _count(session, IdempotencyRecord) == 0

    # The key is forgotten: the request runs again. An adjustment's ledger key is the Idempotency-Key,
    # so even then the points are awarded once.
    again = api.post(path, json={"amount": 10, "reason": "Webinar"}, key="webinar-1")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert _count(session, LedgerEntry) == 1


def test_the_retention_comes_from_the_config(app_factory, now):
    from app.extensions import db
    from app.models import ApiScope

    app = app_factory(API_IDEMPOTENCY_RETENTION_HOURS=2)
    with app.app_context():
        key_id = api_keys.create_key(db.session, name="k", scope=ApiScope.WRITE, created_by=None,
                                     now=now).key.id
        _records(db.session, key_id, 3 * H, H, now=now)
        assert run_once(app, PURGE, holder="test").items == 1
        assert _count(db.session, IdempotencyRecord) == 1


def test_stale_request_counts_of_every_key_are_purged(session, make_key, now):
    make_key("read", name="idle")
    make_key("read", name="busy")
    idle, busy = session.scalars(select(ApiKey).order_by(ApiKey.id)).all()
    for seconds in (180, 90, 60):
        session.add(ApiRequestCount(api_key_id=idle.id, window_start=now - timedelta(seconds=seconds),
                                    count=3))
    session.add(ApiRequestCount(api_key_id=idle.id, window_start=now - timedelta(seconds=59), count=1))
    session.commit()
    api_rate.take(session, key_id=busy.id, now=now, limit=10)
    session.commit()
    assert api_jobs.purge_api_records(session, now) == 3
    session.commit()
    assert sorted((c.api_key_id, c.window_start) for c in session.scalars(select(ApiRequestCount))) == [
        (idle.id, now - timedelta(seconds=59)), (busy.id, now)]
