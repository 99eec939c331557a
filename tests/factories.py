"""Small builders for test data, each with overridable defaults. They flush, never commit."""

from datetime import timedelta
from itertools import count

from app.models import (
    ActivityKind,
    ActivityType,
    Advocate,
    AdvocateState,
    Effort,
    Evidence,
    Mission,
    RewardTierBand,
    StaffRole,
    StaffUser,
    Status,
    Value,
)
from app.services import clock
from app.services.people import passwords

_seq = count(1)
PASSWORD = "correct horse battery"


def make_staff(session, role=StaffRole.MARKETING, **overrides) -> StaffUser:
    n = next(_seq)
    staff = StaffUser(email=f"staff{n}@example.com", name=f"Staff {n}", role=role,
                      password_hash=passwords.hash_password(PASSWORD), created_at=clock.utcnow())
    for key, value in overrides.items():
        setattr(staff, key, value)
    session.add(staff)
    session.flush()
    return staff


def make_advocate(session, **overrides) -> Advocate:
    n = next(_seq)
    values = dict(email=f"advocate{n}@example.com", name=f"Advocate {n}", company=f"Company {n}",
                  industry="Software", region="EMEA", state=AdvocateState.ACTIVE, status=Status.BRONZE,
                  status_since=clock.utcnow(), created_at=clock.utcnow(), tags=[], nps=9,
                  password_hash=passwords.hash_password(PASSWORD))
    values.update(overrides)
    advocate = Advocate(**values)
    session.add(advocate)
    session.flush()
    return advocate


def make_band(session, points=150, **overrides) -> RewardTierBand:
    n = next(_seq)
    band = RewardTierBand(key=overrides.pop("key", f"band{n}"), name=overrides.pop("name", f"Band {n}"),
                          points=points, position=n, **overrides)
    session.add(band)
    session.flush()
    return band


def make_activity(session, **overrides) -> ActivityType:
    n = next(_seq)
    band = overrides.pop("reward_tier", None) or make_band(session, points=overrides.pop("points", 150))
    values = dict(key=f"activity{n}", name=f"Activity {n}", kind=ActivityKind.REVIEW, effort=Effort.LOW,
                  value=Value.HIGH, reward_tier=band, cooldown_days=0, min_status=Status.BRONZE,
                  expires_after_days=14, evidence=Evidence.LINK, requires_approval=True,
                  counts_as_ask=True, created_at=clock.utcnow())
    values.update(overrides)
    activity = ActivityType(**values)
    session.add(activity)
    session.flush()
    return activity


def make_mission(session, **overrides) -> Mission:
    n = next(_seq)
    activity = overrides.pop("activity", None) or make_activity(session)
    now = clock.utcnow()
    values = dict(title=f"Mission {n}", instructions="Do the thing.", activity=activity, audience={},
                  opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30),
                  created_at=now)
    values.update(overrides)
    mission = Mission(**values)
    session.add(mission)
    session.flush()
    return mission


def make_submitted_attempt(session, advocate=None, mission=None, **evidence):
    """An attempt started and submitted through the mission services (link evidence by default)."""
    from app.services import missions as missions_service

    advocate = advocate or make_advocate(session)
    mission = mission or make_mission(session)
    now = clock.utcnow()
    attempt = missions_service.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    evidence = evidence or {"link": "https://reviews.example.com/r/1"}
    return missions_service.submit_attempt(session, advocate=advocate, attempt_id=attempt.id,
                                           evidence=missions_service.EvidenceInput(**evidence), now=now)


def make_reward(session, **overrides):
    """A reward through the catalog service (so its rules apply), 300 points and 5 in stock by default."""
    from app.models import RewardKind
    from app.services import rewards

    n = next(_seq)
    values = dict(name=f"Reward {n}", description="", kind=RewardKind.SWAG, points_cost=300, stock=5,
                  min_status=Status.BRONZE, requires_approval=True, unit_cost_cents=None, active=True)
    values.update(overrides)
    return rewards.save_reward(session, values=rewards.RewardValues(**values), now=clock.utcnow())


def fund(session, advocate, points: int, key: str | None = None):
    """Give the advocate points through the ledger (a bonus entry)."""
    from app.models import LedgerReason
    from app.services.points import ledger

    ledger.post_entry(session, advocate_id=advocate.id, amount=points, reason=LedgerReason.BONUS,
                      idempotency_key=key or f"fund:{advocate.id}:{next(_seq)}", now=clock.utcnow())
    session.refresh(advocate)
    return advocate
