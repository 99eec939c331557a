"""Who of the asks competing for one advocate goes out now, and each outcome written down.

The highest priority (then the oldest) askable ask goes out, then the next while any is still
askable; the rest wait in the queue until the advocate is askable again, or are blocked (a new
ask) or dropped (a queued one) when they cannot go out before their mission closes. A new ask is
inserted unless a live one for its mission exists; a queued one moves on only by a guarded UPDATE
while it is still queued. Every ask that goes out is announced once: a notification and an email.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.db.dialect import dialect_insert
from app.models import ActivityType, Ask, AskPush, AskReason, AskState, Mission
from app.services.asks.rules import TEMPORARY, Person, decision_for, local_day
from app.services.messaging import notifications, outbox
from app.services.missions.scoring import points_for_mission
from app.services.periods import format_local
from app.services.program.settings import ProgramSettings
from app.services.webhooks import events as webhook_events

R = AskReason


@dataclass
class Pending:
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
class Outcome:
    state: AskState
    reason: AskReason | None = None
    queued_until: datetime | None = None


SENT = Outcome(AskState.SENT)


def settle(person: Person, pending: list[Pending], cfg: ProgramSettings, now: datetime) -> dict[int, Outcome]:
    """Send the best askable ask, again while any is still askable; the rest wait or are blocked.

    Returns an outcome per index into `pending`. A temporary block that lifts only after the
    mission closes cannot go out in time: it is final (blocked / dropped) rather than queued.
    """
    outcomes: dict[int, Outcome] = {}
    remaining = sorted(range(len(pending)), key=lambda i: pending[i].order())
    first = {i: decision_for(person, pending[i].activity, cfg, now) for i in remaining}
    decisions = first
    while True:
        ready = [i for i in remaining if decisions[i].askable]
        if not ready:
            break
        winner = ready[0]  # `remaining` is in priority order
        outcomes[winner] = SENT
        remaining.remove(winner)
        person.record_sent(now, pending[winner].activity.id, pending[winner].counts)
        decisions = {i: decision_for(person, pending[i].activity, cfg, now) for i in remaining}
    for i in remaining:
        decision, ask = decisions[i], pending[i]
        final = AskState.BLOCKED if ask.ask_id is None else AskState.DROPPED
        if decision.reason in TEMPORARY and decision.askable_at < ask.mission.closes_at:
            reason = R.COMPETING_ASK if first[i].askable else decision.reason
            outcomes[i] = Outcome(AskState.QUEUED, reason, decision.askable_at)
        else:
            outcomes[i] = Outcome(final, decision.reason)
    return outcomes


def insert_live(session: Session, base: dict, advocate_id: int, outcome: Outcome, person: Person,
                mission: Mission, cfg: ProgramSettings, now: datetime) -> bool:
    """Insert a sent or queued ask unless a live one for the mission exists; announce a sent one."""
    sent = outcome.state == AskState.SENT
    stmt = dialect_insert(session)(Ask).values(
        **base, advocate_id=advocate_id, state=outcome.state, reason=outcome.reason,
        queued_until=outcome.queued_until, sent_at=now if sent else None,
    ).on_conflict_do_nothing().returning(Ask.id)
    ask_id = session.execute(stmt).scalar()
    if ask_id is None:
        return False
    if sent:
        announce(session, ask_id, person, mission, cfg, now)
    return True


def apply_existing(session: Session, pending: Pending, outcome: Outcome, person: Person,
                   cfg: ProgramSettings, now: datetime) -> int:
    """Write the outcome of an already queued ask with a guarded UPDATE; 1 if it changed."""
    if outcome == Outcome(AskState.QUEUED, pending.reason, pending.queued_until):
        return 0
    values: dict = {"state": outcome.state, "reason": outcome.reason, "queued_until": outcome.queued_until}
    if outcome.state == AskState.SENT:
        values.update(sent_at=now, reason=None)
    elif outcome.state != AskState.QUEUED:
        values.update(closed_at=now, queued_until=None)
    changed = session.execute(update(Ask).where(Ask.id == pending.ask_id, Ask.state == AskState.QUEUED)
                              .values(**values).execution_options(synchronize_session=False)).rowcount
    if changed and outcome.state == AskState.SENT:
        announce(session, pending.ask_id, person, pending.mission, cfg, now)
    return changed


def announce(session: Session, ask_id: int, person: Person, mission: Mission, cfg: ProgramSettings,
             now: datetime) -> None:
    """The in-app notification and the email of a sent ask, once each (dedupe key "ask:<id>")."""
    row = person.row
    key = f"ask:{ask_id}"
    title = f"New mission for you: {mission.title}"[:200]
    closes = format_local(mission.closes_at, cfg.timezone)
    points = points_for_mission(mission)
    body = f"{mission.activity.name}, {points:,} points. Open until {local_day(mission.closes_at, cfg)}."
    notifications.notify(session, kind="ask", title=title, body=body,
                         link=f"/portal/missions/{mission.id}", dedupe_key=key, now=now, advocate_id=row.id)
    outbox.enqueue(session, dedupe_key=key, kind="ask", to_email=row.email, subject=title, template="ask",
                   context={"name": row.name, "program": cfg.program_name, "mission": mission.title,
                            "activity": mission.activity.name, "points": f"{points:,}", "closes": closes},
                   now=now, advocate_id=row.id, category="missions")
    webhook_events.emit(session, "ask.sent", {
        "ask_id": ask_id, "advocate_id": row.id, "mission_id": mission.id, "mission_title": mission.title,
        "activity": mission.activity.name, "points": points,
        "closes_at": mission.closes_at.isoformat(timespec="seconds") + "Z",
        "sent_at": now.isoformat(timespec="seconds") + "Z"}, now)


def expire_asks(session: Session) -> None:
    """Core UPDATEs bypass the identity map: expire loaded asks so they reload."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Ask | AskPush):
            session.expire(obj)
