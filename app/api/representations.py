"""How each object looks in the API: one Representation model per object, built by `of(stored)`.

The model is both what a handler sends (`dump()`) and the response schema in the OpenAPI document.
Times are UTC, ISO 8601 with a Z.
"""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from app.api.shapes import Representation, one_of
from app.models import ActivityKind as Kind
from app.models import (
    AdvocateState,
    AskFrequency,
    AskReason,
    AskState,
    AttemptState,
    Status,
    TriggerEventType,
)

When = Annotated[str | None, Field(json_schema_extra={"format": "date-time"})]
Day = Annotated[str | None, Field(json_schema_extra={"format": "date"})]
TRIGGER_RESULTS = (*(s.value for s in AskState), "no_rule", "no_mission", "superseded")


def when(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.replace(microsecond=0).isoformat() + "Z"
    return moment.isoformat()


def _value(member) -> Any:
    return None if member is None else member.value


class Advocate(Representation):
    id: int
    email: str
    external_id: str | None
    name: str
    company: str
    title: str
    industry: str
    region: str
    tags: list[str]
    state: one_of(AdvocateState)
    status: one_of(Status)
    readiness: int | None
    balance: int
    lifetime_points: int
    nps: int | None
    health_score: int | None
    owner_id: int | None
    ask_frequency: one_of(AskFrequency)
    created_at: When

    @classmethod
    def of(cls, a) -> "Advocate":
        return cls(id=a.id, email=a.email, external_id=a.external_id, name=a.name, company=a.company,
                   title=a.title, industry=a.industry, region=a.region, tags=a.tags or [],
                   state=a.state.value, status=a.status.value, readiness=a.readiness_tier, balance=a.balance,
                   lifetime_points=a.lifetime_points, nps=a.nps, health_score=a.health_score,
                   owner_id=a.owner_id, ask_frequency=a.ask_frequency.value, created_at=when(a.created_at))


class RejectedRow(Representation):
    line: int
    key: str
    reasons: list[str]


class ImportReport(Representation):
    """How many records were created, updated and unchanged; each rejected row's reasons."""

    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedRow]

    @classmethod
    def of(cls, report) -> "ImportReport":
        return cls(created=report.created, updated=report.updated, unchanged=report.unchanged,
                   rejected=[RejectedRow(line=r.line, key=r.key, reasons=[p.message for p in r.problems])
                             for r in report.rejected])


class LedgerEntry(Representation):
    id: int
    advocate_id: int
    amount: int
    reason: str
    source_type: str | None
    source_id: int | None
    note: str
    actor_id: int | None
    created_at: When

    @classmethod
    def of(cls, e) -> "LedgerEntry":
        return cls(id=e.id, advocate_id=e.advocate_id, amount=e.amount, reason=e.reason.value,
                   source_type=e.source_type, source_id=e.source_id, note=e.note, actor_id=e.actor_id,
                   created_at=when(e.created_at))


class AdjustmentResult(Representation):
    entry: LedgerEntry
    balance: int
    lifetime_points: int
    status: one_of(Status)


class Askability(Representation):
    """Whether the ask governor allows an ask now; if not, why and from when."""

    advocate_id: int
    activity_key: str | None
    askable: bool
    reason: str | None
    askable_at: When
    detail: str

    @classmethod
    def of(cls, advocate_id: int, activity_key: str | None, d) -> "Askability":
        return cls(advocate_id=advocate_id, activity_key=activity_key, askable=d.askable,
                   reason=_value(d.reason), askable_at=when(d.askable_at), detail=d.detail)


class Activity(Representation):
    id: int
    key: str
    name: str
    description: str
    kind: str
    effort: str
    value: str
    reward_tier: str
    points: int
    cooldown_days: int
    min_status: one_of(Status)
    expires_after_days: int
    evidence: str
    requires_approval: bool
    counts_as_ask: bool
    active: bool

    @classmethod
    def of(cls, a) -> "Activity":
        return cls(id=a.id, key=a.key, name=a.name, description=a.description, kind=a.kind.value,
                   effort=a.effort.value, value=a.value.value, reward_tier=a.reward_tier.name,
                   points=a.reward_tier.points, cooldown_days=a.cooldown_days, min_status=a.min_status.value,
                   expires_after_days=a.expires_after_days, evidence=a.evidence.value,
                   requires_approval=a.requires_approval, counts_as_ask=a.counts_as_ask, active=a.active)


class Mission(Representation):
    id: int
    title: str
    instructions: str
    activity_id: int
    activity_key: str
    audience: dict
    opens_at: When
    closes_at: When
    completion_limit: int | None
    completed_count: int
    points_override: int | None
    archived: bool

    @classmethod
    def of(cls, m) -> "Mission":
        return cls(id=m.id, title=m.title, instructions=m.instructions, activity_id=m.activity_id,
                   activity_key=m.activity.key, audience=m.audience or {}, opens_at=when(m.opens_at),
                   closes_at=when(m.closes_at), completion_limit=m.completion_limit,
                   completed_count=m.completed_count, points_override=m.points_override, archived=m.archived)


class Evidence(Representation):
    link: str | None
    text: str | None
    file: bool


