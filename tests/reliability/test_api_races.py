"""Twenty identical API writes at once with one Idempotency-Key: one effect, one answer for all."""

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import Advocate, ApiScope, LedgerEntry, StaffRole
from app.services import api_keys, clock
from tests.factories import make_advocate, make_staff, make_submitted_attempt
from tests.reliability.conftest import THREADS


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
