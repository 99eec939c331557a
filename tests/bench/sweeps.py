"""Benchmark of the expiry sweep: 1,000,000 attempts of which 100,000 are due, on SQLite.

`python -m tests.bench.sweeps` builds the database through the migrations, fills it with plain
executemany inserts, then times `sweeps.expire_due_attempts` (one transaction, as the job runs it)
in a fresh child process so that the RSS reported is the sweep's own, not the generator's.
BENCH_SCALE scales the attempt count (default 1.0). Prints `name: value` lines.
"""

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Attempt, AttemptState
from app.services import clock
from app.services.missions import sweeps
from seeds.catalog import load_catalog
from tests.conftest import make_config, migrate_database

MISSIONS = 100
DUE_EVERY = 10  # one attempt in ten is started and past its deadline
CHUNK = 50_000


def main() -> int:
    figures = measure(float(os.environ.get("BENCH_SCALE", "1.0")))
    for name, value in figures.items():
        print(f"{name}: {value}", flush=True)
    return 0


def measure(scale: float) -> dict[str, str]:
    """Generate the attempts, then run the sweep in a child process; the figures as strings."""
    attempts = max(10_000, int(1_000_000 * scale))
    with tempfile.TemporaryDirectory(prefix="rallypoint-sweep-bench-") as folder:
        url = f"sqlite:///{folder}/sweep.db"
        migrate_database(url, f"{folder}/uploads")
        started = time.perf_counter()
        now = clock.utcnow().replace(microsecond=0)
        due = generate(url, folder, attempts, now)
        generated = time.perf_counter() - started
        child = subprocess.run([sys.executable, "-m", "tests.bench.sweeps", "--sweep", url, folder,
                                now.isoformat()],
                               capture_output=True, text=True, check=True)
        result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["expired"] == due, f"expired {result['expired']} of {due} due attempts"
    return {"expire_attempts": f"{attempts}", "expire_due": f"{due}",
            "expire_generate_s": f"{generated:.1f}", "expire_sweep_s": f"{result['seconds']:.2f}",
            "expire_sweep_rss_mb": f"{result['rss_mb']:.0f}"}


def generate(url: str, folder: str, attempts: int, now: datetime) -> int:
    """Advocates x missions attempts, one in DUE_EVERY started with a past deadline; returns the due count."""
    app = create_app(make_config(url, f"{folder}/uploads"))
    advocates = -(-attempts // MISSIONS)
    rng = random.Random(11)
    with app.app_context():
        session = db.session
        activity = load_catalog(session, now - timedelta(days=400))["review_site"]
        connection = session.connection()
        connection.exec_driver_sql(
            "INSERT INTO mission (id, title, instructions, activity_id, audience, opens_at, closes_at, "
            "completed_count, archived, version_id, created_at) VALUES (?, ?, '', ?, '{}', ?, ?, 0, 0, 1, ?)",
            [(m, f"Sweep mission {m}", activity.id, now - timedelta(days=60), now + timedelta(days=60),
              now - timedelta(days=60)) for m in range(1, MISSIONS + 1)])
        connection.exec_driver_sql(
            "INSERT INTO advocate (id, email, name, company, title, industry, company_size, region, tags, "
            "state, ask_frequency, leaderboard_opt_out, status, status_since, balance, lifetime_points, "
            "email_opt_outs, created_at) VALUES (?, ?, ?, '', '', '', '', '', '[]', "
            "'active', 'standard', 0, 'bronze', ?, 0, 0, '[]', ?)",
            [(a, f"sweep{a}@bench.test", f"Sweep Advocate {a}", now, now) for a in range(1, advocates + 1)])
        due = 0
        rows = []
        for n in range(attempts):
            advocate, mission = divmod(n, MISSIONS)
            slot = n % DUE_EVERY
            if slot == 0:
                state, deadline = "started", now - timedelta(hours=rng.randint(1, 72))
                due += 1
            elif slot == 1:
                state, deadline = "started", now + timedelta(hours=rng.randint(1, 300))
            else:
                state, deadline = rng.choice(("approved", "expired", "declined", "submitted")), None
            started = now - timedelta(days=20)
            rows.append((mission + 1, advocate + 1, activity.id, state, started, deadline, started))
            if len(rows) == CHUNK:
                _insert_attempts(connection, rows)
                rows = []
        _insert_attempts(connection, rows)
        session.commit()
        db.session.remove()
        db.engine.dispose()
    return due


def _insert_attempts(connection, rows) -> None:
    if rows:
        connection.exec_driver_sql(
            "INSERT INTO attempt (mission_id, advocate_id, activity_id, state, started_at, deadline_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def sweep(url: str, folder: str, now: datetime) -> None:
    """Child process: one expiry sweep at `now` in one transaction; prints its figures as JSON."""
    app = create_app(make_config(url, f"{folder}/uploads"))
    with app.app_context():
        started = time.perf_counter()
        expired = sweeps.expire_due_attempts(db.session, now=now)
        db.session.commit()
        seconds = time.perf_counter() - started
        left = db.session.scalar(select(func.count()).select_from(Attempt).where(
            Attempt.state == AttemptState.STARTED, Attempt.deadline_at <= now))
        assert left == 0, f"{left} due attempts left after the sweep"
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"expired": expired, "seconds": seconds, "rss_mb": rss_mb}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--sweep"]:
        sweep(sys.argv[2], sys.argv[3], datetime.fromisoformat(sys.argv[4]))
    else:
        sys.exit(main())
