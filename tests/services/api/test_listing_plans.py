"""API list pages read an index in id order for each filter: no scan, no sort of every match."""

import pytest
from sqlalchemy import event

from app.models import AdvocateState, AttemptState, Status
from app.services.api import listings

CASES = {
    "advocate state": (lambda s: listings.advocates(s, after=10, limit=50, state=AdvocateState.ACTIVE),
                       "ix_advocate_state_id"),
    "advocate status": (lambda s: listings.advocates(s, after=10, limit=50, status=Status.GOLD),
                        "ix_advocate_status_id"),
    "advocate readiness": (lambda s: listings.advocates(s, after=10, limit=50, readiness=1),
                           "ix_advocate_readiness_id"),
    "attempt state": (lambda s: listings.attempts(s, after=10, limit=50, state=AttemptState.SUBMITTED),
                      "ix_attempt_state_id"),
    "attempt mission": (lambda s: listings.attempts(s, after=10, limit=50, mission_id=3),
                        "ix_attempt_mission_id_id"),
    "unfiltered": (lambda s: listings.advocates(s, after=10, limit=50), "INTEGER PRIMARY KEY"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_filtered_page_searches_its_index_without_sorting(session, case):
    run, index = CASES[case]
    seen = []

    def grab(conn, cursor, statement, params, context, executemany):
        seen.append((statement, params))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", grab)
    try:
        run(session)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    statement, params = next((s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT"))
    cursor = session.connection().connection.dbapi_connection.cursor()
    plan = " | ".join(row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}", params))
    assert index in plan and "TEMP B-TREE" not in plan and "SCAN" not in plan, plan
