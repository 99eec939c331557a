"""Demo data: the default catalog (SPEC §2) and a believable six-month demo program.

`load` refuses a database that already has staff, advocates or activities, so it can never
mix demo data into a real program. The caller (the `flask seed demo` command) commits.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ActivityType, Advocate, StaffUser
from seeds.catalog import load_catalog
from seeds.demo import DemoResult, load_demo, logins_text

__all__ = ["DemoResult", "demo_logins", "load", "load_catalog"]


def is_empty(session: Session) -> bool:
    return all(session.scalar(select(model.id).limit(1)) is None
               for model in (StaffUser, Advocate, ActivityType))


def load(session: Session, *, advocates: int = 200, now: datetime, seed: int = 2026) -> DemoResult | None:
    """Load the catalog and the demo program into an empty database; None (and nothing changed) if
    the database already has data."""
    if not is_empty(session):
        return None
    activities = load_catalog(session, now)
    return load_demo(session, activities=activities, advocates=advocates, now=now, seed=seed)


def demo_logins(session: Session) -> str | None:
    """The demo sign-ins, for a database the demo was loaded into earlier (None if it was not)."""
    return logins_text(session)
