"""Benchmark of the weekly score_customers job: 100,000 customer records with signals, on SQLite.

`python -m tests.bench.identification` builds the database through the migrations, fills it with
plain executemany inserts, then times `readiness.score_customers` as the job runs it (a commit
after every batch) in a fresh child process, so the RSS reported is the job's own; then the staff
advocate page's one-record work on the scored program: Rescore now (one record's score, then every
tier re-derived) and the "why this score" explanation, medians of 21 random records. BENCH_SCALE
scales the record count (default 1.0). Prints `name: value` lines.
"""

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Advocate, CustomerSignal
from app.services import clock
from app.services.customers import explanation, readiness
from tests.conftest import make_config, migrate_database

CHUNK = 20_000
INSERT_ADVOCATE = (
    "INSERT INTO advocate (id, email, name, company, title, industry, company_size, region, tags, "
    "customer_since, nps, health_score, state, ask_frequency, leaderboard_opt_out, status, status_since, "
    "balance, lifetime_points, email_opt_outs, eligible, created_at) "
    "VALUES (?, ?, ?, '', '', '', '', '', '[]', ?, ?, ?, ?, 'standard', 0, 'bronze', ?, 0, 0, '[]', 0, ?)")
INSERT_SIGNAL = (
    "INSERT INTO customer_signal (advocate_id, purchase_count, last_purchase_on, csat, recovered, "
    "usage_depth, referrals_made, social_mentions, last_active_on, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def main() -> int:
    for name, value in measure(float(os.environ.get("BENCH_SCALE", "1.0"))).items():
        print(f"{name}: {value}", flush=True)
    return 0


def measure(scale: float) -> dict[str, str]:
    """Generate the records, then score them in a child process; the figures as strings."""
    records = max(1_000, int(100_000 * scale))
    with tempfile.TemporaryDirectory(prefix="rallypoint-ident-bench-") as folder:
        url = f"sqlite:///{folder}/ident.db"
        migrate_database(url, f"{folder}/uploads")
        now = clock.utcnow().replace(microsecond=0)
        started = time.perf_counter()
        generate(url, folder, records, now)
        generated = time.perf_counter() - started
        child = subprocess.run([sys.executable, "-m", "tests.bench.identification", "--score", url, folder,
                                now.isoformat()], capture_output=True, text=True, check=True)
        result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["scored"] == records, result
    return {"score_customers_records": f"{records}", "score_customers_generate_s": f"{generated:.1f}",
            "score_customers_s": f"{result['seconds']:.2f}",
            "score_customers_rss_mb": f"{result['rss_mb']:.0f}",
            "score_customers_tiered": f"{result['tiered']}",
            "rescore_one_ms": f"{result['rescore_ms']:.1f}", "explain_one_ms": f"{result['explain_ms']:.1f}"}


def generate(url: str, folder: str, records: int, now: datetime) -> None:
    """`records` advocates (nine in ten not yet invited), each with a row of random signals."""
    app = create_app(make_config(url, f"{folder}/uploads"))
    rng = random.Random(7)
    today = now.date()
    with app.app_context():
        connection = db.session.connection()
        for first in range(1, records + 1, CHUNK):
            ids = range(first, min(records, first + CHUNK - 1) + 1)
            connection.exec_driver_sql(
                INSERT_ADVOCATE,
                [(a, f"c{a}@bench.test", f"Customer {a}", today - timedelta(days=rng.randint(10, 3000)),
                  rng.choice((5, 7, 8, 9, 9, 10, 10)), rng.randint(40, 100),
                  "invited" if a % 10 else "active", now, now) for a in ids])
            connection.exec_driver_sql(
                INSERT_SIGNAL,
                [(a, rng.randint(0, 8), today - timedelta(days=rng.randint(0, 900)),
                  round(rng.uniform(1, 5), 1) if rng.random() < 0.7 else None, rng.random() < 0.1,
                  rng.randint(0, 100), rng.choice((0, 0, 0, 1, 2, 4)), rng.choice((0, 0, 1, 3, 8)),
                  today - timedelta(days=rng.randint(0, 60)), now) for a in ids])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def score(url: str, folder: str, now: datetime) -> None:
    """Child process: one scoring run as the job does it; prints its figures as JSON."""
    app = create_app(make_config(url, f"{folder}/uploads"))
    with app.app_context():
        session = db.session
        started = time.perf_counter()
        readiness.score_customers(session, now=now, commit=session.commit)
        session.commit()
        seconds = time.perf_counter() - started
        scored = session.scalar(select(func.count()).select_from(Advocate)
                                .where(Advocate.readiness_score.is_not(None)))
        tiered = session.scalar(select(func.count()).select_from(Advocate)
                                .where(Advocate.readiness_tier.is_not(None)))
        assert readiness.score_customers(session, now=now) == 0, "a second run changed records"
        rescore_ms, explain_ms = one_record(session, now, scored)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"scored": scored, "tiered": tiered, "seconds": seconds, "rss_mb": rss_mb,
                      "rescore_ms": rescore_ms, "explain_ms": explain_ms}))


def one_record(session, now: datetime, records: int, samples: int = 21) -> tuple[float, float]:
    """Median ms of the advocate page's Rescore now (signal changed first, then committed) and of
    building its explanation, on random records of the scored program."""
    rng = random.Random(11)
    rescore, explain = [], []
    for advocate_id in rng.sample(range(1, records + 1), samples):
        session.execute(CustomerSignal.__table__.update().where(CustomerSignal.advocate_id == advocate_id)
                        .values(usage_depth=rng.randint(0, 100)))
        session.commit()
        started = time.perf_counter()
        readiness.rescore_advocate(session, advocate_id=advocate_id, actor="bench", now=now)
        session.commit()
        rescore.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        explanation.explain(session, advocate_id=advocate_id, now=now)
        session.rollback()
        explain.append((time.perf_counter() - started) * 1000)
    return statistics.median(rescore), statistics.median(explain)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--score"]:
        score(sys.argv[2], sys.argv[3], datetime.fromisoformat(sys.argv[4]))
    else:
        sys.exit(main())
