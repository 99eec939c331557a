"""Trigger events (SPEC §8): an event from the API or a staff form → the customer's signals → the
matching rule → one ask through the governor.

`record_event` is the one way an event comes in (the API and the staff form both call it):
1. the event is checked (type, advocate by email or external id, when, the type's data) and stored;
2. its signals are applied: `nps_submitted` sets the advocate's latest NPS, `support_resolved`
   averages the ticket's CSAT into the customer's CSAT, `renewal` counts a purchase and moves the
   last purchase date. An event older than the newest one of its type already received for the
   advocate is *superseded*: it is kept, but sets no NPS and makes no ask (its renewal still counts,
   its CSAT still averages in: those do not depend on order);
3. the matching enabled rule (trigger_rules.match) names an activity kind; the open mission of that
   kind the advocate may take that opened most recently is asked for through `asks.ask_one`,
   so every governor rule applies (caps, cooldown, paused / opted out, low NPS, competing asks).
The ask is written with source "trigger" and names the event. Services flush, never commit.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.models import (
    ActivityType,
    Advocate,
    Ask,
    AskState,
    Attempt,
    AttemptState,
    CustomerSignal,
    Mission,
    TriggerEvent,
    TriggerEventType,
    TriggerOutcome,
)
from app.services import asks
from app.services.errors import NotFound, ValidationFailed
from app.services.missions import eligibility
from app.services.periods import format_local
from app.services.program import settings as settings_service
from app.services.triggers import rules as trigger_rules

T = TriggerEventType
EARLIEST = datetime(2000, 1, 1)
CLOCK_SKEW = timedelta(minutes=5)  # an event "in the future" by less than this is a clock difference
MAX_DATA_CHARS = 2000
SOURCES = ("api", "staff")


@dataclass(frozen=True)
class AdvocateRef:
    email: str | None = None
    external_id: str | None = None


@dataclass
class EventResult:
    event: TriggerEvent
    ask: Ask | None
    summary: str  # one plain sentence: what came of the event
    followup_due: datetime | None = None  # a sent ask's follow-up, while it is still to come

    @property
    def result(self) -> str:
        """"sent", "queued", "blocked" or "dropped" (the ask's state), else the event's outcome."""
        return self.ask.state.value if self.ask is not None else self.event.outcome.value


def record_event(session: Session, *, event_type: str, advocate: AdvocateRef, occurred_at: datetime,
                 data: dict, source: str, actor_id: int | None, now: datetime) -> EventResult:
    """Store a trigger event, apply its signals and make its ask (see the module doc).

    Raises ValidationFailed naming the field (type, advocate, occurred_at, data.score, data.csat,
    data.name, data) and NotFound for an unknown advocate (field advocate.email / advocate.external_id)."""
    kind = _event_type(event_type)
    data = _check_data(kind, data)
    _check_moment(occurred_at, now)
    person = find_advocate(session, advocate)
    asks.lock_advocates(session, [person.id])  # events of one advocate are applied one at a time
    newer = _newest(session, person.id, kind)
    superseded = newer is not None and newer > occurred_at
    event = TriggerEvent(type=kind, advocate_id=person.id, occurred_at=occurred_at, received_at=now,
                         data=data, source=source, actor_id=actor_id, outcome=TriggerOutcome.NO_RULE)
    session.add(event)
    session.flush()
    _apply_signals(session, person, event, superseded, now)
    cfg = settings_service.load(session)
    if superseded:
        kept = {T.NPS_SUBMITTED: "does not change the NPS", T.RENEWAL: "still counts as a purchase",
                T.SUPPORT_RESOLVED: "still counts in the CSAT average"}.get(kind, "is kept")
        return _settle(event, TriggerOutcome.SUPERSEDED,
                       f"A newer {kind.value} event (of {format_local(newer, cfg.timezone)}) was already "
                       f"received: this one {kept} and makes no ask.")
    value = number_of(event)
    rule = trigger_rules.match(session, event_type=kind, value=value)
    if rule is None:
        shown = f" ({trigger_rules.NUMBERS[kind][1]} {value})" if kind in trigger_rules.NUMBERS else ""
        return _settle(event, TriggerOutcome.NO_RULE,
                       f"No enabled rule asks anything for this {kind.value} event{shown}.")
    event.rule_id = rule.id
    mission = pick_mission(session, advocate=person, kind=rule.activity_kind, now=now)
    if mission is None:
        wanted = rule.activity_kind.value.replace("_", " ")
        return _settle(event, TriggerOutcome.NO_MISSION,
                       f"No open mission for this activity kind ({wanted}) that {person.name} may take.")
    ask = asks.ask_one(session, advocate_id=person.id, mission_id=mission.id, priority=rule.priority,
                       source="trigger", now=now, trigger_event_id=event.id)
    event.outcome = TriggerOutcome.ASKED
    session.flush()
    return EventResult(event, ask, ask_summary(ask, cfg))


def _settle(event: TriggerEvent, outcome: TriggerOutcome, detail: str) -> EventResult:
    event.outcome, event.detail = outcome, detail[:300]
    return EventResult(event, None, event.detail)


def _event_type(value) -> TriggerEventType:
    try:
        return TriggerEventType(value)
    except ValueError:
        allowed = ", ".join(t.value for t in TriggerEventType)
        raise ValidationFailed(f"type must be one of {allowed}.", field="type") from None


def _whole(data: dict, name: str, low: int, high: int, label: str) -> int:
    value = data.get(name)
    if value is None:
        raise ValidationFailed(f"The {label} is required for this event.", field=f"data.{name}")
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"The {label} must be a whole number from {low} to {high}.",
                               field=f"data.{name}")
    return value


def _check_data(kind: TriggerEventType, data) -> dict:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationFailed("data must be an object.", field="data")
    if len(json.dumps(data, separators=(",", ":"))) > MAX_DATA_CHARS:
        raise ValidationFailed(f"data must be at most {MAX_DATA_CHARS:,} characters of JSON.", field="data")
    if kind in trigger_rules.NUMBERS:
        name, label, low, high = trigger_rules.NUMBERS[kind]
        _whole(data, name, low, high, label)
    name = data.get("name")
    if kind == T.MILESTONE and name is not None and (not isinstance(name, str) or len(name) > 200):
        raise ValidationFailed("The milestone's name must be text of up to 200 characters.",
                               field="data.name")
    return data


def _check_moment(occurred_at: datetime, now: datetime) -> None:
    if occurred_at > now + CLOCK_SKEW:
        raise ValidationFailed("occurred_at is in the future.", field="occurred_at")
    if occurred_at < EARLIEST:
        raise ValidationFailed("occurred_at must be in the year 2000 or later.", field="occurred_at")


def find_advocate(session: Session, ref: AdvocateRef) -> Advocate:
    """The advocate an event is about, by external id and/or email (both must agree when both are given).
    Raises ValidationFailed (neither given, or they name two advocates) and NotFound."""
    email = (ref.email or "").strip().lower() or None
    external_id = (ref.external_id or "").strip() or None
    if email is None and external_id is None:
        raise ValidationFailed("Name the advocate by email or external_id.", field="advocate")
    found = None
    if external_id is not None:
        found = session.scalars(select(Advocate).where(Advocate.external_id == external_id)).first()
        if found is None:
            raise NotFound(f"No advocate has external_id {external_id}.", field="advocate.external_id")
    if email is not None:
        by_email = session.scalars(select(Advocate).where(Advocate.email == email)).first()
        if by_email is None:
            raise NotFound(f"No advocate has the email {email}.", field="advocate.email")
        if found is not None and by_email.id != found.id:
            raise ValidationFailed("The email and the external_id belong to two different advocates.",
                                   field="advocate.email")
        found = by_email
    return found


def _newest(session: Session, advocate_id: int, kind: TriggerEventType) -> datetime | None:
    return session.scalar(select(func.max(TriggerEvent.occurred_at)).where(
        TriggerEvent.advocate_id == advocate_id, TriggerEvent.type == kind))


def number_of(event: TriggerEvent) -> int | None:
    """The number the event carries (NPS score, CSAT), None for the types without one."""
    number = trigger_rules.NUMBERS.get(event.type)
    return event.data.get(number[0]) if number else None


def _apply_signals(session: Session, advocate: Advocate, event: TriggerEvent, superseded: bool,
                   now: datetime) -> None:
    if event.type == T.NPS_SUBMITTED and not superseded:
        advocate.nps = event.data["score"]
    elif event.type in (T.SUPPORT_RESOLVED, T.RENEWAL):
        signal = session.get(CustomerSignal, advocate.id)
        if signal is None:
            signal = CustomerSignal(advocate_id=advocate.id, purchase_count=0, recovered=False,
                                    referrals_made=0, social_mentions=0)
            session.add(signal)
        if event.type == T.RENEWAL:
            signal.purchase_count += 1
            day = event.occurred_at.date()
            signal.last_purchase_on = max(day, signal.last_purchase_on or day)
        else:
            signal.csat = _averaged(session, advocate.id, signal.csat, event)
        signal.updated_at = now
    session.flush()


def _averaged(session: Session, advocate_id: int, current: float | None, event: TriggerEvent) -> float:
    """The running CSAT average: the stored average counts as many tickets as support_resolved events
    came before this one (at least one, for an average imported from the support desk)."""
    csat = event.data["csat"]
    if current is None:
        return float(csat)
    before = session.scalar(select(func.count()).select_from(TriggerEvent).where(
        TriggerEvent.advocate_id == advocate_id, TriggerEvent.type == T.SUPPORT_RESOLVED,
        TriggerEvent.id != event.id))
    weight = max(before, 1)
    return round((current * weight + csat) / (weight + 1), 2)


def pick_mission(session: Session, *, advocate: Advocate, kind, now: datetime) -> Mission | None:
    """The open mission of this activity kind the advocate may take (status and audience, places left)
    that opened most recently, preferring one they were not asked for and did not take up yet;
    None when there is none."""
    missions = session.scalars(
        select(Mission).join(ActivityType, ActivityType.id == Mission.activity_id)
        .options(joinedload(Mission.activity))
        .where(ActivityType.kind == kind, Mission.archived.is_(False), Mission.opens_at <= now,
               Mission.closes_at > now)
        .order_by(Mission.opens_at.desc(), Mission.id.desc())).all()
    fits = [m for m in missions if _may_take(advocate, m)]
    if not fits:
        return None
    ids = [m.id for m in fits]
    asked = set(session.scalars(select(Ask.mission_id).where(
        Ask.advocate_id == advocate.id, Ask.mission_id.in_(ids), Ask.state.in_(asks.LIVE))))
    taken = set(session.scalars(select(Attempt.mission_id).where(
        Attempt.advocate_id == advocate.id, Attempt.mission_id.in_(ids),
        Attempt.state != AttemptState.AVAILABLE)))
    # With every fitting mission asked or taken, the newest is asked anyway: the governor records why not.
    return next((m for m in fits if m.id not in asked | taken), fits[0])


def _may_take(advocate: Advocate, mission: Mission) -> bool:
    return (advocate.status.rank >= eligibility.required_status(mission).rank
            and eligibility.in_audience(advocate, mission)
            and (mission.completion_limit is None or mission.completed_count < mission.completion_limit))


def ask_summary(ask: Ask, cfg: settings_service.ProgramSettings) -> str:
    """The ask's outcome in one sentence, as the push result page words it."""
    mission = ask.mission
    label = asks.ask_label(ask)
    detail = asks.ask_detail(ask, mission, cfg)
    if ask.state == AskState.SENT:
        return f"Asked for “{mission.title}”: sent. {detail}"
    return f"Asked for “{mission.title}”: {ask.state.value} ({label}). {detail}"
