"""Which missions an advocate sees, and whether each can be started now (with the reason if not).

Audience filters (industries, regions, tags, readiness tiers, named advocates) hide a mission.
Minimum status, cooldown and a full completion limit show it locked, with the reason and, for
a cooldown, the date it becomes available.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.models import Advocate, AdvocateState, Attempt, AttemptState, Mission, Status
from app.models.catalog import ActivityType
from app.services.scoring import points_for_mission

# Why an advocate who is not active cannot start a mission, per state.
STATE_MESSAGES = {
    AdvocateState.INVITED: "Your account is not active yet: accept your invitation and set a password first.",
    AdvocateState.PAUSED: "Your account is paused. Ask your customer success manager to resume it.",
    AdvocateState.OPTED_OUT: "You have left the program, so you cannot start missions.",
}


@dataclass
class MissionOffer:
    mission: Mission
    attempt: Attempt | None
    available: bool
    reason: str = ""
    available_from: datetime | None = None

    @property
    def points(self) -> int:
        return points_for_mission(self.mission)


def required_status(mission: Mission) -> Status:
    audience_min = mission.audience.get("min_status") if mission.audience else None
    floor = Status(audience_min) if audience_min else Status.BRONZE
    return max(mission.activity.min_status, floor, key=lambda s: s.rank)


def in_audience(advocate: Advocate, mission: Mission) -> bool:
    """True when the mission's audience filters (other than minimum status) include the advocate."""
    aud = mission.audience or {}
    named = aud.get("advocate_ids") or []
    if named:
        return advocate.id in named
    checks = [
        (aud.get("industries"), advocate.industry),
        (aud.get("regions"), advocate.region),
    ]
    for allowed, value in checks:
        if allowed and value not in allowed:
            return False
    tiers = aud.get("readiness_tiers")
    if tiers and advocate.readiness_tier not in tiers:
        return False
    tags = aud.get("tags")
    return not tags or bool(set(tags) & set(advocate.tags or []))


def last_completions(session: Session, advocate_id: int) -> dict[int, datetime]:
    """Activity id → when the advocate last had an attempt of it approved."""
    rows = session.execute(
        select(Attempt.activity_id, func.max(Attempt.decided_at))
        .where(Attempt.advocate_id == advocate_id, Attempt.state == AttemptState.APPROVED)
        .group_by(Attempt.activity_id)
    )
    return dict(rows.all())


def check(advocate: Advocate, mission: Mission, attempt: Attempt | None,
          completions: dict[int, datetime], now: datetime) -> MissionOffer:
    """Decide whether `advocate` may start `mission` now."""
    if attempt is not None and attempt.state != AttemptState.AVAILABLE:
        return MissionOffer(mission, attempt, False, f"You have {attempt.state.value} this mission.")
    if advocate.state != AdvocateState.ACTIVE:
        return MissionOffer(mission, attempt, False, STATE_MESSAGES[advocate.state])
    if not mission.is_open(now):
        return MissionOffer(mission, attempt, False, "This mission is closed.")
    needed = required_status(mission)
    if advocate.status.rank < needed.rank:
        return MissionOffer(mission, attempt, False, f"Unlocks at {needed.label} status.")
    last = completions.get(mission.activity_id)
    cooldown = mission.activity.cooldown_days
    if last is not None and cooldown and last + timedelta(days=cooldown) > now:
        again = last + timedelta(days=cooldown)
        return MissionOffer(mission, attempt, False,
                            f"You did this {mission.activity.name.lower()} recently.", again)
    if mission.completion_limit is not None and mission.completed_count >= mission.completion_limit:
        return MissionOffer(mission, attempt, False, "All places on this mission are taken.")
    return MissionOffer(mission, attempt, True)


def offers_for(session: Session, advocate: Advocate, now: datetime) -> list[MissionOffer]:
    """Open missions in the advocate's audience, each with its availability, soonest-closing first."""
    missions = session.scalars(
        select(Mission)
        .options(joinedload(Mission.activity).joinedload(ActivityType.reward_tier))
        .where(Mission.archived.is_(False), Mission.opens_at <= now, Mission.closes_at > now)
        .order_by(Mission.closes_at, Mission.id)
    ).all()
    missions = [m for m in missions if in_audience(advocate, m)]
    if not missions:
        return []
    attempts = {
        a.mission_id: a
        for a in session.scalars(
            select(Attempt).where(Attempt.advocate_id == advocate.id,
                                  Attempt.mission_id.in_([m.id for m in missions]))
        )
    }
    completions = last_completions(session, advocate.id)
    return [check(advocate, m, attempts.get(m.id), completions, now) for m in missions]
