"""The ask governor (SPEC §6): every ask to an advocate goes through here.

Rules, with the numbers from program settings:
- frequency: one ask per `ask_gap_days_standard` days and `ask_year_cap_standard` per rolling
  365 days (`ask_gap_days_high` / `ask_year_cap_high` for advocates on high frequency). Only sent
  asks of activities that count as an ask are counted, by `sent_at`;
- activity cooldown: an activity is not asked again within its `cooldown_days` of the advocate's
  last approved attempt of it, or of the last ask for it that went out;
- never paused, opted-out or not-yet-joined (invited) advocates, nor anyone whose latest NPS is
  below `ask_min_nps` (an unknown NPS is allowed);
- activities that do not count as an ask skip the frequency and yearly caps.

Frequency cap, yearly cap and cooldown are temporary: the decision says when the last of them
lifts (`askable_at`). The others are permanent until someone changes the advocate.

Pushing a mission writes one `Ask` per advocate in the segment: sent now, queued until the
advocate is askable again, or blocked. `ask_one` does the same for one advocate and one mission
(trigger events ask that way). Queued asks of one advocate compete: when the advocate
becomes askable the highest priority (then the oldest) goes out and the rest wait again. The
`release_queued` job re-decides due queued asks; `drop_closed` drops those whose mission closed.

Concurrency: on PostgreSQL the advocates are row-locked (in id order) before their history is
read, so two pushes or a push and a release never both send to one advocate; the partial unique
index on live asks per (mission, advocate) is the last guard (inserts use ON CONFLICT DO NOTHING).
SQLite serialises writers with BEGIN IMMEDIATE. Services flush, never commit.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session, joinedload

from app.models import (
    ActivityType,
    Advocate,
    AdvocateState,
    Ask,
    AskFrequency,
    AskPush,
    AskReason,
    AskState,
    Attempt,
    AttemptState,
    Mission,
    StaffUser,
    Status,
)
from app.services import audiences, eligibility, notifications, outbox
from app.services import settings as settings_service
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.periods import format_local, to_local
from app.services.planner import unindexed
from app.services.scoring import points_for_mission
from app.services.settings import ProgramSettings

R = AskReason
DAY = timedelta(days=1)
YEAR = timedelta(days=365)
CHUNK = 500
TEMPORARY = frozenset({R.FREQUENCY_CAP, R.YEARLY_CAP, R.COOLDOWN})
LIVE = (AskState.SENT, AskState.QUEUED)
PRIORITY_RANGE = (-10, 10)

REASON_LABELS: dict[AskReason, str] = {
    R.FREQUENCY_CAP: "Frequency cap",
    R.YEARLY_CAP: "Yearly cap",
    R.COOLDOWN: "Activity cooldown",
    R.PAUSED: "Paused",
    R.OPTED_OUT: "Opted out",
    R.LOW_NPS: "NPS below minimum",
    R.NOT_ELIGIBLE: "Not eligible",
    R.ALREADY_ASKED: "Already asked",
    R.COMPETING_ASK: "Another ask went first",
    R.MISSION_CLOSED: "Mission closed",
}


@dataclass(frozen=True)
class Decision:
    askable: bool
    reason: AskReason | None = None
    askable_at: datetime | None = None  # None when askable now or permanently blocked
    detail: str = ""  # one plain sentence for staff


ASKABLE = Decision(True)


# --- What the governor knows about one advocate -------------------------------------------------

@dataclass
class _Person:
    id: int
    state: AdvocateState
    nps: int | None
    frequency: AskFrequency
    asks: list[datetime] = field(default_factory=list)  # counting asks sent in the last year, ascending
    # activity id -> (latest approval or sent ask of it, "approved" | "asked")
    touched: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    row: object = None  # the advocate's columns for eligibility and messages (push and release only)

    def record_sent(self, now: datetime, activity_id: int, counts: bool) -> None:
        if counts:
            self.asks.append(now)
        self.touched[activity_id] = (now, "asked")


_DECIDE_COLUMNS = (Advocate.id, Advocate.state, Advocate.nps, Advocate.ask_frequency)
_FULL_COLUMNS = (*_DECIDE_COLUMNS, Advocate.name, Advocate.email, Advocate.company, Advocate.status,
                 Advocate.industry, Advocate.region, Advocate.tags, Advocate.readiness_tier)


def _chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _load_people(session: Session, ids: Iterable[int], activities: Iterable[ActivityType], now: datetime,
                 *, full: bool = False) -> dict[int, _Person]:
    """The advocates with their counting asks of the last year and, for the given activities that
    have a cooldown, their latest approval or sent ask (four queries per CHUNK advocates)."""
    cooled = {a.id: a.cooldown_days for a in activities if a is not None and a.cooldown_days}
    since = now - timedelta(days=max(cooled.values(), default=0))
    people: dict[int, _Person] = {}
    for chunk in _chunks(sorted(set(ids))):
        for row in session.execute(select(*(_FULL_COLUMNS if full else _DECIDE_COLUMNS))
                                   .where(Advocate.id.in_(chunk))):
            people[row.id] = _Person(row.id, row.state, row.nps, row.ask_frequency, row=row if full else None)
        for advocate_id, sent_at in session.execute(
                select(Ask.advocate_id, Ask.sent_at)
                .where(Ask.advocate_id.in_(chunk), unindexed(Ask.state) == AskState.SENT,
                       Ask.counts_as_ask.is_(True), Ask.sent_at > now - YEAR)
                .order_by(Ask.advocate_id, Ask.sent_at)):
            people[advocate_id].asks.append(sent_at)
        if not cooled:
            continue
        approved = (select(Attempt.advocate_id, Attempt.activity_id, func.max(Attempt.decided_at))
                    .where(Attempt.advocate_id.in_(chunk), Attempt.state == AttemptState.APPROVED,
                           Attempt.activity_id.in_(cooled), Attempt.decided_at > since)
                    .group_by(Attempt.advocate_id, Attempt.activity_id))
        asked = (select(Ask.advocate_id, Ask.activity_id, func.max(Ask.sent_at))
                 .where(Ask.advocate_id.in_(chunk), unindexed(Ask.state) == AskState.SENT,
                        Ask.activity_id.in_(cooled), Ask.sent_at > since)
                 .group_by(Ask.advocate_id, Ask.activity_id))
        for kind, stmt in (("approved", approved), ("asked", asked)):
            for advocate_id, activity_id, moment in session.execute(stmt):
                person = people[advocate_id]
                if moment is not None and (activity_id not in person.touched
                                           or moment > person.touched[activity_id][0]):
                    person.touched[activity_id] = (moment, kind)
    return people


# --- Deciding -----------------------------------------------------------------------------------

def _day(moment: datetime, cfg: ProgramSettings) -> str:
    local = to_local(moment, cfg.timezone)
    return f"{local.day} {local:%b %Y}"


def _decide(person: _Person | None, activity: ActivityType | None, cfg: ProgramSettings,
            now: datetime) -> Decision:
    if person is None:
        return Decision(False, R.NOT_ELIGIBLE, None, "No such advocate.")
    if person.state == AdvocateState.PAUSED:
        return Decision(False, R.PAUSED, None, "The advocate has paused their participation.")
    if person.state == AdvocateState.OPTED_OUT:
        return Decision(False, R.OPTED_OUT, None, "The advocate opted out of the program.")
    if person.state != AdvocateState.ACTIVE:
        return Decision(False, R.NOT_ELIGIBLE, None, "The advocate was invited but has not joined yet.")
    if person.nps is not None and person.nps < cfg.ask_min_nps:
        return Decision(False, R.LOW_NPS, None,
                        f"Latest NPS is {person.nps}; asks need {cfg.ask_min_nps} or more.")
    blocks: list[tuple[datetime, AskReason, str]] = []
    if activity is None or activity.counts_as_ask:
        _caps(person, cfg, now, blocks)
    if activity is not None and activity.cooldown_days and activity.id in person.touched:
        moment, kind = person.touched[activity.id]
        lifts = moment + activity.cooldown_days * DAY
        if lifts > now:
            did = "Completed" if kind == "approved" else "Asked for"
            blocks.append((lifts, R.COOLDOWN, f"{did} {activity.name} on {_day(moment, cfg)}; its cooldown "
                                              f"is {activity.cooldown_days} days."))
    if not blocks:
        return ASKABLE
    lifts, reason, detail = max(blocks, key=lambda block: block[0])  # the first of equals wins
    return Decision(False, reason, lifts, detail)


def _caps(person: _Person, cfg: ProgramSettings, now: datetime, blocks: list) -> None:
    recent = [moment for moment in person.asks if moment > now - YEAR]
    if not recent:
        return
    high = person.frequency == AskFrequency.HIGH
    name = "high" if high else "standard"
    gap = cfg.ask_gap_days_high if high else cfg.ask_gap_days_standard
    cap = cfg.ask_year_cap_high if high else cfg.ask_year_cap_standard
    last = recent[-1]
    if last + gap * DAY > now:
        blocks.append((last + gap * DAY, R.FREQUENCY_CAP,
                       f"Asked on {_day(last, cfg)}; {name} frequency allows one ask every {gap} days."))
    if len(recent) >= cap:
        oldest = recent[len(recent) - cap]
        blocks.append((oldest + YEAR, R.YEARLY_CAP,
                       f"{len(recent)} asks in the last 365 days; {name} frequency allows {cap} a year "
                       f"(the oldest counted was on {_day(oldest, cfg)})."))


def decide_many(session: Session, *, advocate_ids: list[int], activity: ActivityType | None, now: datetime,
                cfg: ProgramSettings | None = None) -> dict[int, Decision]:
    """Whether each advocate may be asked for `activity` now (None: general askability, without
    cooldown). Batched: a few queries per CHUNK advocates."""
    cfg = cfg or settings_service.load(session)
    people = _load_people(session, advocate_ids, [activity], now)
    return {advocate_id: _decide(people.get(advocate_id), activity, cfg, now) for advocate_id in advocate_ids}


def decide(session: Session, *, advocate: Advocate, activity: ActivityType | None, now: datetime) -> Decision:
    """The governor's decision for one advocate (see decide_many)."""
    return decide_many(session, advocate_ids=[advocate.id], activity=activity, now=now)[advocate.id]


