"""Demo trigger events: a CRM's last two days of moments, recorded through the same service as the
API (so the rules, the governor and the signals all apply) after the demo's pushes."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, Ask, AskState, StaffUser
from app.services import triggers

# (persona, hours ago, type, data, source); each line takes the next advocate of that persona.
EVENTS = (
    ("champion", 44, "nps_submitted", {"score": 10}, "api"),
    ("busy", 40, "renewal", {"plan": "Business, 3 years"}, "api"),
    ("silver", 36, "support_resolved", {"csat": 5, "ticket": "SUP-4127"}, "api"),
    ("busy", 30, "milestone", {"name": "1,000 dashboards shared"}, "api"),
    ("quiet", 26, "nps_submitted", {"score": 6}, "api"),
    ("busy", 20, "support_resolved", {"csat": 4, "ticket": "SUP-4188"}, "api"),
    ("champion", 12, "nps_submitted", {"score": 9}, "staff"),
    ("paused", 8, "nps_submitted", {"score": 10}, "api"),
    ("silver", 5, "onboarding_completed", {}, "api"),
    ("quiet", 2, "nps_submitted", {"score": 10}, "api"),  # older than the score 6 above: superseded
)
# The superseded one happened before the one it loses to, though it arrived later.
OCCURRED_EARLIER = {9: 30}


def load_trigger_events(session: Session, cast: list[tuple[Advocate, str, datetime]], marketing: StaffUser,
                        now: datetime) -> int:
    """Record EVENTS for the cast's advocates; returns how many were recorded."""
    # Most of the demo was asked by the pushes; those who were not come first, so some asks go out.
    asked = set(session.scalars(select(Ask.advocate_id).where(Ask.state == AskState.SENT,
                                                              Ask.sent_at > now - timedelta(days=60))))
    by_persona: dict[str, list[Advocate]] = {}
    for advocate, persona, _ in sorted(cast, key=lambda row: row[0].id in asked):
        if advocate.state != AdvocateState.INVITED:
            by_persona.setdefault(persona, []).append(advocate)
    taken: dict[str, int] = {}
    last: dict[str, Advocate] = {}
    recorded = 0
    for index, (persona, hours, event_type, data, source) in enumerate(EVENTS):
        people = by_persona.get(persona, [])
        if not people:
            continue
        if index in OCCURRED_EARLIER:  # the same advocate as the persona's previous event
            advocate = last[persona]
        else:
            advocate = people[taken.get(persona, 0) % len(people)]
            taken[persona] = taken.get(persona, 0) + 1
        last[persona] = advocate
        received = (now - timedelta(hours=hours)).replace(microsecond=0)
        occurred = now - timedelta(hours=OCCURRED_EARLIER.get(index, hours + 1))
        triggers.record_event(session, event_type=event_type,
                              advocate=triggers.AdvocateRef(email=advocate.email),
                              occurred_at=occurred.replace(microsecond=0), data=dict(data), source=source,
                              actor_id=marketing.id if source == "staff" else None, now=received)
        recorded += 1
    return recorded
