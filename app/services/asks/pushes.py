"""Pushes: staff ask every advocate in a segment of a mission's audience, and `ask_one` asks one
advocate for one mission the same way (trigger events ask so).

Each advocate gets one `Ask`, settled against their queued asks: sent now, queued until they are
askable again, or blocked with a reason (not eligible, already asked or took the mission up, or
a rule that will not lift before the mission closes). Only an open, unarchived mission is pushed.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, joinedload

from app.models import (
    ActivityType,
    Advocate,
    AdvocateState,
    Ask,
    AskPush,
    AskReason,
    AskState,
    Mission,
    StaffUser,
    Status,
)
from app.services.asks.outcomes import Pending, apply_existing, expire_asks, insert_live, settle
from app.services.asks.queue import eligible, lock_advocates, queued_asks, still_queued, taken_up
from app.services.asks.rules import FULL_COLUMNS, Person, chunks, load_people
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.missions import audiences, eligibility
from app.services.program import settings as settings_service
from app.services.program.settings import ProgramSettings

R = AskReason
LIVE = (AskState.SENT, AskState.QUEUED)
PRIORITY_RANGE = (-10, 10)


@dataclass(frozen=True)
class SegmentFilters:
    """Which advocates a push reaches; empty = everyone in the mission's audience. Within a group
    any value matches; groups combine with AND."""

    statuses: tuple[Status, ...] = ()
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    owner_id: int | None = None

    def as_dict(self) -> dict:
        return {"statuses": [Status(s).value for s in self.statuses], "regions": list(self.regions),
                "industries": list(self.industries), "tags": list(self.tags), "owner_id": self.owner_id}


def segment_options(session: Session) -> dict[str, list[str]]:
    """Distinct regions, industries and tags recorded on advocates, sorted, for the push form."""
    options = {key: sorted(values) for key, values in audiences.held_values(session).items()}
    if session.get_bind().dialect.name == "postgresql":
        tags = text("SELECT DISTINCT json_array_elements_text(tags) FROM advocate "
                    "WHERE json_typeof(tags) = 'array'")
    else:
        tags = text("SELECT DISTINCT j.value FROM advocate, json_each(advocate.tags) AS j "
                    "WHERE json_type(advocate.tags) = 'array'")
    options["tags"] = sorted(str(v) for v in session.scalars(tags) if v)
    return options


def _get_mission(session: Session, mission_id: int) -> Mission:
    mission = session.scalar(select(Mission).options(joinedload(Mission.activity)
                                                     .joinedload(ActivityType.reward_tier))
                             .where(Mission.id == mission_id))
    if mission is None:
        raise NotFound("No such mission.")
    return mission


def _segment(session: Session, mission: Mission, filters: SegmentFilters) -> list:
    """Rows (advocate columns) matching the filters and the mission's audience, by id."""
    stmt = select(*FULL_COLUMNS, Advocate.owner_id).order_by(Advocate.id)
    if filters.statuses:
        stmt = stmt.where(Advocate.status.in_([Status(s) for s in filters.statuses]))
    if filters.regions:
        stmt = stmt.where(Advocate.region.in_(filters.regions))
    if filters.industries:
        stmt = stmt.where(Advocate.industry.in_(filters.industries))
    if filters.owner_id is not None:
        stmt = stmt.where(Advocate.owner_id == filters.owner_id)
    wanted = set(filters.tags)
    return [row for row in session.execute(stmt)
            if (not wanted or wanted & set(row.tags or ())) and eligibility.in_audience(row, mission)]


def preview_count(session: Session, *, mission_id: int, filters: SegmentFilters) -> int:
    """How many advocates a push of this mission with these filters would write an ask for."""
    return len(_segment(session, _get_mission(session, mission_id), filters))


def push_mission(session: Session, *, staff: StaffUser, mission_id: int, filters: SegmentFilters,
                 priority: int, now: datetime) -> AskPush:
    """Ask every advocate in the segment for the mission (see module doc). ValidationFailed on
    field "segment" when the filters match nobody, on "priority" when it is out of range."""
    mission = _pushable(session, mission_id, priority, now)
    candidates = _segment(session, mission, filters)
    if not candidates:
        raise ValidationFailed("No advocate in the mission's audience matches these filters.",
                               field="segment")
    push = AskPush(mission_id=mission.id, created_by_id=staff.id, created_at=now,
                   segment=filters.as_dict(), priority=priority)
    session.add(push)
    session.flush()
    base = {"push_id": push.id, "mission_id": mission.id, "activity_id": mission.activity_id,
            "source": "push", "priority": priority, "counts_as_ask": mission.activity.counts_as_ask,
            "created_at": now}
    _ask(session, mission, [row.id for row in candidates], base, now)
    return push


