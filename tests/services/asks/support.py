"""Helpers shared by the asks tests (and the trigger and API tests that need an ask history)."""

from datetime import timedelta

from sqlalchemy import func, select

from app.models import Ask, AskState, Attempt, AttemptState
from app.services import asks
from tests.factories import make_activity, make_mission, make_staff

D = timedelta(days=1)
S = timedelta(seconds=1)
EVERYONE = asks.SegmentFilters()


def sent_ask(session, advocate, at, *, activity=None, counts=True):
    """A sent ask in the advocate's history (as if pushed earlier)."""
    activity = activity or make_activity(session, counts_as_ask=counts)
    ask = Ask(advocate_id=advocate.id, activity_id=activity.id, state=AskState.SENT, counts_as_ask=counts,
              created_at=at, sent_at=at, priority=0)
    session.add(ask)
    session.flush()
    return ask


def approved(session, advocate, activity, at):
    mission = make_mission(session, activity=activity, opens_at=at - 30 * D, closes_at=at + 30 * D)
    session.add(Attempt(mission_id=mission.id, advocate_id=advocate.id, activity_id=activity.id,
                        state=AttemptState.APPROVED, started_at=at - D, decided_at=at, created_at=at))
    session.flush()


def decide(session, advocate, now, activity=None):
    return asks.decide(session, advocate=advocate, activity=activity, now=now)


def asks_of(session, advocate):
    session.expire_all()
    return session.scalars(select(Ask).where(Ask.advocate_id == advocate.id, Ask.mission_id.is_not(None))
                           .order_by(Ask.id)).all()


def push(session, mission, now, priority=1, filters=EVERYONE, staff=None):
    staff = staff or make_staff(session)
    return asks.push_mission(session, staff=staff, mission_id=mission.id, filters=filters,
                             priority=priority, now=now)


def outcome(ask):
    return (ask.state, ask.reason, ask.queued_until)


def counts(session, model, prefix="ask:"):
    return session.scalar(select(func.count()).select_from(model).where(model.dedupe_key.startswith(prefix)))

