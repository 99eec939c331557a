"""The ask queue: asks waiting until their advocate is askable again.

`release_queued` (a job) re-decides the queued asks of every advocate with one due: the best
askable one goes out, the others wait again with a new date, or are dropped when they can no
longer go out (mission closed, taken up, advocate no longer eligible). `drop_closed` (a job) drops
those whose mission closed; staff drop one by hand with `drop_ask`.

Concurrency: on PostgreSQL the advocates are row-locked (in id order) before their history is
read, so two pushes or a push and a release never both send to one advocate; the partial unique
index on live asks per (mission, advocate) is the last guard. SQLite serialises writers with
BEGIN IMMEDIATE. Services flush, never commit.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from app.db.planner import unindexed
from app.models import (
    ActivityType,
    Advocate,
    AdvocateState,
    Ask,
    AskReason,
    AskState,
    Attempt,
    AttemptState,
    Mission,
    StaffUser,
)
from app.services.asks.outcomes import Outcome, Pending, apply_existing, expire_asks, settle
from app.services.asks.rules import Person, chunks, load_people
from app.services.errors import Conflict, NotFound
from app.services.missions import eligibility
from app.services.program import settings as settings_service
from app.services.program.settings import ProgramSettings

R = AskReason


def lock_advocates(session: Session, advocate_ids: Iterable[int]) -> None:
    """On PostgreSQL, row-lock the advocates in id order (SQLite serialises writers already)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for chunk in chunks(sorted(set(advocate_ids))):
        session.execute(select(Advocate.id).where(Advocate.id.in_(chunk)).order_by(Advocate.id)
                        .with_for_update(key_share=True)).all()


def queued_asks(session: Session, advocate_ids: Iterable[int]) -> dict[int, list[Pending]]:
    """The queued asks of these advocates, with mission and activity loaded."""
    found: dict[int, list[Pending]] = {}
    for chunk in chunks(sorted(set(advocate_ids))):
        rows = session.execute(
            select(Ask.id, Ask.advocate_id, Ask.priority, Ask.created_at, Ask.counts_as_ask, Ask.mission_id,
                   Ask.reason, Ask.queued_until)
            .where(Ask.advocate_id.in_(chunk), unindexed(Ask.state) == AskState.QUEUED)).all()
        missions = _missions(session, {row.mission_id for row in rows})
        for row in rows:
            mission = missions[row.mission_id]
            found.setdefault(row.advocate_id, []).append(
                Pending(row.id, mission.activity, mission, row.priority, row.created_at, row.counts_as_ask,
                        row.reason, row.queued_until))
    return found


def _missions(session: Session, ids: set[int]) -> dict[int, Mission]:
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(
        select(Mission).options(joinedload(Mission.activity).joinedload(ActivityType.reward_tier))
        .where(Mission.id.in_(ids)))}


def taken_up(session: Session, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """(mission, advocate) pairs among `pairs` with an attempt beyond AVAILABLE."""
    taken: set[tuple[int, int]] = set()
    by_mission: dict[int, list[int]] = {}
    for mission_id, advocate_id in pairs:
        by_mission.setdefault(mission_id, []).append(advocate_id)
    for mission_id, advocate_ids in by_mission.items():
        for chunk in chunks(advocate_ids):
            taken.update(session.execute(
                select(Attempt.mission_id, Attempt.advocate_id)
                .where(Attempt.mission_id == mission_id, Attempt.advocate_id.in_(chunk),
                       Attempt.state != AttemptState.AVAILABLE)).tuples())
    return taken


def eligible(row, mission: Mission) -> bool:
    """Whether the advocate's columns meet the mission's status and audience."""
    return (row.status.rank >= eligibility.required_status(mission).rank
            and eligibility.in_audience(row, mission))


def still_queued(session: Session, queued: dict[int, list[Pending]], people: dict[int, Person],
                 cfg: ProgramSettings, now: datetime) -> dict[int, list[Pending]]:
    """Drop queued asks that can no longer go out (mission closed, taken up, advocate no longer
    eligible); returns the rest per advocate."""
    taken = taken_up(session, {(p.mission.id, advocate_id)
                               for advocate_id, asks in queued.items() for p in asks})
    kept: dict[int, list[Pending]] = {}
    for advocate_id, asks in queued.items():
        person = people[advocate_id]
        for p in asks:
            reason = None
            if p.mission.archived or p.mission.closes_at <= now:
                reason = R.MISSION_CLOSED
            elif (p.mission.id, advocate_id) in taken:
                reason = R.ALREADY_ASKED
            elif person.state == AdvocateState.ACTIVE and not eligible(person.row, p.mission):
                reason = R.NOT_ELIGIBLE
            if reason is None:
                kept.setdefault(advocate_id, []).append(p)
            else:
                apply_existing(session, p, Outcome(AskState.DROPPED, reason), person, cfg, now)
    return kept


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
        queued = queued_asks(session, advocate_ids)  # read after the lock: another run may have acted
        people = load_people(session, list(queued), [p.activity for asks in queued.values() for p in asks],
                             now, full=True)
        before = sum(map(len, queued.values()))
        queued = still_queued(session, queued, people, cfg, now)
        touched += before - sum(map(len, queued.values()))
        for advocate_id, pending in queued.items():
            outcomes = settle(people[advocate_id], pending, cfg, now)
            touched += sum(apply_existing(session, p, outcomes[i], people[advocate_id], cfg, now)
                           for i, p in enumerate(pending))
    session.flush()
    expire_asks(session)
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
    expire_asks(session)
    return total


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
