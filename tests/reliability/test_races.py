"""Concurrency (RELIABILITY §2.2): the same event under 20 simultaneous requests awards once,
on SQLite and on PostgreSQL. Each thread has its own session and commits."""

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.models import (
    Advocate,
    Attempt,
    AttemptState,
    AttemptTransition,
    LedgerEntry,
    LedgerReason,
    Mission,
    StaffUser,
)
from app.services import missions
from app.services.missions.attempts import EvidenceInput
from app.services.points import ledger
from tests.factories import make_activity, make_advocate, make_mission, make_staff
from tests.reliability.conftest import THREADS, race

LINK = EvidenceInput(link="https://reviews.example.com/r/1")


def _setup(app, build):
    """Build rows in a short transaction of its own and return plain ids (no session left open)."""
    with app.app_context():
        ids = build(db.session)
        db.session.commit()
        db.session.remove()
    return ids


def _started_attempt(session, *, requires_approval, points=400, **mission):
    activity = make_activity(session, requires_approval=requires_approval, points=points)
    mission = make_mission(session, activity=activity, **mission)
    advocate = make_advocate(session)
    attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=mission.opens_at)
    return advocate, attempt


def _check_books(app, advocate_id, *, entries, balance):
    with app.app_context():
        session = db.session
        count = session.scalar(select(func.count()).select_from(LedgerEntry)
                               .where(LedgerEntry.advocate_id == advocate_id))
        advocate = session.get(Advocate, advocate_id)
        assert (count, advocate.balance, advocate.lifetime_points) == (entries, balance, balance)
        assert ledger.verify(session) == []
        session.remove()


def test_twenty_approvals_of_one_submission_award_once(race_app, now):
    def build(session):
        advocate, attempt = _started_attempt(session, requires_approval=True)
        missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=LINK, now=now)
        return advocate.id, attempt.id, make_staff(session).id

    advocate_id, attempt_id, staff_id = _setup(race_app, build)

    def approve(session):
        staff = session.get(StaffUser, staff_id)
        missions.approve_attempt(session, staff=staff, attempt_id=attempt_id, now=now)

    outcomes = race(race_app, approve)
    assert outcomes == {"ok": 1, "InvalidTransition": THREADS - 1}
    _check_books(race_app, advocate_id, entries=1, balance=400)
    with race_app.app_context():
        approvals = db.session.scalar(select(func.count()).select_from(AttemptTransition).where(
            AttemptTransition.attempt_id == attempt_id, AttemptTransition.to_state == AttemptState.APPROVED))
        assert approvals == 1
        assert db.session.scalar(select(Mission.completed_count)) == 1
        db.session.remove()


def test_twenty_double_submits_of_an_auto_approved_attempt_award_once(race_app, now):
    def build(session):
        advocate, attempt = _started_attempt(session, requires_approval=False, points=50)
        return advocate.id, attempt.id

    advocate_id, attempt_id = _setup(race_app, build)

    def submit(session):
        advocate = session.get(Advocate, advocate_id)
        missions.submit_attempt(session, advocate=advocate, attempt_id=attempt_id, evidence=LINK, now=now)

    outcomes = race(race_app, submit)
    assert outcomes == {"ok": 1, "InvalidTransition": THREADS - 1}
    _check_books(race_app, advocate_id, entries=1, balance=50)
    with race_app.app_context():
        assert db.session.get(Attempt, attempt_id).state == AttemptState.APPROVED
        db.session.remove()


def test_twenty_posts_with_one_idempotency_key_make_one_entry(race_app, now):
    advocate_id = _setup(race_app, lambda session: make_advocate(session).id)

    def post(session):
        ledger.post_entry(session, advocate_id=advocate_id, amount=250, reason=LedgerReason.BONUS,
                          idempotency_key="bonus:launch-week", now=now)

    assert race(race_app, post) == {"ok": THREADS}
    _check_books(race_app, advocate_id, entries=1, balance=250)


def test_twenty_starts_of_one_mission_make_one_attempt(race_app, now):
    advocate_id, mission_id = _setup(race_app, lambda s: (make_advocate(s).id, make_mission(s).id))

    def start(session):
        advocate = session.get(Advocate, advocate_id)
        missions.start_mission(session, advocate=advocate, mission_id=mission_id, now=now)

    outcomes = race(race_app, start)
    assert outcomes["ok"] == 1 and sum(outcomes.values()) == THREADS
    assert set(outcomes) <= {"ok", "Conflict", "InvalidTransition"}
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
        db.session.remove()


def test_a_completion_limit_holds_when_twenty_approvals_race(race_app, now):
    def build(session):
        mission = make_mission(session, completion_limit=3)
        attempts = []
        for _ in range(THREADS):
            advocate = make_advocate(session)
            attempt = missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
            missions.submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=LINK, now=now)
            attempts.append(attempt.id)
        return attempts, make_staff(session).id

    attempt_ids, staff_id = _setup(race_app, build)
    queue = list(attempt_ids)

    def approve(session):
        staff = session.get(StaffUser, staff_id)
        missions.approve_attempt(session, staff=staff, attempt_id=queue.pop(), now=now)

    assert race(race_app, approve) == {"ok": 3, "Conflict": THREADS - 3}
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 3
        assert db.session.scalar(select(Mission.completed_count)) == 3
        assert ledger.verify(db.session) == []
        db.session.remove()


def test_ledger_rows_cannot_be_updated_or_deleted(race_app, now):
    def build(session):
        advocate = make_advocate(session)
        ledger.post_entry(session, advocate_id=advocate.id, amount=10, reason=LedgerReason.BONUS,
                          idempotency_key="bonus:1", now=now)

    _setup(race_app, build)
    with race_app.app_context():
        for statement in ("UPDATE ledger_entry SET amount = 99", "DELETE FROM ledger_entry"):
            try:
                db.session.execute(text(statement))
            except DBAPIError as error:
                assert "append-only" in str(error)
            else:
                raise AssertionError(f"{statement} was allowed")
            finally:
                db.session.rollback()
        assert db.session.scalars(select(LedgerEntry.amount)).all() == [10]
        db.session.remove()
