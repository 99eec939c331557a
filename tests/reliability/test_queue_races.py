"""Bulk decisions in the approval queue under concurrency (RELIABILITY §2.2): curators approving the same
selection at once award each submission exactly once, on SQLite and on PostgreSQL; every bulk form ends
cleanly, the later ones reporting what was already decided."""

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, AttemptState, LedgerEntry, StaffUser
from app.services import missions
from app.services.points import ledger
from tests.factories import make_activity, make_advocate, make_mission, make_staff, make_submitted_attempt
from tests.reliability.conftest import race

THREADS = 8


def test_curators_bulk_approving_the_same_selection_award_each_once(race_app, now):
    with race_app.app_context():
        session = db.session
        activity = make_activity(session, points=300)
        chosen = [make_submitted_attempt(session, advocate=make_advocate(session),
                                         mission=make_mission(session, activity=activity)).id
                  for _ in range(10)]
        staff_id = make_staff(session).id
        session.commit()
        session.remove()
    decided = []

    def work(session):
        curator = session.get(StaffUser, staff_id)
        result = missions.bulk_decide(session, staff=curator, attempt_ids=chosen, approve=True, reason=None,
                                      now=now)
        decided.append(len(result.decided))

    assert race(race_app, work, threads=THREADS) == {"ok": THREADS}
    assert sum(decided) == len(chosen)
    with race_app.app_context():
        session = db.session
        keys = session.scalars(select(LedgerEntry.idempotency_key).where(
            LedgerEntry.idempotency_key.like("mission-attempt:%"))).all()
        assert sorted(keys) == sorted(f"mission-attempt:{i}" for i in chosen)
        states = session.scalars(select(Attempt.state).where(Attempt.id.in_(chosen))).all()
        assert states == [AttemptState.APPROVED] * len(chosen)
        assert session.scalar(select(func.sum(LedgerEntry.amount))) == 300 * len(chosen)
        assert ledger.verify(session) == []
        session.remove()


def test_the_queue_pages_read_the_same_on_both_engines(race_app, now):
    """Keyset pages in each order, LIKE with its escapes and the counts, on SQLite and PostgreSQL."""
    with race_app.app_context():
        session = db.session
        made = []
        for n in range(5):
            activity = make_activity(session, points=100 * (n % 2 + 1))
            attempt = make_submitted_attempt(session, advocate=make_advocate(session, name=f"Ann_{n} 5%"),
                                             mission=make_mission(session, activity=activity))
            attempt.submitted_at = now - timedelta(minutes=10 - n)
            made.append(attempt.id)
        session.commit()
        expected = {"oldest": made, "newest": made[::-1],
                    "points": [made[1], made[3], made[0], made[2], made[4]]}
        for sort, order in expected.items():
            seen, cursor = [], None
            while True:
                page = missions.queue_page(session, filters=missions.QueueFilters(sort=sort), now=now,
                                           cursor=cursor, size=2)
                seen += [row.attempt.id for row in page.rows]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            assert seen == order, sort
        escaped = missions.queue_page(session, filters=missions.QueueFilters(advocate="n_3 5%"), now=now)
        assert [row.attempt.id for row in escaped.rows] == [made[3]] and escaped.matching == 1
        wildcards = missions.queue_page(session, filters=missions.QueueFilters(advocate="n_%5"), now=now)
        assert wildcards.matching == 0  # as wildcards "n_%5" would match every name
        session.remove()
