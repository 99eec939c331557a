"""Trigger events: what happened to a customer, the rules that turn it into an ask, and the one
follow-up."""

from app.services.triggers.events import EARLIEST, AdvocateRef, EventResult, pick_mission, record_event
from app.services.triggers.followups import send_due
from app.services.triggers.listing import get_event, recent_events
from app.services.triggers.rules import (
    RuleValues,
    condition_text,
    get_rule,
    match,
    matches,
    save_rule,
    set_enabled,
)

__all__ = [
    "AdvocateRef", "EARLIEST", "EventResult", "pick_mission", "record_event", "send_due", "get_event",
    "recent_events", "RuleValues", "condition_text", "get_rule", "match", "matches", "save_rule",
    "set_enabled"
]
