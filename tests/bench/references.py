"""Benchmark of reference matching (SPEC §10): `reference_match_p95_ms`, target <= 50.

Runs on the main benchmark's database (100,000 advocates at scale 1) after opting 20% of them into
references (20,000 at scale 1) with use cases and a past reference for some, and with the minimum
status set to Bronze for the run, so every opted-in advocate passes the status rule: the worst case
for the query. Each sample is one `references.find_matches` call (the top 10, with the governor's
decisions and the reasons) for a request of random industry, region, size and use cases.
"""

import random
import time
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models import ActivityType, ReferenceProfile, ReferenceRequest
from app.services import references
from app.services.program import settings as settings_service

USE_CASES = ("sso", "data-migration", "reporting", "api", "onboarding", "security", "analytics", "billing")
INDUSTRIES = ("Software", "Retail", "Healthcare", "Finance", "Manufacturing", "Education")
REGIONS = ("EMEA", "North America", "APAC", "LATAM")
SAMPLES = 100
CHUNK = 20_000


def opt_in(session: Session, *, advocates: int, now: datetime, rng: random.Random, share: float = 0.2) -> int:
    chosen = sorted(rng.sample(range(1, advocates + 1), int(advocates * share)))
    rows = []
    for advocate_id in chosen:
        tags = rng.sample(USE_CASES, rng.randint(0, 3))
        last = now - timedelta(days=rng.randint(1, 400)) if rng.random() < 0.3 else None
        rows.append({"advocate_id": advocate_id, "opted_in": True,
                     "use_cases": f",{','.join(tags)}," if tags else "", "last_reference_at": last,
                     "quarter_key": "", "quarter_count": 0, "updated_at": now})
    for start in range(0, len(rows), CHUNK):
        session.connection().execute(insert(ReferenceProfile.__table__), rows[start:start + CHUNK])
    session.commit()
    return len(rows)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def measure(session: Session, *, advocates: int, now: datetime, rng: random.Random) -> dict[str, str]:
    opted = opt_in(session, advocates=advocates, now=now, rng=rng)
    settings_service.save(session, changes={"reference_min_status": "bronze"}, actor_id=None, now=now)
    assert session.scalar(select(ActivityType.id).where(ActivityType.key == "reference_call"))
    timings, found = [], 0
    for n in range(SAMPLES + 5):
        request = ReferenceRequest(id=None, prospect_company="Bench", industry=rng.choice(INDUSTRIES),
                                   size_band=rng.choice(("201-1000", "51-200")), region=rng.choice(REGIONS),
                                   use_cases=rng.sample(USE_CASES, rng.randint(0, 3)), created_at=now)
        started = time.perf_counter()
        matches = references.find_matches(session, request=request, now=now)
        elapsed = (time.perf_counter() - started) * 1000
        if n >= 5:  # the first few warm the caches
            timings.append(elapsed)
            found += len(matches)
    session.rollback()
    assert found, "the bench requests should find matches"
    return {"reference_opted_in": f"{opted}", "reference_match_p95_ms": f"{p95(timings):.2f}",
            "reference_match_mean_matches": f"{found / SAMPLES:.1f}"}
