"""The email outbox: messages are rendered and stored here, and delivered later by a job.

Each message has a unique `dedupe_key` (e.g. `reminder-start:attempt:12`), so enqueueing the
same event twice stores it once. Templates live in app/templates/email/<name>.txt and .html
and are rendered with plain Jinja (no Flask), HTML autoescaped.
"""

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from app.models import OutboxMessage
from app.services.notifications import dialect_insert

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(template: str, context: dict) -> tuple[str, str]:
    """(plain text, HTML) bodies of an email template."""
    return (_env.get_template(f"{template}.txt").render(**context),
            _env.get_template(f"{template}.html").render(**context))


def enqueue(session: Session, *, dedupe_key: str, kind: str, to_email: str, subject: str,
            template: str, context: dict, now: datetime, advocate_id: int | None = None,
            staff_id: int | None = None) -> bool:
    """Store an email for delivery once per `dedupe_key`; False if it was already queued."""
    text, html = render(template, context)
    stmt = dialect_insert(session)(OutboxMessage).values(
        dedupe_key=dedupe_key, kind=kind, to_email=to_email, subject=subject, body_text=text,
        body_html=html, advocate_id=advocate_id, staff_id=staff_id, created_at=now,
        next_attempt_at=now,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id)
    return session.execute(stmt).scalar() is not None
