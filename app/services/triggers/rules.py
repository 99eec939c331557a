"""Trigger rules (SPEC §8): which event asks for which activity kind, editable by marketing.

A rule names an event type, for the types that carry a number (the NPS score, the support CSAT)
an inclusive range of it (either bound may be left open), the activity kind to ask for, a priority
(that of the ask too) and whether it is enabled. When several enabled rules match an event the
highest priority wins, then the oldest rule: one event makes at most one ask. The defaults are
inserted by the migration that made the table.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ActivityKind, TriggerEventType, TriggerRule
from app.services.asks import PRIORITY_RANGE
from app.services.errors import NotFound, ValidationFailed

T = TriggerEventType
# The number each type carries: (name in the event's data, label, lowest, highest).
NUMBERS: dict[TriggerEventType, tuple[str, str, int, int]] = {
    T.NPS_SUBMITTED: ("score", "NPS score", 0, 10),
    T.SUPPORT_RESOLVED: ("csat", "CSAT", 1, 5),
}
TYPE_LABELS: dict[TriggerEventType, str] = {
    T.NPS_SUBMITTED: "NPS submitted",
    T.RENEWAL: "Renewal",
    T.MILESTONE: "Milestone",
    T.SUPPORT_RESOLVED: "Support ticket resolved",
    T.ONBOARDING_COMPLETED: "Onboarding completed",
}


@dataclass(frozen=True)
class RuleValues:
    event_type: TriggerEventType | None
    min_value: int | None
    max_value: int | None
    activity_kind: ActivityKind | None
    priority: int
    enabled: bool


def rules(session: Session) -> list[TriggerRule]:
    """Every rule, by event type in TYPE_LABELS order, then highest priority, then oldest."""
    order = list(TYPE_LABELS)
    found = session.scalars(select(TriggerRule)).all()
    return sorted(found, key=lambda r: (order.index(r.event_type), -r.priority, r.id))


def get_rule(session: Session, rule_id: int) -> TriggerRule:
    rule = session.get(TriggerRule, rule_id)
    if rule is None:
        raise NotFound("No such rule.")
    return rule


def save_rule(session: Session, *, values: RuleValues, now: datetime,
              rule_id: int | None = None) -> TriggerRule:
    """Create a rule, or change the one with `rule_id`. Raises ValidationFailed naming the field
    (a range on a type without a number, a bound outside the type's scale, min above max, a
    priority outside PRIORITY_RANGE) and NotFound."""
    _validate(values)
    rule = get_rule(session, rule_id) if rule_id is not None else TriggerRule(created_at=now)
    rule.event_type, rule.activity_kind = values.event_type, values.activity_kind
    rule.min_value, rule.max_value = values.min_value, values.max_value
    rule.priority, rule.enabled, rule.updated_at = values.priority, values.enabled, now
    session.add(rule)
    session.flush()
    return rule


def set_enabled(session: Session, *, rule_id: int, enabled: bool, now: datetime) -> TriggerRule:
    """Switch a rule on or off (a disabled rule matches nothing; its past events keep naming it)."""
    rule = get_rule(session, rule_id)
    rule.enabled, rule.updated_at = enabled, now
    session.flush()
    return rule


def _validate(values: RuleValues) -> None:
    if values.event_type is None:
        raise ValidationFailed("Choose the event type.", field="event_type")
    if values.activity_kind is None:
        raise ValidationFailed("Choose the kind of activity to ask for.", field="activity_kind")
    low, high = PRIORITY_RANGE
    priority = values.priority
    if isinstance(priority, bool) or not isinstance(priority, int) or not low <= priority <= high:
        raise ValidationFailed("Choose a priority from the list.", field="priority")
    number = NUMBERS.get(values.event_type)
    bounds = (("min_value", values.min_value), ("max_value", values.max_value))
    if number is None:
        for name, value in bounds:
            if value is not None:
                raise ValidationFailed(f"{TYPE_LABELS[values.event_type]} events carry no number; "
                                       "leave the range empty.", field=name)
        return
    _, label, lowest, highest = number
    for name, value in bounds:
        if value is not None and not lowest <= value <= highest:
            raise ValidationFailed(f"The {label} runs from {lowest} to {highest}.", field=name)
    if values.min_value is not None and values.max_value is not None and values.min_value > values.max_value:
        raise ValidationFailed("The lowest value must not be above the highest.", field="max_value")


def matches(rule: TriggerRule, value: int | None) -> bool:
    if rule.min_value is not None and (value is None or value < rule.min_value):
        return False
    return rule.max_value is None or (value is not None and value <= rule.max_value)


def match(session: Session, *, event_type: TriggerEventType, value: int | None) -> TriggerRule | None:
    """The enabled rule for an event of this type carrying `value` (None: no number): the highest
    priority, then the oldest; None when no enabled rule matches."""
    candidates = session.scalars(select(TriggerRule).where(TriggerRule.event_type == event_type,
                                                          TriggerRule.enabled.is_(True))
                                 .order_by(TriggerRule.priority.desc(), TriggerRule.id)).all()
    return next((rule for rule in candidates if matches(rule, value)), None)


def condition_text(rule: TriggerRule) -> str:
    """The rule's condition in words, e.g. "NPS score 9–10", "CSAT 5", "any renewal"."""
    number = NUMBERS.get(rule.event_type)
    if number is None or (rule.min_value is None and rule.max_value is None):
        return f"any {TYPE_LABELS[rule.event_type].lower()}" if number is None else f"any {number[1]}"
    label = number[1]
    if rule.min_value == rule.max_value:
        return f"{label} {rule.min_value}"
    if rule.max_value is None:
        return f"{label} {rule.min_value} or more"
    if rule.min_value is None:
        return f"{label} {rule.max_value} or less"
    return f"{label} {rule.min_value}–{rule.max_value}"
