"""May this advocate be asked now? The governor's rules (SPEC §6), numbers from program settings:

- frequency: one ask per `ask_gap_days_standard` days and `ask_year_cap_standard` per rolling
  365 days (`ask_gap_days_high` / `ask_year_cap_high` for advocates on high frequency). Only sent
  asks of activities that count as an ask are counted, by `sent_at`; other activities skip both caps;
- activity cooldown: an activity is not asked again within its `cooldown_days` of the advocate's
  last approved attempt of it, or of the last ask for it that went out;
- never paused, opted-out or not-yet-joined (invited) advocates, nor anyone whose latest NPS is
  below `ask_min_nps` (an unknown NPS is allowed).

Frequency cap, yearly cap and cooldown are temporary: the decision says when the last of them
lifts (`askable_at`). The others are permanent until someone changes the advocate. Read-only.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.planner import unindexed
from app.models import (
    ActivityType,
    Advocate,
    AdvocateState,
    Ask,
    AskFrequency,
    AskReason,
    AskState,
    Attempt,
    AttemptState,
)
from app.services.periods import to_local
from app.services.program import settings as settings_service
from app.services.program.settings import ProgramSettings

R = AskReason
DAY = timedelta(days=1)
YEAR = timedelta(days=365)
CHUNK = 500
TEMPORARY = frozenset({R.FREQUENCY_CAP, R.YEARLY_CAP, R.COOLDOWN})


@dataclass(frozen=True)
class Decision:
    """The governor's answer for one advocate and activity; `detail` is one plain sentence for staff."""

    askable: bool
    reason: AskReason | None = None
    askable_at: datetime | None = None  # None when askable now or permanently blocked
    detail: str = ""  # one plain sentence for staff


ASKABLE = Decision(True)


# --- What the governor knows about one advocate -------------------------------------------------

@dataclass
class Person:
    """One advocate as the rules see them, with the history that can block an ask."""

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


DECIDE_COLUMNS = (Advocate.id, Advocate.state, Advocate.nps, Advocate.ask_frequency)
FULL_COLUMNS = (*DECIDE_COLUMNS, Advocate.name, Advocate.email, Advocate.company, Advocate.status,
                Advocate.industry, Advocate.region, Advocate.tags, Advocate.readiness_tier)


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """`ids` in lists of at most CHUNK, for IN (...) clauses."""
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def load_people(session: Session, ids: Iterable[int], activities: Iterable[ActivityType], now: datetime,
                *, full: bool = False) -> dict[int, Person]:
    """The advocates with their counting asks of the last year and, for the given activities that
    have a cooldown, their latest approval or sent ask (four queries per CHUNK advocates)."""
    cooled = {a.id: a.cooldown_days for a in activities if a is not None and a.cooldown_days}
    since = now - timedelta(days=max(cooled.values(), default=0))
    people: dict[int, Person] = {}
    for chunk in chunks(sorted(set(ids))):
        for row in session.execute(select(*(FULL_COLUMNS if full else DECIDE_COLUMNS))
                                   .where(Advocate.id.in_(chunk))):
            people[row.id] = Person(row.id, row.state, row.nps, row.ask_frequency, row=row if full else None)
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

def local_day(moment: datetime, cfg: ProgramSettings) -> str:
    """The program-local date as staff read it, e.g. "7 Mar 2026"."""
    local = to_local(moment, cfg.timezone)
    return f"{local.day} {local:%b %Y}"


def decision_for(person: Person | None, activity: ActivityType | None, cfg: ProgramSettings,
                 now: datetime) -> Decision:
    """The rules applied to one advocate's loaded history; a permanent block wins over a temporary one."""
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
            blocks.append((lifts, R.COOLDOWN, f"{did} {activity.name} on {local_day(moment, cfg)}; "
                                              f"its cooldown is {activity.cooldown_days} days."))
    if not blocks:
        return ASKABLE
    lifts, reason, detail = max(blocks, key=lambda block: block[0])  # the first of equals wins
    return Decision(False, reason, lifts, detail)


def _caps(person: Person, cfg: ProgramSettings, now: datetime, blocks: list) -> None:
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
                       f"Asked on {local_day(last, cfg)}; {name} frequency allows one ask every "
                       f"{gap} days."))
    if len(recent) >= cap:
        oldest = recent[len(recent) - cap]
        blocks.append((oldest + YEAR, R.YEARLY_CAP,
                       f"{len(recent)} asks in the last 365 days; {name} frequency allows {cap} a year "
                       f"(the oldest counted was on {local_day(oldest, cfg)})."))


def decide_many(session: Session, *, advocate_ids: list[int], activity: ActivityType | None, now: datetime,
                cfg: ProgramSettings | None = None) -> dict[int, Decision]:
    """Whether each advocate may be asked for `activity` now (None: general askability, without
    cooldown). Batched: a few queries per CHUNK advocates."""
    cfg = cfg or settings_service.load(session)
    people = load_people(session, advocate_ids, [activity], now)
    return {advocate_id: decision_for(people.get(advocate_id), activity, cfg, now)
            for advocate_id in advocate_ids}


def decide(session: Session, *, advocate: Advocate, activity: ActivityType | None, now: datetime) -> Decision:
    """The governor's decision for one advocate (see decide_many)."""
    return decide_many(session, advocate_ids=[advocate.id], activity=activity, now=now)[advocate.id]