# --- Segments -----------------------------------------------------------------------------------

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
    stmt = select(*_FULL_COLUMNS, Advocate.owner_id).order_by(Advocate.id)
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


# --- Settling asks: who gets which ask now --------------------------------------------------------

@dataclass
class _Pending:
    """An ask competing for one advocate: a new one (ask_id None) or one already queued."""

    ask_id: int | None
    activity: ActivityType
    mission: Mission
    priority: int
    created_at: datetime
    counts: bool
    reason: AskReason | None = None  # as stored, for a queued ask
    queued_until: datetime | None = None

    def order(self) -> tuple:
        # Highest priority first, then the oldest; a new ask is the newest.
        return (-self.priority, self.created_at, self.ask_id if self.ask_id is not None else float("inf"))


@dataclass(frozen=True)
class _Outcome:
    state: AskState
    reason: AskReason | None = None
    queued_until: datetime | None = None


SENT = _Outcome(AskState.SENT)


def _settle(person: _Person, pending: list[_Pending], cfg: ProgramSettings,
            now: datetime) -> dict[int, _Outcome]:
    """Send the best askable ask, again while any is still askable; the rest wait or are blocked.

    Returns an outcome per index into `pending`. A temporary block that lifts only after the
    mission closes cannot go out in time: it is final (blocked / dropped) rather than queued.
    """
    outcomes: dict[int, _Outcome] = {}
    remaining = sorted(range(len(pending)), key=lambda i: pending[i].order())
    first = {i: _decide(person, pending[i].activity, cfg, now) for i in remaining}
    decisions = first
    while True:
        ready = [i for i in remaining if decisions[i].askable]
        if not ready:
            break
        winner = ready[0]  # `remaining` is in priority order
        outcomes[winner] = SENT
        remaining.remove(winner)
        person.record_sent(now, pending[winner].activity.id, pending[winner].counts)
        decisions = {i: _decide(person, pending[i].activity, cfg, now) for i in remaining}
    for i in remaining:
        decision, ask = decisions[i], pending[i]
        final = AskState.BLOCKED if ask.ask_id is None else AskState.DROPPED
        if decision.reason in TEMPORARY and decision.askable_at < ask.mission.closes_at:
            reason = R.COMPETING_ASK if first[i].askable else decision.reason
            outcomes[i] = _Outcome(AskState.QUEUED, reason, decision.askable_at)
        else:
            outcomes[i] = _Outcome(final, decision.reason)
    return outcomes


