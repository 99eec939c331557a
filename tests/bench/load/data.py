"""The campaign day's database: the migrations, the bench data, known passwords, open missions, codes.

Every bench advocate and a few staff get the same password, hashed with the production argon2
profile (a sign-in's cost is part of the day). Which accounts the virtual users sign in as and which
referral codes the landing page is opened with go back to the load script as a `Plan`.
"""

import random
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select, text

from app import create_app
from app.extensions import db
from app.models import Advocate, AdvocateState, Mission, StaffRole, StaffUser
from app.services import clock, referrals
from app.services.people import passwords
from app.services.program import settings as settings_service
from tests.bench.generate import Generator, Sizes
from tests.conftest import make_config, migrate_database

PASSWORD = "campaign-day-password-1"  # noqa: S105 (a bench account's password, on a throwaway database)
STAFF = 5
REFERRAL_CODES = 200


@dataclass
class Plan:
    advocates: list[str]  # emails of active advocates, shuffled: each virtual advocate signs in as the next
    staff: list[str]
    codes: list[str]  # referral codes of active advocates, for the landing page
    totals: dict = field(default_factory=dict)


def prepare(url: str, uploads: str, scale: float) -> Plan:
    """Build the database at `url` through the migrations and fill it; return who may sign in."""
    migrate_database(url, uploads)
    app = create_app(make_config(url, uploads, PASSWORD_HASHER="argon2"))
    with app.app_context():
        try:
            return _fill(db.session, Sizes.scaled(scale))
        finally:
            db.session.remove()
            db.engine.dispose()


def _fill(session, sizes: Sizes) -> Plan:
    now = clock.utcnow().replace(microsecond=0)
    tz = settings_service.load(session).timezone
    password_hash = passwords.hash_password(PASSWORD)
    totals = Generator(session, sizes, now, tz, password_hash).run()
    if session.get_bind().dialect.name == "postgresql":
        _advance_sequences(session)
    staff = [f"staff{n}@bench.test" for n in range(1, STAFF + 1)]
    session.add_all(StaffUser(email=email, name=f"Bench Staff {n}", role=StaffRole.ADMIN, created_at=now,
                              password_hash=password_hash) for n, email in enumerate(staff, 1))
    open_missions = session.scalar(select(func.count()).select_from(Mission).where(
        Mission.opens_at <= now, Mission.closes_at > now))
    if not open_missions:
        raise RuntimeError("The bench data has no open mission for the virtual advocates to start.")
    active = list(session.scalars(select(Advocate.id).where(Advocate.state == AdvocateState.ACTIVE)))
    rng = random.Random(13)
    for advocate_id in rng.sample(active, min(REFERRAL_CODES, len(active))):
        referrals.get_or_create_code(session, advocate_id=advocate_id, now=now)
    session.commit()
    codes = [c for c in session.scalars(text("SELECT code FROM referral_code ORDER BY id"))]
    emails = list(session.scalars(select(Advocate.email).where(Advocate.state == AdvocateState.ACTIVE)))
    rng.shuffle(emails)
    return Plan(advocates=emails, staff=staff, codes=codes,
                totals={"advocates": totals.advocates, "entries": totals.entries, "attempts": totals.attempts,
                        "open_missions": open_missions})


def _advance_sequences(session) -> None:
    """The generator inserts explicit ids; move each PostgreSQL id sequence past them."""
    inspector = inspect(session.connection())
    for table in inspector.get_table_names():
        columns = {c["name"] for c in inspector.get_columns(table)}
        if "id" not in columns:
            continue
        sequence = session.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
        if sequence:
            highest = f'SELECT COALESCE(max(id), 0) + 1 FROM "{table}"'  # noqa: S608 (a table name from the schema)
            session.execute(text(f"SELECT setval(:s, ({highest}), false)"), {"s": sequence})
    session.commit()
