"""Curating what the program offers: activity types, reward-tier bands and missions.

Edits are optimistic: the form carries the row's version, and a save against a newer version
(or a StaleDataError at flush) raises Conflict, so two editors never silently overwrite each
other. Mission dates arrive in the program timezone and are stored as naive UTC.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.models import (
    ActivityKind,
    ActivityType,
    Advocate,
    Effort,
    Evidence,
    Mission,
    RewardTierBand,
    Status,
    Value,
)
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.periods import to_utc
from app.services.program import settings as settings_service
from app.services.program import status_rules

STALE_MESSAGE = ("Someone else changed this while you were editing. "
                 "Reload the page and make your change again.")
MISSION_VIEWS = ("open", "upcoming", "closed", "archived")


@dataclass
class ActivityValues:
    key: str
    name: str
    description: str
    kind: ActivityKind
    effort: Effort
    value: Value
    reward_tier_id: int
    cooldown_days: int
    min_status: Status
    expires_after_days: int
    evidence: Evidence
    requires_approval: bool
    counts_as_ask: bool
    active: bool


@dataclass
class Audience:
    min_status: Status | None = None
    readiness_tiers: list[int] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    advocate_emails: list[str] = field(default_factory=list)


@dataclass
class MissionValues:
    title: str
    instructions: str
    activity_id: int
    audience: Audience
    opens_local: datetime
    closes_local: datetime
    timezone: str
    completion_limit: int | None = None
    points_override: int | None = None


def bands(session: Session) -> list[RewardTierBand]:
    return session.scalars(select(RewardTierBand).order_by(RewardTierBand.position, RewardTierBand.id)).all()


def activities(session: Session) -> list[ActivityType]:
    return session.scalars(select(ActivityType).order_by(ActivityType.active.desc(), ActivityType.name)).all()


def get_activity(session: Session, activity_id: int) -> ActivityType:
    activity = session.get(ActivityType, activity_id)
    if activity is None:
        raise NotFound("No such activity.")
    return activity


def save_activity(session: Session, *, values: ActivityValues, now: datetime, activity_id: int | None = None,
                  expected_version: int | None = None) -> ActivityType:
    """Create or update an activity type. Keys are unique; counts are whole numbers ≥ 0 (expiry ≥ 1).

    Raises ValidationFailed naming the field, NotFound, or Conflict when the row changed meanwhile.
    """
    _check_activity(session, values, activity_id)
    _check_statuses_reachable(session, values, activity_id)
    if activity_id is None:
        activity = ActivityType(created_at=now)
        session.add(activity)
    else:
        activity = get_activity(session, activity_id)
        _check_version(activity, expected_version)
    for name, value in vars(values).items():
        setattr(activity, name, value)
    _flush(session)
    return activity


def _check_activity(session: Session, values: ActivityValues, activity_id: int | None) -> None:
    values.key = (values.key or "").strip().lower()
    values.name = (values.name or "").strip()
    if not values.key:
        raise ValidationFailed("Give the activity a key.", field="key")
    if not values.name:
        raise ValidationFailed("Give the activity a name.", field="name")
    for name, low in (("cooldown_days", 0), ("expires_after_days", 1)):
        number = getattr(values, name)
        if not isinstance(number, int) or number < low:
            raise ValidationFailed(f"Must be a whole number of at least {low}.", field=name)
    if session.get(RewardTierBand, values.reward_tier_id) is None:
        raise ValidationFailed("Choose a reward tier.", field="reward_tier_id")
    clash = session.scalar(select(ActivityType.id).where(ActivityType.key == values.key))
    if clash is not None and clash != activity_id:
        raise ValidationFailed("Another activity already uses this key.", field="key")


def _check_statuses_reachable(session: Session, values: ActivityValues, activity_id: int | None) -> None:
    """Refuse an edit that leaves Silver or Gold with no qualifying activity below it (SPEC §5)."""
    cfg = settings_service.load(session)
    after = status_rules.Offered(values.name, values.kind, values.min_status, values.active)
    broken = status_rules.check_edit(session, activity_id=activity_id, after=after, kinds_by_status={
        target: settings_service.kinds_for(cfg, target) for target in status_rules.KIND_SETTINGS})
    if broken is None:
        return
    target, reason = broken
    old = get_activity(session, activity_id)
    field = ("active" if old.active and not values.active else "kind" if old.kind != values.kind
             else "min_status")
    raise ValidationFailed(f"Not saved: this would put {target.label} out of reach. {reason} Keep "
                           f"another qualifying activity open below {target.label} first, or change "
                           f"{target.label}'s qualifying kinds under Settings.", field=field)


def _check_version(row, expected_version: int | None) -> None:
    if expected_version is not None and row.version_id != expected_version:
        raise Conflict(STALE_MESSAGE)


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(STALE_MESSAGE) from None


def save_band(session: Session, *, name: str, points: int, band_id: int | None = None) -> RewardTierBand:
    """Create or rename/re-point a band. New points apply to future approvals only."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the band a name.", field="name")
    if not isinstance(points, int) or points < 0:
        raise ValidationFailed("Points must be a whole number of at least 0.", field="points")
    if band_id is None:
        key = _band_key(session, name)
        position = len(bands(session)) + 1
        band = RewardTierBand(key=key, name=name, points=points, position=position)
        session.add(band)
    else:
        band = session.get(RewardTierBand, band_id)
        if band is None:
            raise NotFound("No such reward tier.")
        band.name, band.points = name, points
    session.flush()
    return band