def lock_advocates(session: Session, advocate_ids: Iterable[int]) -> None:
    """On PostgreSQL, row-lock the advocates in id order (SQLite serialises writers already)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for chunk in _chunks(sorted(set(advocate_ids))):
        session.execute(select(Advocate.id).where(Advocate.id.in_(chunk)).order_by(Advocate.id)
                        .with_for_update(key_share=True)).all()


def _queued(session: Session, advocate_ids: Iterable[int]) -> dict[int, list[_Pending]]:
    """The queued asks of these advocates, with mission and activity loaded."""
    found: dict[int, list[_Pending]] = {}
    for chunk in _chunks(sorted(set(advocate_ids))):
        rows = session.execute(
            select(Ask.id, Ask.advocate_id, Ask.priority, Ask.created_at, Ask.counts_as_ask, Ask.mission_id,
                   Ask.reason, Ask.queued_until)
            .where(Ask.advocate_id.in_(chunk), unindexed(Ask.state) == AskState.QUEUED)).all()
        missions = _missions(session, {row.mission_id for row in rows})
        for row in rows:
            mission = missions[row.mission_id]
            found.setdefault(row.advocate_id, []).append(
                _Pending(row.id, mission.activity, mission, row.priority, row.created_at, row.counts_as_ask,
                         row.reason, row.queued_until))
    return found


def _missions(session: Session, ids: set[int]) -> dict[int, Mission]:
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(
        select(Mission).options(joinedload(Mission.activity).joinedload(ActivityType.reward_tier))
        .where(Mission.id.in_(ids)))}


def _taken_up(session: Session, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """(mission, advocate) pairs among `pairs` with an attempt beyond AVAILABLE."""
    taken: set[tuple[int, int]] = set()
    by_mission: dict[int, list[int]] = {}
    for mission_id, advocate_id in pairs:
        by_mission.setdefault(mission_id, []).append(advocate_id)
    for mission_id, advocate_ids in by_mission.items():
        for chunk in _chunks(advocate_ids):
            taken.update(session.execute(
                select(Attempt.mission_id, Attempt.advocate_id)
                .where(Attempt.mission_id == mission_id, Attempt.advocate_id.in_(chunk),
                       Attempt.state != AttemptState.AVAILABLE)).tuples())
    return taken


def _eligible(row, mission: Mission) -> bool:
    return (row.status.rank >= eligibility.required_status(mission).rank
            and eligibility.in_audience(row, mission))


def _apply_existing(session: Session, pending: _Pending, outcome: _Outcome, person: _Person,
                    cfg: ProgramSettings, now: datetime) -> int:
    """Write the outcome of an already queued ask with a guarded UPDATE; 1 if it changed."""
    if outcome == _Outcome(AskState.QUEUED, pending.reason, pending.queued_until):
        return 0
    values: dict = {"state": outcome.state, "reason": outcome.reason, "queued_until": outcome.queued_until}
    if outcome.state == AskState.SENT:
        values.update(sent_at=now, reason=None)
    elif outcome.state != AskState.QUEUED:
        values.update(closed_at=now, queued_until=None)
    changed = session.execute(update(Ask).where(Ask.id == pending.ask_id, Ask.state == AskState.QUEUED)
                              .values(**values).execution_options(synchronize_session=False)).rowcount
    if changed and outcome.state == AskState.SENT:
        _announce(session, pending.ask_id, person, pending.mission, cfg, now)
    return changed


def _announce(session: Session, ask_id: int, person: _Person, mission: Mission, cfg: ProgramSettings,
              now: datetime) -> None:
    """The in-app notification and the email of a sent ask, once each (dedupe key "ask:<id>")."""
    row = person.row
    key = f"ask:{ask_id}"
    title = f"New mission for you: {mission.title}"[:200]
    closes = format_local(mission.closes_at, cfg.timezone)
    points = points_for_mission(mission)
    body = f"{mission.activity.name}, {points:,} points. Open until {_day(mission.closes_at, cfg)}."
    notifications.notify(session, kind="ask", title=title, body=body,
                         link=f"/portal/missions/{mission.id}", dedupe_key=key, now=now, advocate_id=row.id)
    outbox.enqueue(session, dedupe_key=key, kind="ask", to_email=row.email, subject=title, template="ask",
                   context={"name": row.name, "program": cfg.program_name, "mission": mission.title,
                            "activity": mission.activity.name, "points": f"{points:,}", "closes": closes},
                   now=now, advocate_id=row.id, category="missions")


def _expire_asks(session: Session) -> None:
    """Core UPDATEs bypass the identity map: expire loaded asks so they reload."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Ask | AskPush):
            session.expire(obj)


