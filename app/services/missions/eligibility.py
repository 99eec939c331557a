"""Which missions an advocate sees, and whether each can be started now (with the reason if not).

Audience filters (industries, regions, tags, readiness tiers, named advocates) hide a mission.
Minimum status, cooldown and a full completion limit show it locked, with the reason and, for
a cooldown, the date it becomes available.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, exists, func, literal_column, select, true
from sqlalchemy.orm import Session, joinedload

from app.models import Advocate, AdvocateState, Attempt, AttemptState, Mission, Status
from app.models.catalog import ActivityType
from app.services.missions.scoring import points_for_mission

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
    return status_floor(mission.activity.min_status, mission.audience or {})


def status_floor(activity_min: Status, audience: dict) -> Status:
    """The status a mission needs: the higher of its activity's minimum and the audience's."""
    audience_min = audience.get("min_status")
    floor = Status(audience_min) if audience_min else Status.BRONZE
    return max(activity_min, floor, key=lambda s: s.rank)


# The audience rule, stated once. Named advocates, when given, replace every other filter. Otherwise
# each filter the audience sets must hold: the advocate's attribute is one of the listed values
# (ONE_OF), or, for tags, the advocate holds at least one of the listed tags. `in_audience` applies
# the rule to one advocate; `audience_condition` states the same rule in SQL to count a whole audience.
NAMED = "advocate_ids"
ONE_OF = (("industries", "industry"), ("regions", "region"), ("readiness_tiers", "readiness_tier"))
ANY_TAG = "tags"


def in_audience(advocate: Advocate, mission: Mission) -> bool:
    """True when the mission's audience filters (other than minimum status) include the advocate."""
    return matches_audience(advocate, mission.audience or {})


def matches_audience(advocate, audience: dict) -> bool:
    """The audience rule for one advocate (a model or a row with the same attribute names)."""
    named = audience.get(NAMED) or []
    if named:
        return advocate.id in named
    for key, attribute in ONE_OF:
        allowed = audience.get(key)
        if allowed and getattr(advocate, attribute) not in allowed:
            return False
    tags = audience.get(ANY_TAG)
    held = advocate.tags if isinstance(advocate.tags, list) else []
    return not tags or bool(set(tags) & set(held))


def audience_condition(audience: dict, *, dialect: str):
    """The audience rule as a SQL condition on Advocate (minimum status aside: see status_condition)."""
    named = audience.get(NAMED) or []
    if named:
        return Advocate.id.in_(named)
    conditions = [getattr(Advocate, attribute).in_(audience[key])
                  for key, attribute in ONE_OF if audience.get(key)]
    if audience.get(ANY_TAG):
        conditions.append(_holds_any_tag(audience[ANY_TAG], dialect))
    return and_(true(), *conditions)


def _holds_any_tag(tags: list[str], dialect: str):
    if dialect == "postgresql":
        as_array = case((func.json_typeof(Advocate.tags) == "array", Advocate.tags),
                        else_=literal_column("'[]'::json"))
        held = func.json_array_elements_text(as_array).table_valued("value")
        return exists(select(1).select_from(held).where(held.c.value.in_(tags)))
    held = func.json_each(Advocate.tags).table_valued("value")
    return and_(func.json_type(Advocate.tags) == "array",
                exists(select(1).select_from(held).where(held.c.value.in_(tags))))


def status_condition(needed: Status):
    """Advocates at `needed` status or above, in SQL."""
    return Advocate.status.in_([s for s in Status if s.rank >= needed.rank])


# The dashboard, the missions list and every mission page run offers_for, so its statements are built
# once: a statement holds no data, and building one (and its cache key) costs about what running it does.
_OPEN_MISSIONS = (
    select(Mission)
    .options(joinedload(Mission.activity).joinedload(ActivityType.reward_tier))
    .where(Mission.archived.is_(False), Mission.opens_at <= bindparam("now"),
           Mission.closes_at > bindparam("now"))
    .order_by(Mission.closes_at, Mission.id))
_ATTEMPTS_AT = select(Attempt).where(Attempt.advocate_id == bindparam("advocate_id"),
                                     Attempt.mission_id.in_(bindparam("mission_ids", expanding=True)))
_LAST_COMPLETIONS = (
    select(Attempt.activity_id, func.max(Attempt.decided_at))
    .where(Attempt.advocate_id == bindparam("advocate_id"), Attempt.state == AttemptState.APPROVED)
    .group_by(Attempt.activity_id))


def last_completions(session: Session, advocate_id: int) -> dict[int, datetime]:
    """Activity id → when the advocate last had an attempt of it approved."""
    return dict(session.execute(_LAST_COMPLETIONS, {"advocate_id": advocate_id}).all())


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
    missions = session.scalars(_OPEN_MISSIONS, {"now": now}).all()
    missions = [m for m in missions if in_audience(advocate, m)]
    if not missions:
        return []
    attempts = {a.mission_id: a for a in session.scalars(
        _ATTEMPTS_AT, {"advocate_id": advocate.id, "mission_ids": [m.id for m in missions]})}
    completions = last_completions(session, advocate.id)
    return [check(advocate, m, attempts.get(m.id), completions, now) for m in missions]