def _band_key(session: Session, name: str) -> str:
    base = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")[:30] or "band"
    key, n = base, 1
    while session.scalar(select(RewardTierBand.id).where(RewardTierBand.key == key)) is not None:
        n += 1
        key = f"{base}-{n}"
    return key


def missions(session: Session, *, view: str, now: datetime) -> list[Mission]:
    """Missions for one tab: open now, upcoming, closed (not archived), or archived."""
    stmt = select(Mission)
    if view == "archived":
        stmt = stmt.where(Mission.archived.is_(True)).order_by(Mission.closes_at.desc())
    else:
        stmt = stmt.where(Mission.archived.is_(False))
        if view == "upcoming":
            stmt = stmt.where(Mission.opens_at > now).order_by(Mission.opens_at)
        elif view == "closed":
            stmt = stmt.where(Mission.closes_at <= now).order_by(Mission.closes_at.desc())
        else:
            stmt = stmt.where(Mission.opens_at <= now, Mission.closes_at > now).order_by(Mission.closes_at)
    return session.scalars(stmt.order_by(Mission.id)).all()


def get_mission(session: Session, mission_id: int) -> Mission:
    mission = session.get(Mission, mission_id)
    if mission is None:
        raise NotFound("No such mission.")
    return mission


def save_mission(session: Session, *, values: MissionValues, actor_id: int, now: datetime,
                 mission_id: int | None = None, expected_version: int | None = None) -> Mission:
    """Create or update a mission. Closes must follow opens; named advocates must exist.

    Raises ValidationFailed naming the field, NotFound, or Conflict when the row changed meanwhile.
    """
    fields = _mission_fields(session, values)
    if mission_id is None:
        mission = Mission(created_at=now, created_by_id=actor_id, completed_count=0, archived=False)
        session.add(mission)
    else:
        mission = get_mission(session, mission_id)
        _check_version(mission, expected_version)
    for name, value in fields.items():
        setattr(mission, name, value)
    _flush(session)
    return mission


def _mission_fields(session: Session, values: MissionValues) -> dict:
    title = (values.title or "").strip()
    if not title:
        raise ValidationFailed("Give the mission a title.", field="title")
    activity = session.get(ActivityType, values.activity_id)
    if activity is None:
        raise ValidationFailed("Choose an activity.", field="activity_id")
    opens_at = to_utc(values.opens_local, values.timezone)
    closes_at = to_utc(values.closes_local, values.timezone)
    if closes_at <= opens_at:
        raise ValidationFailed("The mission must close after it opens.", field="closes_at")
    for name in ("completion_limit", "points_override"):
        number = getattr(values, name)
        low = 1 if name == "completion_limit" else 0
        if number is not None and number < low:
            raise ValidationFailed(f"Must be a whole number of at least {low}.", field=name)
    return dict(title=title, instructions=(values.instructions or "").strip(), activity_id=activity.id,
                audience=audience_json(session, values.audience), opens_at=opens_at, closes_at=closes_at,
                completion_limit=values.completion_limit, points_override=values.points_override)


def audience_json(session: Session, audience: Audience) -> dict:
    """The stored shape of an audience (`Mission.audience`); named emails become advocate ids.

    Raises ValidationFailed for a readiness tier outside 1-3 or an email no advocate has."""
    result: dict = {}
    if audience.min_status is not None:
        result["min_status"] = audience.min_status.value
    tiers = sorted({int(t) for t in audience.readiness_tiers})
    if any(t not in (1, 2, 3) for t in tiers):
        raise ValidationFailed("Readiness tiers are 1, 2 and 3.", field="readiness_tiers")
    for key, items in (("readiness_tiers", tiers), ("industries", audience.industries),
                       ("regions", audience.regions), ("tags", audience.tags)):
        if items:
            result[key] = list(dict.fromkeys(items))
    ids = _advocate_ids(session, audience.advocate_emails)
    if ids:
        result["advocate_ids"] = ids
    return result


def _advocate_ids(session: Session, emails: list[str]) -> list[int]:
    wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    if not wanted:
        return []
    found = dict(session.execute(select(Advocate.email, Advocate.id).where(Advocate.email.in_(wanted))).all())
    missing = [e for e in wanted if e not in found]
    if missing:
        raise ValidationFailed(f"No advocate with email {', '.join(missing[:5])}.", field="advocate_emails")
    return [found[e] for e in wanted]


def audience_emails(session: Session, mission: Mission) -> list[str]:
    ids = (mission.audience or {}).get("advocate_ids") or []
    if not ids:
        return []
    return session.scalars(select(Advocate.email).where(Advocate.id.in_(ids)).order_by(Advocate.email)).all()


def set_mission_archived(session: Session, *, mission_id: int, archived: bool) -> Mission:
    """Archive (hide from everyone) or restore a mission; attempts already made are kept."""
    mission = get_mission(session, mission_id)
    mission.archived = archived
    _flush(session)
    return mission