# --- Pushing --------------------------------------------------------------------------------------

def push_mission(session: Session, *, staff: StaffUser, mission_id: int, filters: SegmentFilters,
                 priority: int, now: datetime) -> AskPush:
    """Ask every advocate in the segment for the mission, through the governor (see module doc)."""
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
    for chunk in _chunks(ids):
        live.update(session.scalars(select(Ask.advocate_id).where(
            Ask.mission_id == mission.id, Ask.advocate_id.in_(chunk), Ask.state.in_(LIVE))))
    live.update(advocate_id for _, advocate_id in _taken_up(session, {(mission.id, i) for i in ids}))
    queued = _queued(session, ids)
    activities = [mission.activity, *(p.activity for asks in queued.values() for p in asks)]
    people = _load_people(session, ids, activities, now, full=True)
    queued = _still_queued(session, queued, people, cfg, now)
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
    _expire_asks(session)


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


def _push_one(session: Session, base: dict, person: _Person, mission: Mission, queued: list[_Pending],
              cfg: ProgramSettings, now: datetime) -> AskReason | None:
    """Settle the new ask against the advocate's queued ones; the reason if it is blocked, else None."""
    if person.state == AdvocateState.ACTIVE and not _eligible(person.row, mission):
        return R.NOT_ELIGIBLE
    new = _Pending(None, mission.activity, mission, base["priority"], now, mission.activity.counts_as_ask)
    outcomes = _settle(person, [new, *queued], cfg, now)
    for index, pending in enumerate(queued, start=1):
        _apply_existing(session, pending, outcomes[index], person, cfg, now)
    outcome = outcomes[0]
    if outcome.state == AskState.BLOCKED:
        return outcome.reason
    if not _insert_live(session, base, person.id, outcome, person, mission, cfg, now):
        return R.ALREADY_ASKED
    return None


