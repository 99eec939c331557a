"""Which emails an advocate wants. In-app notifications always arrive; only email is optional.

An advocate's `email_opt_outs` lists the categories they turned off. Code that sends an optional
email names its category in `outbox.enqueue(..., category=...)`, which then queues nothing for an
advocate who opted out. Emails without a category (such as staff escalations) always go.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Advocate
from app.services.errors import ValidationFailed

EMAIL_CATEGORIES: dict[str, str] = {
    "missions": "New missions picked for you",
    "reminders": "Reminders and deadlines for missions you started",
    "checkins": "Check-ins when we have not seen you for a while",
}


@dataclass(frozen=True)
class EmailChoice:
    category: str
    label: str
    wanted: bool


def email_choices(advocate: Advocate) -> list[EmailChoice]:
    """Every email category with whether this advocate gets it, in EMAIL_CATEGORIES order."""
    off = set(advocate.email_opt_outs or ())
    return [EmailChoice(category, label, category not in off) for category, label in EMAIL_CATEGORIES.items()]


def set_email_opt_outs(session: Session, *, advocate: Advocate, opt_outs, now: datetime) -> list[str]:
    """Store the categories the advocate does not want by email (replacing the earlier choice).

    Raises ValidationFailed (field "email") for an unknown category and changes nothing then.
    `now` is the moment of the choice; nothing records it yet.
    """
    chosen = set(opt_outs)
    unknown = chosen - EMAIL_CATEGORIES.keys()
    if unknown:
        raise ValidationFailed(f"Unknown email category: {', '.join(sorted(unknown))}.", field="email")
    advocate.email_opt_outs = [category for category in EMAIL_CATEGORIES if category in chosen]
    session.flush()
    return advocate.email_opt_outs
