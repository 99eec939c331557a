"""Every statement of a landing-page sign-up reaches `referral` rows through an index, never a scan.

SQLite has no ANALYZE statistics here (db/planner.py); these are the plans it picks anyway.
"""

from sqlalchemy import event

from app.services import referrals
from tests.factories import make_advocate


def test_a_sign_up_reads_referrals_only_through_indexes(session, now):
    code = referrals.get_or_create_code(session, advocate_id=make_advocate(session).id, now=now).code
    seen = []

    def grab(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "referral" in statement:
            seen.append((statement, params))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", grab)
    try:
        referrals.submit_referral(session, code=code, friend=referrals.Friend("Pat", "pat@prospect.io"),
                                  client_hash="c", now=now, client_limit=10, client_window_minutes=60)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    cursor = session.connection().connection.dbapi_connection.cursor()
    plans = {statement: [row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}", params)]
             for statement, params in seen}
    assert len(plans) >= 4
    for statement, plan in plans.items():
        assert not any(step.startswith("SCAN") for step in plan), (statement, plan)
    used = " ".join(step for plan in plans.values() for step in plan)
    for index in ("ix_referral_client_created", "ix_referral_code_created", "uq_referral_prospect"):
        assert index in used, index