def _insert_live(session: Session, base: dict, advocate_id: int, outcome: _Outcome, person: _Person,
                 mission: Mission, cfg: ProgramSettings, now: datetime) -> bool:
    """Insert a sent or queued ask unless a live one for the mission exists; announce a sent one."""
    sent = outcome.state == AskState.SENT
    stmt = notifications.dialect_insert(session)(Ask).values(
        **base, advocate_id=advocate_id, state=outcome.state, reason=outcome.reason,
        queued_until=outcome.queued_until, sent_at=now if sent else None,
    ).on_conflict_do_nothing().returning(Ask.id)
    ask_id = session.execute(stmt).scalar()
    if ask_id is None:
        return False
    if sent:
        _announce(session, ask_id, person, mission, cfg, now)
    return True


def _still_queued(session: Session, queued: dict[int, list[_Pending]], people: dict[int, _Person],
                  cfg: ProgramSettings, now: datetime) -> dict[int, list[_Pending]]:
    """Drop queued asks that can no longer go out (mission closed, taken up, advocate no longer
    eligible); returns the rest per advocate."""
    taken = _taken_up(session, {(p.mission.id, advocate_id)
                                for advocate_id, asks in queued.items() for p in asks})
    kept: dict[int, list[_Pending]] = {}
    for advocate_id, asks in queued.items():
        person = people[advocate_id]
        for p in asks:
            reason = None
            if p.mission.archived or p.mission.closes_at <= now:
                reason = R.MISSION_CLOSED
            elif (p.mission.id, advocate_id) in taken:
                reason = R.ALREADY_ASKED
            elif person.state == AdvocateState.ACTIVE and not _eligible(person.row, p.mission):
                reason = R.NOT_ELIGIBLE
            if reason is None:
                kept.setdefault(advocate_id, []).append(p)
            else:
                _apply_existing(session, p, _Outcome(AskState.DROPPED, reason), person, cfg, now)
    return kept


# --- Jobs -----------------------------------------------------------------------------------------

