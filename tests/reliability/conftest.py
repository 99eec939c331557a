"""An app per test on SQLite (a file, so WAL, BEGIN IMMEDIATE and busy_timeout apply) or PostgreSQL,
and a barrier-synchronised race helper where every thread has its own app context and session."""

import threading
from collections import Counter

import pytest

from app import create_app
from app.extensions import db
from app.services.errors import DomainError
from tests.conftest import make_config

THREADS = 20
POOL = {"pool_size": THREADS + 5, "max_overflow": 5, "pool_timeout": 60}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def race_app(request, app_factory, tmp_path):
    """A fresh migrated database on each engine, with a connection pool big enough for every thread."""
    if request.param == "sqlite":
        yield app_factory(SQLALCHEMY_ENGINE_OPTIONS=POOL)
        return
    url = request.getfixturevalue("pg_url")
    app = create_app(make_config(url, str(tmp_path / "uploads"), SQLALCHEMY_ENGINE_OPTIONS=POOL))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def race(app, work, threads: int = THREADS) -> Counter:
    """Run `work(session)` in `threads` threads released together; each commits or rolls back.

    Returns a Counter of outcomes: "ok" or the DomainError class name. Any other exception fails
    the test, since a race must end in a clean success or a clean refusal.
    """
    barrier = threading.Barrier(threads, timeout=60)
    outcomes: list[str] = []
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def run():
        with app.app_context():
            try:
                barrier.wait()
                work(db.session)
                db.session.commit()
                outcome = "ok"
            except DomainError as error:
                db.session.rollback()
                outcome = type(error).__name__
            except BaseException as error:  # noqa: BLE001 (reported to the main thread below)
                db.session.rollback()
                with lock:
                    crashes.append(error)
                return
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "a racing thread hung"
    assert not crashes, f"unexpected errors: {crashes!r}"
    return Counter(outcomes)
