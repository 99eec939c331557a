"""Twenty identical API writes at once with one Idempotency-Key: one effect, one answer for all; twenty
requests of one key at once against its rate limit: exactly the limit pass."""

import itertools
import threading
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Advocate, ApiKey, ApiRequestCount, ApiScope, LedgerEntry, StaffRole
from app.services import clock
from app.services.api import keys as api_keys
from app.services.api import rate as api_rate
from app.services.errors import RateLimited
from tests.factories import make_advocate, make_staff, make_submitted_attempt
from tests.reliability.conftest import THREADS, race


def _post_together(app, path: str, secret: str, body: dict, key: str) -> list:
    barrier = threading.Barrier(THREADS, timeout=60)
    responses, lock = [], threading.Lock()

    def run():
        client = app.test_client()
        barrier.wait()
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {secret}",
                                                         "Idempotency-Key": key})
        with lock:
            responses.append((response.status_code, response.get_json()))

    workers = [threading.Thread(target=run) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "a racing request hung"
    return responses


def _setup(app, *, attempt: bool = False):
    with app.app_context():
        admin = make_staff(db.session, role=StaffRole.ADMIN)
        secret = api_keys.create_key(db.session, name="racer", scope=ApiScope.WRITE, created_by=admin,
                                     now=clock.utcnow()).secret
        target = make_submitted_attempt(db.session) if attempt else make_advocate(db.session)
        db.session.commit()
        return secret, target.id, getattr(target, "advocate_id", target.id)


def _entries(app, advocate_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.advocate_id == advocate_id))


def test_twenty_concurrent_adjustments_with_one_key_make_one_entry(race_app):
    secret, advocate_id, _ = _setup(race_app)
    responses = _post_together(race_app, f"/api/v1/advocates/{advocate_id}/adjustments", secret,
                               {"amount": 25, "reason": "Race"}, key="one-key")
    assert [status for status, _ in responses] == [201] * THREADS
    assert len({str(body) for _, body in responses}) == 1, "every repeat answers with the first response"
    assert _entries(race_app, advocate_id) == 1
    with race_app.app_context():
        assert db.session.get(Advocate, advocate_id).balance == 25


def test_twenty_concurrent_approvals_with_one_key_award_once(race_app):
    secret, attempt_id, advocate_id = _setup(race_app, attempt=True)
    path = f"/api/v1/attempts/{attempt_id}/approve"
    responses = _post_together(race_app, path, secret, {}, key="approve-1")
    assert [status for status, _ in responses] == [200] * THREADS
    assert _entries(race_app, advocate_id) == 1


def _get_together(app, path: str, secret: str) -> list:
    barrier = threading.Barrier(THREADS, timeout=60)
    responses, lock = [], threading.Lock()

    def run():
        client = app.test_client()
        barrier.wait()
        response = client.get(path, headers={"Authorization": f"Bearer {secret}"})
        with lock:
            responses.append((response.status_code, response.headers.get("Retry-After")))

    workers = [threading.Thread(target=run) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "a racing request hung"
    return responses


def _counted(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.sum(ApiRequestCount.count), 0)))


def test_twenty_concurrent_requests_over_a_limit_of_five_pass_five(race_app):
    """The rate limit counts atomically: twenty requests of one key at once, five pass, fifteen are
    429s with a Retry-After, and only the five are counted."""
    race_app.config["API_RATE_LIMIT_PER_MINUTE"] = 5
    secret, _, _ = _setup(race_app)
    responses = _get_together(race_app, "/api/v1/advocates", secret)
    assert sorted(status for status, _ in responses) == [200] * 5 + [429] * (THREADS - 5)
    assert all(after is not None and int(after) >= 1 for status, after in responses if status == 429)
    assert _counted(race_app) == 5


def test_concurrent_requests_in_different_seconds_share_one_window(race_app):
    """Requests landing in different one-second buckets at once still see each other (the key's row is
    locked first), so no more than the limit pass."""
    secret, _, _ = _setup(race_app)
    with race_app.app_context():
        key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.name == "racer"))
    moments = itertools.count()
    start = datetime(2026, 7, 1, 12, 0, 0)

    def work(session):
        moment = start + timedelta(milliseconds=150 * next(moments))  # 20 requests over 3 seconds
        if api_rate.take(session, key_id=key_id, now=moment, limit=7):
            raise RateLimited("over")

    outcomes = race(race_app, work)
    assert outcomes == {"ok": 7, "RateLimited": THREADS - 7}
    assert _counted(race_app) == 7
