"""Benchmark of the ask governor: askability decisions for distinct advocates.

Runs on the main benchmark's database (100,000 advocates and 500,000 attempts at scale 1), after
adding a year and a half of ask history: every advocate 0–6 sent asks, some inside the frequency
gap, so decisions take every branch (caps, cooldown, paused and low NPS). Two figures:

- `governor_checks_per_s`: decisions through `asks.decide_many`, the way a push or the queue
  release decides a segment (a few queries per 500 advocates), for an activity with a cooldown;
- `governor_single_checks_per_s` (for information): one `asks.decide` call per advocate, as
  the advocate page asks it.
"""

import random
import time
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models import ActivityType, Ask, AskState
from app.services import asks

CHUNK = 20_000
DAY_SECONDS = 86_400


def add_ask_history(session: Session, *, advocates: int, now: datetime, rng: random.Random) -> int:
    """Sent asks over the last 540 days (0–6 per advocate, some recent); returns how many."""
    activity_ids = list(session.scalars(select(ActivityType.id).where(ActivityType.counts_as_ask.is_(True))))
    rows, total = [], 0
    for advocate_id in range(1, advocates + 1):
        for _ in range(rng.choice((0, 0, 1, 2, 2, 3, 4, 6))):
            sent = now - timedelta(seconds=rng.randint(DAY_SECONDS, 540 * DAY_SECONDS))
            rows.append({"advocate_id": advocate_id, "mission_id": None,
                         "activity_id": rng.choice(activity_ids),
                         "source": "push", "priority": 0, "counts_as_ask": True, "state": AskState.SENT,
                         "created_at": sent, "sent_at": sent})
        if len(rows) >= CHUNK:
            session.connection().execute(insert(Ask.__table__), rows)
            total, rows = total + len(rows), []
    if rows:
        session.connection().execute(insert(Ask.__table__), rows)
        total += len(rows)
    session.commit()
    return total


def measure(session: Session, *, advocates: int, now: datetime, rng: random.Random) -> dict[str, str]:
    history = add_ask_history(session, advocates=advocates, now=now, rng=rng)
    activity = session.scalar(select(ActivityType).where(ActivityType.key == "review_site"))
    ids = rng.sample(range(1, advocates + 1), min(advocates, 50_000))
    asks.decide_many(session, advocate_ids=ids[:500], activity=activity, now=now)  # warm caches
    started = time.perf_counter()
    decisions = asks.decide_many(session, advocate_ids=ids, activity=activity, now=now)
    batched = len(ids) / (time.perf_counter() - started)
    assert len(decisions) == len(ids)
    blocked = sum(not d.askable for d in decisions.values())
    assert 0 < blocked < len(ids), f"{blocked} of {len(ids)} blocked: the history should block some"
    single_ids = ids[:2000]
    started = time.perf_counter()
    for advocate_id in single_ids:
        assert asks.decide_many(session, advocate_ids=[advocate_id], activity=activity,
                                now=now)[advocate_id] == decisions[advocate_id]
    single = len(single_ids) / (time.perf_counter() - started)
    session.rollback()
    return {"governor_asks": f"{history}", "governor_checked": f"{len(ids)}",
            "governor_blocked_share": f"{blocked / len(ids):.2f}",
            "governor_checks_per_s": f"{batched:.0f}", "governor_single_checks_per_s": f"{single:.0f}"}
