"""Trigger rules: validation naming the field, matching and their wording."""

import pytest

from app.models import ActivityKind, TriggerEventType, TriggerRule
from app.services.errors import ValidationFailed
from app.services.triggers import rules as trigger_rules
from app.services.triggers.rules import RuleValues

T = TriggerEventType


def values(event_type=T.NPS_SUBMITTED, low=None, high=None, kind=ActivityKind.REVIEW, priority=1,
           enabled=True):
    return RuleValues(event_type, low, high, kind, priority, enabled)


@pytest.mark.parametrize(("rule", "field"), [
    (values(event_type=None), "event_type"),
    (values(kind=None), "activity_kind"),
    (values(priority=11), "priority"),
    (values(priority=True), "priority"),
    (values(low=-1), "min_value"),
    (values(high=11), "max_value"),
    (values(low=9, high=8), "max_value"),
    (values(event_type=T.SUPPORT_RESOLVED, low=0), "min_value"),
    (values(event_type=T.SUPPORT_RESOLVED, high=6), "max_value"),
    (values(event_type=T.RENEWAL, low=1), "min_value"),
    (values(event_type=T.MILESTONE, high=3), "max_value"),
])
def test_invalid_rules_are_refused_naming_the_field(session, now, rule, field):
    with pytest.raises(ValidationFailed) as raised:
        trigger_rules.save_rule(session, values=rule, now=now)
    assert raised.value.field == field


def test_a_rule_is_created_then_edited(session, now):
    rule = trigger_rules.save_rule(session, values=values(low=7, high=8, kind=ActivityKind.SURVEY), now=now)
    assert trigger_rules.condition_text(rule) == "NPS score 7–8"
    edited = trigger_rules.save_rule(session, values=values(event_type=T.SUPPORT_RESOLVED, low=4),
                                     now=now, rule_id=rule.id)
    assert edited.id == rule.id and trigger_rules.condition_text(edited) == "CSAT 4 or more"


@pytest.mark.parametrize(("low", "high", "value", "hit"), [
    (None, None, 0, True), (9, None, 8, False), (9, None, 9, True), (None, 6, 6, True), (None, 6, 7, False),
    (5, 5, 5, True), (5, 5, 4, False),
])
def test_ranges_are_inclusive_and_open_ended(low, high, value, hit):
    rule = TriggerRule(event_type=T.NPS_SUBMITTED, min_value=low, max_value=high)
    assert trigger_rules.matches(rule, value) is hit


def test_condition_texts(session, now):
    def text(**kw):
        return trigger_rules.condition_text(trigger_rules.save_rule(session, values=values(**kw), now=now))

    assert text(event_type=T.RENEWAL) == "any renewal"
    assert text() == "any NPS score"
    assert text(high=6) == "NPS score 6 or less"
    assert text(low=9, high=10) == "NPS score 9–10"