def ask_one(session: Session, *, advocate_id: int, mission_id: int, priority: int, source: str,
            now: datetime, trigger_event_id: int | None = None) -> Ask:
    """Ask one advocate for one open mission through the same machinery as a push (lock, settle
    against their queued asks, the live-ask index, the announcement); returns the Ask written:
    sent, queued or blocked (an advocate outside the mission's audience is blocked NOT_ELIGIBLE).

    Raises NotFound (no such advocate or mission), Conflict (mission not open) and ValidationFailed
    (priority out of range)."""
    mission = _pushable(session, mission_id, priority, now)
    if session.get(Advocate, advocate_id) is None:
        raise NotFound("No such advocate.")
    base = {"push_id": None, "mission_id": mission.id, "activity_id": mission.activity_id, "source": source,
            "priority": priority, "counts_as_ask": mission.activity.counts_as_ask, "created_at": now,
            "trigger_event_id": trigger_event_id}
    _ask(session, mission, [advocate_id], base, now)
    # The advocate is locked (PostgreSQL) or the database serialised (SQLite): the newest ask of this
    # advocate for this mission is the one just written.
    return session.scalars(select(Ask).where(Ask.mission_id == mission.id, Ask.advocate_id == advocate_id)
                           .order_by(Ask.id.desc()).limit(1)).one()


def _ask(session: Session, mission: Mission, ids: list[int], base: dict, now: datetime) -> None:
    """Write one ask per advocate in `ids` for the mission: sent, queued or blocked."""
    cfg = settings_service.load(session)
    lock_advocates(session, ids)
    live = set()
    for chunk in chunks(ids):
        live.update(session.scalars(select(Ask.advocate_id).where(
            Ask.mission_id == mission.id, Ask.advocate_id.in_(chunk), Ask.state.in_(LIVE))))
    live.update(advocate_id for _, advocate_id in taken_up(session, {(mission.id, i) for i in ids}))
    queued = queued_asks(session, ids)
    activities = [mission.activity, *(p.activity for asks in queued.values() for p in asks)]
    people = load_people(session, ids, activities, now, full=True)
    queued = still_queued(session, queued, people, cfg, now)
    blocked = []
    for advocate_id in ids:
        reason = R.ALREADY_ASKED if advocate_id in live else _push_one(
            session, base, people[advocate_id], mission, queued.get(advocate_id, []), cfg, now)
        if reason is not None:
            blocked.append({**base, "advocate_id": advocate_id, "reason": reason, "state": AskState.BLOCKED,
                            "closed_at": now})
    if blocked:
        session.execute(insert(Ask), blocked)
    session.flush()
    expire_asks(session)


def _pushable(session: Session, mission_id: int, priority: int, now: datetime) -> Mission:
    mission = _get_mission(session, mission_id)
    if mission.archived:
        raise Conflict("This mission is archived; it cannot be pushed.")
    if not mission.opens_at <= now < mission.closes_at:
        raise Conflict("Only an open mission can be pushed (this one is closed or not open yet).")
    low, high = PRIORITY_RANGE
    if isinstance(priority, bool) or not isinstance(priority, int) or not low <= priority <= high:
        raise ValidationFailed("Choose a priority from the list.", field="priority")
    return mission


def _push_one(session: Session, base: dict, person: Person, mission: Mission, queued: list[Pending],
              cfg: ProgramSettings, now: datetime) -> AskReason | None:
    """Settle the new ask against the advocate's queued ones; the reason if it is blocked, else None."""
    if person.state == AdvocateState.ACTIVE and not eligible(person.row, mission):
        return R.NOT_ELIGIBLE
    new = Pending(None, mission.activity, mission, base["priority"], now, mission.activity.counts_as_ask)
    outcomes = settle(person, [new, *queued], cfg, now)
    for index, pending in enumerate(queued, start=1):
        apply_existing(session, pending, outcomes[index], person, cfg, now)
    outcome = outcomes[0]
    if outcome.state == AskState.BLOCKED:
        return outcome.reason
    if not insert_live(session, base, person.id, outcome, person, mission, cfg, now):
        return R.ALREADY_ASKED
    return None