class Attempt(Representation):
    id: int
    mission_id: int
    advocate_id: int
    state: one_of(AttemptState)
    started_at: When
    deadline_at: When
    submitted_at: When
    decided_at: When
    decision_reason: str | None
    points_awarded: int | None
    evidence: Evidence

    @classmethod
    def of(cls, a) -> "Attempt":
        return cls(id=a.id, mission_id=a.mission_id, advocate_id=a.advocate_id, state=a.state.value,
                   started_at=when(a.started_at), deadline_at=when(a.deadline_at),
                   submitted_at=when(a.submitted_at), decided_at=when(a.decided_at),
                   decision_reason=a.decision_reason, points_awarded=a.points_awarded,
                   evidence=Evidence(link=a.evidence_link, text=a.evidence_text,
                                     file=a.evidence_file is not None))


class Referral(Representation):
    id: int
    referrer_id: int
    friend_name: str
    friend_email: str
    friend_company: str
    state: str
    rejection_reason: str | None
    deal_amount: int | None
    created_at: When
    qualified_at: When
    converted_at: When
    closed_at: When

    @classmethod
    def of(cls, r) -> "Referral":
        return cls(id=r.id, referrer_id=r.referrer_id, friend_name=r.friend_name, friend_email=r.friend_email,
                   friend_company=r.friend_company, state=r.state.value,
                   rejection_reason=_value(r.rejection_reason), deal_amount=r.deal_amount,
                   created_at=when(r.created_at), qualified_at=when(r.qualified_at),
                   converted_at=when(r.converted_at), closed_at=when(r.closed_at))


class Reward(Representation):
    id: int
    name: str
    description: str
    kind: str
    points_cost: int
    stock: int | None
    min_status: one_of(Status)
    requires_approval: bool
    active: bool

    @classmethod
    def of(cls, r) -> "Reward":
        return cls(id=r.id, name=r.name, description=r.description, kind=r.kind.value,
                   points_cost=r.points_cost, stock=r.stock, min_status=r.min_status.value,
                   requires_approval=r.requires_approval, active=r.active)


class Redemption(Representation):
    id: int
    advocate_id: int
    reward_id: int
    points: int
    state: str
    note: str
    reason: str
    created_at: When
    decided_at: When
    fulfilled_at: When
    closed_at: When

    @classmethod
    def of(cls, r) -> "Redemption":
        return cls(id=r.id, advocate_id=r.advocate_id, reward_id=r.reward_id, points=r.points,
                   state=r.state.value, note=r.note, reason=r.reason, created_at=when(r.created_at),
                   decided_at=when(r.decided_at), fulfilled_at=when(r.fulfilled_at),
                   closed_at=when(r.closed_at))


class BoardRow(Representation):
    rank: int
    advocate_id: int | None
    name: str
    company: str
    points: int


class Leaderboard(Representation):
    period: str
    starts: Day
    data: list[BoardRow]
    next_cursor: None

    @classmethod
    def of(cls, period: str, board, anonymous: str) -> "Leaderboard":
        rows = [BoardRow(rank=row.rank, advocate_id=None if row.name == anonymous else row.advocate_id,
                         name=row.name, company=row.company, points=row.points) for row in board.rows]
        return cls(period=period, starts=when(board.starts), data=rows, next_cursor=None)


class TriggerRule(Representation):
    id: int
    event_type: one_of(TriggerEventType)
    min_value: int | None
    max_value: int | None
    activity_kind: one_of(Kind)
    priority: int
    enabled: bool

    @classmethod
    def of(cls, r) -> "TriggerRule":
        return cls(id=r.id, event_type=r.event_type.value, min_value=r.min_value, max_value=r.max_value,
                   activity_kind=r.activity_kind.value, priority=r.priority, enabled=r.enabled)


class TriggerAsk(Representation):
    id: int
    state: one_of(AskState)
    reason: one_of(AskReason) | None
    mission_id: int | None
    activity_id: int | None
    priority: int
    queued_until: When
    sent_at: When

    @classmethod
    def of(cls, a) -> "TriggerAsk":
        return cls(id=a.id, state=a.state.value, reason=_value(a.reason), mission_id=a.mission_id,
                   activity_id=a.activity_id, priority=a.priority, queued_until=when(a.queued_until),
                   sent_at=when(a.sent_at))


class Outcome(Representation):
    result: Annotated[one_of(TRIGGER_RESULTS), Field(description="the ask's state, or why no ask was made")]
    message: str
    rule: TriggerRule | None
    ask: TriggerAsk | None


class TriggerEvent(Representation):
    """The stored event and what came of it (the rule, the ask, one sentence)."""

    id: int
    type: one_of(TriggerEventType)
    advocate_id: int
    occurred_at: When
    received_at: When
    data: dict
    source: one_of(("api", "staff"))
    outcome: Outcome

    @classmethod
    def of(cls, result) -> "TriggerEvent":
        e = result.event
        outcome = Outcome(result=result.result, message=result.summary,
                          rule=TriggerRule.of(e.rule) if e.rule is not None else None,
                          ask=TriggerAsk.of(result.ask) if result.ask is not None else None)
        return cls(id=e.id, type=e.type.value, advocate_id=e.advocate_id, occurred_at=when(e.occurred_at),
                   received_at=when(e.received_at), data=e.data or {}, source=e.source, outcome=outcome)

