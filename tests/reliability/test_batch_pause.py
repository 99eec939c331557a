"""A job committing batch after batch in one process lets a web writer in another process take
SQLite's write lock between batches (the busy handler only polls, so without a pause the job kept
winning the lock and the writer waited out its busy timeout: a gunicorn worker timeout)."""

import multiprocessing
import sqlite3
import time

from sqlalchemy import text

from app import jobs
from app.extensions import db

JOB_SECONDS = 4
BATCH_WORK_S = 0.05  # each batch holds the write lock this long, busy like a real batch


def _job(app) -> None:
    with app.app_context():
        commit = jobs.batch_commit(db.session)
        ends = time.monotonic() + JOB_SECONDS
        while time.monotonic() < ends:
            db.session.execute(text("INSERT INTO churn (n) VALUES (1)"))
            started = time.monotonic()
            while time.monotonic() - started < BATCH_WORK_S:
                pass
            commit()
        db.session.remove()


def _writer_waits(path: str, tries: int = 4, timeout_s: float = 1.0) -> list[float | None]:
    """Seconds a writer in this process waited for the write lock each time, None when it gave up."""
    connection = sqlite3.connect(path, timeout=timeout_s, isolation_level=None)
    waits = []
    try:
        for _ in range(tries):
            started = time.monotonic()
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("INSERT INTO churn (n) VALUES (2)")
                connection.execute("COMMIT")
                waits.append(time.monotonic() - started)
            except sqlite3.OperationalError:
                waits.append(None)
    finally:
        connection.close()
    return waits


def test_a_batched_job_gives_waiting_writers_their_turn(app_factory):
    app = app_factory()
    with app.app_context():
        path = db.engine.url.database  # app_factory's database is always a SQLite file
        db.session.execute(text("CREATE TABLE churn (n INTEGER)"))
        db.session.commit()
        db.engine.dispose()  # the child process opens its own connections
    child = multiprocessing.get_context("fork").Process(target=_job, args=(app,))
    child.start()
    try:
        time.sleep(0.5)
        waits = _writer_waits(path)
    finally:
        child.join(JOB_SECONDS + 10)
    assert None not in waits, waits  # with BATCH_PAUSE_S = 0 the writer gives up (checked)