def release_queued(session: Session, *, now: datetime, batch: int = 500) -> int:
    """Re-decide the queued asks of every advocate with one due (queued_until <= now): the best
    askable one goes out, the others wait again with a new date, or are dropped when they can no
    longer go out. Returns how many asks changed. Idempotent: a second run finds nothing due."""
    cfg = settings_service.load(session)
    touched, last = 0, 0
    while advocate_ids := list(session.scalars(
            select(Ask.advocate_id).where(Ask.state == AskState.QUEUED, Ask.queued_until <= now,
                                          Ask.advocate_id > last)
            .group_by(Ask.advocate_id).order_by(Ask.advocate_id).limit(batch))):
        last = advocate_ids[-1]
        lock_advocates(session, advocate_ids)
        queued = _queued(session, advocate_ids)  # read after the lock: another run may have acted
        people = _load_people(session, list(queued), [p.activity for asks in queued.values() for p in asks],
                              now, full=True)
        before = sum(map(len, queued.values()))
        queued = _still_queued(session, queued, people, cfg, now)
        touched += before - sum(map(len, queued.values()))
        for advocate_id, pending in queued.items():
            outcomes = _settle(people[advocate_id], pending, cfg, now)
            touched += sum(_apply_existing(session, p, outcomes[i], people[advocate_id], cfg, now)
                           for i, p in enumerate(pending))
    session.flush()
    _expire_asks(session)
    return touched


def drop_closed(session: Session, *, now: datetime, batch: int = 500) -> int:
    """Drop queued asks whose mission has closed or been archived (reason MISSION_CLOSED)."""
    closed = select(Mission.id).where((Mission.closes_at <= now) | Mission.archived.is_(True))
    total = 0
    while ids := list(session.scalars(select(Ask.id).where(Ask.state == AskState.QUEUED,
                                                           Ask.mission_id.in_(closed))
                                      .order_by(Ask.id).limit(batch))):
        total += session.execute(
            update(Ask).where(Ask.id.in_(ids), unindexed(Ask.state) == AskState.QUEUED)
            .values(state=AskState.DROPPED, reason=R.MISSION_CLOSED, queued_until=None, closed_at=now)
            .execution_options(synchronize_session=False)).rowcount
    session.flush()
    _expire_asks(session)
    return total


# --- Staff actions and reading ------------------------------------------------------------------

