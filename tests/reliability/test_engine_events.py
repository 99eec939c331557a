"""Every statement of an award and of a redemption passes through SQLAlchemy, where engine events
(SQL echo, tracing, the query counts of tests/statements.py) see it: on SQLite and PostgreSQL, what a
`before_cursor_execute` listener saw is compared with what the database itself ran (SQLite's trace
callback) or changed (PostgreSQL's counters of the current transaction), so a statement sent around
SQLAlchemy, on the raw DB-API cursor, fails the test."""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event, text

from app.extensions import db
from app.models import Advocate, Reward, RewardKind, StaffUser, Status
from app.services import missions, rewards
from tests.factories import fund, make_activity, make_advocate, make_mission, make_reward, make_staff

# What each path must be seen running (a part of the SQL), besides whatever else it runs.
AWARD = ("INSERT INTO ledger_entry", "FROM program_setting", "UPDATE advocate SET balance",
         "INSERT INTO period_total", "INSERT INTO status_change", "UPDATE advocate SET status")
REDEMPTION = ("SELECT reward.name", "INSERT INTO redemption", "INSERT INTO ledger_entry",
              "UPDATE advocate SET balance", "UPDATE reward SET stock", "INSERT INTO notification")
WRITE = re.compile(r"\s*(?:INSERT INTO|UPDATE|DELETE FROM) (\w+)", re.IGNORECASE)


@dataclass
class Seen:
    statements: list[str] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)  # parameter sets per statement (executemany)
    rows: Counter = field(default_factory=Counter)  # rows written per table, by the cursor's rowcount

    def expanded(self) -> list[str]:
        """One statement per execution, as the database counts them."""
        return [sql for sql, runs in zip(self.statements, self.runs) for _ in range(runs)]


def _seen_through_events(engine, work: Callable[[], None]) -> Seen:
    seen = Seen()

    def before(_conn, _cursor, sql, parameters, _context, executemany):
        seen.statements.append(sql)
        seen.runs.append(len(parameters) if executemany else 1)

    def after(_conn, cursor, sql, *_args):
        if (written := WRITE.match(sql)) and cursor.rowcount > 0:
            seen.rows[written.group(1).lower()] += cursor.rowcount

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return seen


def _rows_written(session) -> Counter:
    """Rows inserted, updated or deleted per table, as PostgreSQL counts them for this backend."""
    return Counter(dict(session.execute(text(
        "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")).all()))


def _check(work: Callable[[], None], expected: tuple[str, ...]) -> None:
    """Run `work` in the session's open transaction; the listener must have seen all it ran."""
    session = db.session
    connection = session.connection()  # the transaction begins here, before anything is watched
    if connection.dialect.name == "sqlite":
        ran: list[str] = []
        raw = connection.connection.dbapi_connection
        raw.set_trace_callback(ran.append)
        try:
            seen = _seen_through_events(db.engine, work)
        finally:
            raw.set_trace_callback(None)
        ran = [sql for sql in ran if not sql.startswith("--")]  # "-- TRIGGER …": a trigger's body
        expanded = seen.expanded()
        assert len(ran) == len(expanded), "\n".join(sql[:100] for sql in ran)
        for database_ran, listener_saw in zip(ran, expanded):  # the database's copy has the values
            assert database_ran.startswith(listener_saw.split("?")[0]), (database_ran, listener_saw)
    else:  # the backend's counters may still hold earlier transactions' counts: take the difference
        before = _rows_written(session)
        seen = _seen_through_events(db.engine, work)
        assert _rows_written(session) - before == seen.rows
    for part in expected:
        assert any(part in sql for sql in seen.statements), part
    session.commit()


def test_every_statement_of_an_award_passes_the_engine_events(race_app, now):
    with race_app.app_context():
        session = db.session
        activity = make_activity(session, points=1000)  # Silver's points, and a review: a promotion
        mission = make_mission(session, activity=activity)
        attempt = missions.start_mission(session, advocate=make_advocate(session), mission_id=mission.id,
                                         now=mission.opens_at)
        missions.submit_attempt(session, advocate=attempt.advocate, attempt_id=attempt.id,
                                evidence=missions.EvidenceInput(link="https://reviews.example.com/r/1"),
                                now=now)
        staff_id, attempt_id, advocate_id = make_staff(session).id, attempt.id, attempt.advocate_id
        session.commit()
        session.expunge_all()
        staff = session.get(StaffUser, staff_id)
        _check(lambda: missions.approve_attempt(session, staff=staff, attempt_id=attempt_id, now=now), AWARD)
        advocate = session.get(Advocate, advocate_id)
        assert (advocate.balance, advocate.status) == (1000, Status.SILVER)
        db.session.remove()


def test_every_statement_of_a_redemption_passes_the_engine_events(race_app, now):
    with race_app.app_context():
        session = db.session
        reward_id = make_reward(session, kind=RewardKind.SWAG, points_cost=300, stock=5,
                                requires_approval=False).id
        advocate_id = fund(session, make_advocate(session), 500).id
        session.commit()
        session.expunge_all()
        advocate = session.get(Advocate, advocate_id)
        _check(lambda: rewards.redeem(session, advocate=advocate, reward_id=reward_id, request_key="seen:1",
                                      now=now), REDEMPTION)
        assert (advocate.balance, session.get(Reward, reward_id).stock) == (200, 4)
        db.session.remove()
