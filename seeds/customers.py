"""Demo customer signals: every demo advocate's CRM, support and usage data, plus about a hundred
customers who were never invited, loaded through the importer; then one scoring run, so tiers and
the qualified list are filled."""

import random
import time
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Advocate
from app.services import customers
from app.services.customers import readiness
from app.services.operations import joblocks
from seeds.people import TAGS, TITLES, profiles

PROSPECTS = 100


def _signals(rng: random.Random, today: date, keen: float) -> dict[str, object]:
    """Believable signals; `keen` (0-1) tilts them towards a happy, engaged customer."""
    def tilt(low: int, high: int) -> int:
        return round(low + (high - low) * min(1.0, rng.random() * 0.6 + keen * 0.5))

    tickets = rng.random() < 0.7
    return {
        "purchases": tilt(1, 6), "last_purchase_on": today - timedelta(days=rng.randint(5, 500)),
        "csat": round(rng.uniform(3.0, 5.0), 1) if tickets else None,
        "recovered": tickets and rng.random() < 0.15, "usage_depth": tilt(15, 98),
        "referrals_made": tilt(0, 3) if rng.random() < 0.5 else 0,
        "social_mentions": tilt(0, 6) if rng.random() < 0.6 else 0,
        "last_active_on": today - timedelta(days=rng.choice((0, 1, 2, 3, 5, 8, 12, 20, 26, 45, 70))),
    }


def _members(session: Session, rng: random.Random, today: date) -> list[dict[str, object]]:
    rows = []
    for advocate in session.scalars(select(Advocate).order_by(Advocate.id)):
        keen = min(1.0, advocate.lifetime_points / 3000)
        rows.append({"email": advocate.email, "external_id": f"CRM-{1000 + advocate.id}",
                     **_signals(rng, today, keen)})
    return rows


def _prospects(session: Session, rng: random.Random, today: date) -> list[dict[str, object]]:
    taken = set(session.scalars(select(Advocate.email)))
    people = [p for p in profiles(rng, PROSPECTS + len(taken)) if p.email not in taken][:PROSPECTS]
    rows = []
    for n, p in enumerate(people):
        rows.append({
            "external_id": f"CRM-{5000 + n}", "email": p.email, "name": p.name, "company": p.company,
            "title": rng.choice(TITLES), "industry": p.industry, "company_size": p.company_size,
            "region": p.region, "tags": sorted(rng.sample(TAGS, rng.randint(1, 3))),
            "customer_since": today - timedelta(days=rng.randint(40, 2200)),
            "nps": rng.choice((6, 7, 8, 9, 9, 9, 10, 10, 10, 10)), "health_score": rng.randint(55, 99),
            **_signals(rng, today, rng.random()),
        })
    return rows


def load_customers(session: Session, *, now: datetime, seed: int) -> customers.ImportReport:
    """Import the demo signals and prospects, then score everyone once; returns the import report."""
    rng = random.Random(seed + 71)
    today = now.date()
    rows = _members(session, rng, today) + _prospects(session, rng, today)
    report = customers.import_rows(session, rows=rows, now=now)
    if report.rejected:
        raise RuntimeError(f"demo customer rows rejected: {report.rejected[:3]}")
    # Recorded as a run of the weekly job, so the staff pages can say when everyone was last scored.
    run, started = joblocks.start_run(session, name=readiness.JOB, holder="seed", now=now), time.monotonic()
    changed = readiness.score_customers(session, now=now)
    joblocks.finish_run(session, run_id=run.id, now=now, items=changed,
                        duration_ms=int((time.monotonic() - started) * 1000))
    session.expire_all()
    return report