def drop_ask(session: Session, *, staff: StaffUser, ask_id: int, now: datetime) -> Ask:
    """Staff drop a queued ask: it will not go out. Conflict if it is no longer queued."""
    ask = session.get(Ask, ask_id)
    if ask is None:
        raise NotFound("No such ask.")
    changed = session.execute(
        update(Ask).where(Ask.id == ask_id, Ask.state == AskState.QUEUED)
        .values(state=AskState.DROPPED, reason=None, queued_until=None, closed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(ask)
    if not changed:
        raise Conflict("Only a queued ask can be dropped; this one has already been settled.")
    return ask


@dataclass
class PushRow:
    ask: Ask
    advocate_name: str
    company: str
    label: str
    detail: str


@dataclass
class PushSummary:
    push: AskPush
    counts: dict[AskState, int]
    rows: list[PushRow]


def _state_counts(session: Session, push_ids: list[int]) -> dict[int, dict[AskState, int]]:
    counts: dict[int, dict[AskState, int]] = {push_id: {} for push_id in push_ids}
    for chunk in _chunks(push_ids):
        for push_id, state, n in session.execute(
                select(Ask.push_id, Ask.state, func.count()).where(Ask.push_id.in_(chunk))
                .group_by(Ask.push_id, Ask.state)):
            counts[push_id][state] = n
    return counts


def push_summary(session: Session, *, push_id: int, state: AskState | None = None, page: int = 1,
                 per_page: int = 50) -> PushSummary:
    """A push with its counts per state and one page of its asks (filtered by state if given)."""
    push = session.scalar(select(AskPush).options(joinedload(AskPush.mission).joinedload(Mission.activity),
                                                  joinedload(AskPush.created_by))
                          .where(AskPush.id == push_id))
    if push is None:
        raise NotFound("No such push.")
    stmt = (select(Ask).options(joinedload(Ask.advocate)).where(Ask.push_id == push_id)
            .order_by(Ask.id).limit(per_page).offset((max(1, page) - 1) * per_page))
    if state is not None:
        stmt = stmt.where(Ask.state == state)
    asks = session.scalars(stmt).all()
    cfg = settings_service.load(session)
    rows = [PushRow(ask, ask.advocate.name, ask.advocate.company, ask_label(ask),
                    ask_detail(ask, push.mission, cfg)) for ask in asks]
    return PushSummary(push, _state_counts(session, [push.id])[push.id], rows)


def ask_label(ask: Ask) -> str:
    """A short label for an ask's outcome: "Sent", "Dropped by staff" or its reason's label."""
    if ask.state == AskState.SENT:
        return "Sent"
    if ask.reason is None:
        return "Dropped by staff" if ask.state == AskState.DROPPED else ask.state.value.capitalize()
    return REASON_LABELS[ask.reason]


def ask_detail(ask: Ask, mission: Mission, cfg: ProgramSettings) -> str:
    """One plain sentence about an ask's outcome, from what the ask row records."""
    if ask.state == AskState.SENT:
        return f"Went out on {_day(ask.sent_at, cfg)}."
    if ask.state == AskState.QUEUED:
        why = {R.FREQUENCY_CAP: "they were asked too recently",
               R.YEARLY_CAP: "they reached the yearly cap",
               R.COOLDOWN: f"the {mission.activity.name} cooldown is running",
               R.COMPETING_ASK: "a higher-priority ask went out first"}.get(ask.reason,
                                                                             "they are not askable yet")
        return f"Waits until {_day(ask.queued_until, cfg)} because {why}."
    if ask.state == AskState.DROPPED and ask.reason is None:
        return f"Dropped by staff on {_day(ask.closed_at, cfg)}." if ask.closed_at else "Dropped by staff."
    advocate = ask.advocate
    return {
        R.FREQUENCY_CAP: "Asked too recently to be asked again before the mission closes.",
        R.YEARLY_CAP: "Yearly cap reached until after the mission closes.",
        R.COOLDOWN: f"The {mission.activity.name} cooldown runs past the mission's close.",
        R.PAUSED: "The advocate has paused their participation.",
        R.OPTED_OUT: "The advocate opted out of the program.",
        R.LOW_NPS: f"Latest NPS is {advocate.nps}; asks need {cfg.ask_min_nps} or more.",
        R.NOT_ELIGIBLE: _not_eligible_detail(advocate, mission),
        R.ALREADY_ASKED: "Already asked for this mission, or already took it up.",
        R.COMPETING_ASK: "Another ask went out first; this one could not follow before the mission closed.",
        R.MISSION_CLOSED: "The mission closed before the ask could go out.",
    }.get(ask.reason, "")


def _not_eligible_detail(advocate: Advocate, mission: Mission) -> str:
    if advocate.state == AdvocateState.INVITED:
        return "The advocate was invited but has not joined yet."
    needed = eligibility.required_status(mission)
    if advocate.status.rank < needed.rank:
        return f"The mission needs {needed.label} status; the advocate is {advocate.status.label}."
    return "The advocate is outside the mission's audience."


def pushes_for_mission(session: Session, *, mission_id: int) -> list[tuple[AskPush, dict[AskState, int]]]:
    """Every push of the mission, newest first, each with its counts per state."""
    pushes = session.scalars(select(AskPush).options(joinedload(AskPush.created_by))
                             .where(AskPush.mission_id == mission_id)
                             .order_by(AskPush.created_at.desc(), AskPush.id.desc())).all()
    counts = _state_counts(session, [p.id for p in pushes])
    return [(push, counts[push.id]) for push in pushes]


def queue_page(session: Session, *, page: int = 1, per_page: int = 50,
               owner_id: int | None = None) -> tuple[list[Ask], bool]:
    """Queued asks, soonest release first, then highest priority; only one CSM's advocates when
    `owner_id` is given. Returns (asks, has_next)."""
    stmt = (select(Ask).options(joinedload(Ask.advocate), joinedload(Ask.mission))
            .where(Ask.state == AskState.QUEUED)
            .order_by(Ask.queued_until, Ask.priority.desc(), Ask.id)
            .limit(per_page + 1).offset((max(1, page) - 1) * per_page))
    if owner_id is not None:
        stmt = stmt.join(Advocate, Advocate.id == Ask.advocate_id).where(Advocate.owner_id == owner_id)
    asks = session.scalars(stmt).all()
    return list(asks[:per_page]), len(asks) > per_page


def advocate_asks(session: Session, *, advocate_id: int, limit: int = 20) -> list[Ask]:
    """The advocate's asks, newest first, with mission and activity loaded."""
    return list(session.scalars(select(Ask).options(joinedload(Ask.mission), joinedload(Ask.activity))
                                .where(Ask.advocate_id == advocate_id)
                                .order_by(Ask.created_at.desc(), Ask.id.desc()).limit(limit)))
