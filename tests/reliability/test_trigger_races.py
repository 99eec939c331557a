"""Trigger events racing on SQLite and PostgreSQL: twenty NPS events for one advocate at once make one
sent ask, and the newest occurred_at wins the NPS whatever order they commit in; twenty identical
API requests with one Idempotency-Key record one event."""

import itertools
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import ActivityKind, Advocate, Ask, AskState, Notification, TriggerEvent
from app.services import clock, triggers
from tests.factories import make_activity, make_advocate, make_mission
from tests.reliability.conftest import THREADS, race
from tests.reliability.test_api_races import _post_together, _setup


def _program(app):
    with app.app_context():
        make_mission(db.session, activity=make_activity(db.session, kind=ActivityKind.REVIEW),
                     closes_at=clock.utcnow() + timedelta(days=90))
        advocate = make_advocate(db.session, email="racer@example.com", nps=None)
        db.session.commit()
        return advocate.id


def test_twenty_events_at_once_make_one_sent_ask_and_the_newest_score_wins(race_app):
    advocate_id = _program(race_app)
    now = clock.utcnow()
    # Every event says 9 except the one that happened last, which says 10.
    moments = itertools.count()

    def work(session):
        n = next(moments)
        triggers.record_event(session, event_type="nps_submitted",
                              advocate=triggers.AdvocateRef(email="racer@example.com"),
                              occurred_at=now - timedelta(hours=1) + timedelta(minutes=n),
                              data={"score": 10 if n == THREADS - 1 else 9}, source="api",
                              actor_id=None, now=now)

    assert race(race_app, work) == {"ok": THREADS}
    with race_app.app_context():
        session = db.session
        assert session.scalar(select(func.count()).select_from(TriggerEvent)) == THREADS
        assert session.scalar(select(func.count()).select_from(Ask).where(Ask.state == AskState.SENT)) == 1
        assert session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.dedupe_key.startswith("ask:"))) == 1
        assert session.get(Advocate, advocate_id).nps == 10


def test_twenty_identical_requests_with_one_key_record_one_event(race_app):
    secret, _, _ = _setup(race_app)
    _program(race_app)
    body = {"type": "renewal", "advocate": {"email": "racer@example.com"},
            "occurred_at": (clock.utcnow() - timedelta(hours=1)).isoformat()}
    responses = _post_together(race_app, "/api/v1/events", secret, body, key="renewal-1")
    assert [status for status, _ in responses] == [201] * THREADS
    assert len({str(payload) for _, payload in responses}) == 1
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TriggerEvent)) == 1
        assert db.session.scalar(select(func.count()).select_from(Ask)) == 1
