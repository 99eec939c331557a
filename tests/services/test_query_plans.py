"""Batch statements reach their rows through the id list, not through an index on `state`.

SQLite plans without statistics and, for `WHERE id IN (…) AND state = …`, would otherwise pick an
index starting with `state` and read every row in that state once per batch (db/planner.py).
"""

import re
from datetime import timedelta

from sqlalchemy import event, select

import seeds
from app.models import ActivityType, Advocate
from app.services import asks
from app.services.messaging import outbox
from app.services.missions import sweeps

STATE_ONLY = re.compile(r"USING (COVERING )?INDEX \w+ \(state=\?\)")


def _plans(session, work) -> list[tuple[str, list[str]]]:
    seen: list[tuple[str, tuple]] = []

    def grab(conn, cursor, statement, params, context, executemany):
        if not executemany and " IN (?" in statement:
            seen.append((statement, params))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", grab)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    cursor = session.connection().connection.dbapi_connection.cursor()
    return [(statement, [row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}", params)])
            for statement, params in seen]


def test_batches_read_by_their_id_lists(session, now):
    seeds.load(session, advocates=60, now=now)
    session.flush()
    activity = session.scalar(select(ActivityType).where(ActivityType.key == "review_site"))
    advocate_ids = list(session.scalars(select(Advocate.id)))
    later = now + timedelta(days=70)

    def work():
        asks.decide_many(session, advocate_ids=advocate_ids, activity=activity, now=now)
        asks.release_queued(session, now=later)
        asks.drop_closed(session, now=now + timedelta(days=400))
        sweeps.expire_due_attempts(session, now=later)
        outbox.release(session, ids=[1, 2, 3])

    plans = _plans(session, work)
    assert len(plans) >= 6
    for statement, plan in plans:
        assert not any(STATE_ONLY.search(step) for step in plan), (statement, plan)
