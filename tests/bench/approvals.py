"""Benchmark of the approval queue with 10,000 submissions waiting, on SQLite, through the test client.

`approval_queue_p95_ms`: the p95 CPU time of one request for the queue's first page (time.process_time,
as tests/bench/pages.py times pages: SQLite runs in this process, so its work is counted, while other
processes on the shared cores are not), the slower of unfiltered (oldest
first) and filtered (by activity, by company, by age, newest first, most points first), signed in as a
curator, each request in its own app context as under gunicorn. `bulk_approve_100_s`: one bulk form
approving 100 submissions (each through the single approve service, one transaction), wall time;
`bulk_approve_100_cpu_s` is its CPU time, for information.
Besides the waiting submissions the database holds 40,000 decided ones (the queue must not read them).

`python -m tests.bench.approvals` builds its own database (BENCH_SCALE scales the history, not the
10,000 waiting) and prints the figures.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Attempt, AttemptState, StaffRole, StaffUser
from app.services import clock
from app.services.people import passwords
from seeds.catalog import load_catalog
from tests.conftest import make_config, migrate_database, session_token

WAITING = 10_000
MISSIONS = 40
COMPANIES = 200
RUNS = 40
PAGES = {"unfiltered": "", "activity": "?activity={activity}", "company": "?company=Company+17",
         "age": "?age=3", "newest": "?sort=newest", "points": "?sort=points"}


def main() -> int:
    for name, value in measure(float(os.environ.get("BENCH_SCALE", "1.0"))).items():
        print(f"{name}: {value}", flush=True)
    return 0


def measure(scale: float) -> dict[str, str]:
    history = max(4_000, int(40_000 * scale))
    with tempfile.TemporaryDirectory(prefix="rallypoint-queue-bench-") as folder:
        url = f"sqlite:///{folder}/queue.db"
        migrate_database(url, f"{folder}/uploads")
        app = create_app(make_config(url, f"{folder}/uploads"))
        now = clock.utcnow().replace(microsecond=0)
        clock.freeze(now)
        try:
            with app.app_context():
                activity_id, token = generate(db.session, now, history)
                db.session.remove()  # this context holds no transaction while the requests run
                lines = time_pages(app, token, activity_id)
                wall, cpu = time_bulk(app, token)
                lines["bulk_approve_100_s"], lines["bulk_approve_100_cpu_s"] = f"{wall:.2f}", f"{cpu:.2f}"
                db.session.remove()
                db.engine.dispose()
        finally:
            clock.freeze(None)
    return lines


def generate(session, now: datetime, history: int) -> tuple[int, str]:
    """Missions over four activities, WAITING submissions (one per advocate) and `history` decided ones."""
    catalog = load_catalog(session, now - timedelta(days=400))
    activities = [a for a in catalog.values() if a.requires_approval][:4]
    connection = session.connection()
    connection.exec_driver_sql(
        "INSERT INTO mission (id, title, instructions, activity_id, audience, opens_at, closes_at, "
        "completed_count, archived, version_id, created_at) VALUES (?, ?, '', ?, '{}', ?, ?, 0, 0, 1, ?)",
        [(m, f"Queue mission {m}", activities[m % len(activities)].id, now - timedelta(days=90),
          now + timedelta(days=60), now - timedelta(days=90)) for m in range(1, MISSIONS + 1)])
    connection.exec_driver_sql(
        "INSERT INTO advocate (id, email, name, company, title, industry, company_size, region, tags, "
        "state, ask_frequency, leaderboard_opt_out, status, status_since, balance, lifetime_points, "
        "email_opt_outs, created_at) VALUES (?, ?, ?, ?, '', '', '', '', '[]', "
        "'active', 'standard', 0, 'bronze', ?, 0, 0, '[]', ?)",
        [(a, f"queue{a}@bench.test", f"Queue Advocate {a}", f"Company {a % COMPANIES}", now, now)
         for a in range(1, WAITING + 1)])
    mission_activity = {m: activities[m % len(activities)].id for m in range(1, MISSIONS + 1)}
    rows = []
    for a in range(1, WAITING + 1):  # one waiting submission each, spread over the last ten days
        mission = a % MISSIONS + 1
        at = now - timedelta(minutes=(WAITING - a) * 1.4)
        rows.append((mission, a, mission_activity[mission], "submitted", at - timedelta(days=1), at, None,
                     f"https://reviews.example.com/r/{a}", at))
    for n in range(history):  # decided earlier, on other missions
        a, mission = n % WAITING + 1, (n % WAITING + 1 + 1 + n // WAITING) % MISSIONS + 1
        at = now - timedelta(days=30, minutes=n)
        rows.append((mission, a, mission_activity[mission], "approved" if n % 5 else "rejected", at, at, at,
                     None, at))
    connection.exec_driver_sql(
        "INSERT INTO attempt (mission_id, advocate_id, activity_id, state, started_at, submitted_at, "
        "decided_at, evidence_link, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    curator = StaffUser(email="queue-curator@bench.test", name="Queue Curator", role=StaffRole.MARKETING,
                        password_hash=passwords.hash_password("bench-password-123"), created_at=now)
    session.add(curator)
    activity_id = activities[0].id
    session.commit()
    token = session_token(curator)
    session.commit()
    return activity_id, token


def _client(app, token: str):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    return client


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def time_pages(app, token: str, activity_id: int) -> dict[str, str]:
    client = _client(app, token)
    lines = {}
    for name, query in PAGES.items():
        path = "/admin/approvals" + query.format(activity=activity_id)
        samples = []
        for run in range(RUNS + 3):
            started = time.process_time()
            with app.app_context():
                response = client.get(path)
            elapsed = (time.process_time() - started) * 1000
            assert response.status_code == 200 and b'class="qrow' in response.data, path
            if run >= 3:  # the first requests warm caches
                samples.append(elapsed)
        lines[f"approval_queue_{name}_p95_ms"] = f"{_p95(samples):.2f}"
    worst = max(float(lines[f"approval_queue_{name}_p95_ms"]) for name in PAGES)
    return {"approval_queue_p95_ms": f"{worst:.2f}", **lines}


def time_bulk(app, token: str) -> tuple[float, float]:
    client = _client(app, token)
    with app.app_context():
        chosen = db.session.scalars(select(Attempt.id).where(Attempt.state == AttemptState.SUBMITTED)
                                    .order_by(Attempt.submitted_at, Attempt.id).limit(100)).all()
        db.session.remove()
    started, cpu = time.perf_counter(), time.process_time()
    with app.app_context():
        response = client.post("/admin/approvals/bulk", data={"ids": chosen, "action": "approve"})
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 302, response.status_code
    with app.app_context():
        approved = db.session.scalars(select(Attempt.state).where(Attempt.id.in_(chosen))).all()
        db.session.remove()
    assert approved == [AttemptState.APPROVED] * 100, "the bulk form did not approve all 100"
    return seconds, cpu


if __name__ == "__main__":
    sys.exit(main())
