"""Benchmark of the referral landing page's POST with 1,000,000 referrals already stored, on SQLite.

`python -m tests.bench.referrals` builds the database through the migrations, fills it with plain
executemany inserts (50,000 referrers with a code each, 20 referrals per code, one in ten rejected),
then posts REQUESTS sign-ups of new friends to random codes through the Flask test client and
reports the p95. BENCH_SCALE scales the referral count (default 1.0). Prints `name: value` lines.
"""

import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Referral, ReferralState
from app.services import clock
from tests.conftest import make_config, migrate_database

PER_CODE = 20
REJECTED_EVERY = 10
REQUESTS = 200
CHUNK = 50_000


def main() -> int:
    figures = measure(float(os.environ.get("BENCH_SCALE", "1.0")))
    for name, value in figures.items():
        print(f"{name}: {value}", flush=True)
    return 0


def measure(scale: float, requests: int = REQUESTS) -> dict[str, str]:
    """Generate the referrals, then time `requests` landing-page sign-ups; the figures as strings."""
    total = max(10_000, int(1_000_000 * scale))
    with tempfile.TemporaryDirectory(prefix="rallypoint-referral-bench-") as folder:
        url = f"sqlite:///{folder}/referrals.db"
        migrate_database(url, f"{folder}/uploads")
        now = clock.utcnow().replace(microsecond=0)
        started = time.perf_counter()
        codes = generate(url, folder, total, now)
        generated = time.perf_counter() - started
        timings, accepted = submit_timings(url, folder, codes, requests)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    assert accepted == requests, f"only {accepted} of {requests} sign-ups were accepted"
    return {"referral_rows": f"{total}", "referral_generate_s": f"{generated:.1f}",
            "referral_submit_p95_ms": f"{p95 * 1000:.2f}"}


def generate(url: str, folder: str, total: int, now: datetime) -> list[str]:
    """Advocates with one code each and PER_CODE referrals per code; returns the codes."""
    app = create_app(make_config(url, f"{folder}/uploads"))
    advocates = -(-total // PER_CODE)
    rng = random.Random(7)
    codes = [f"bench{a:07d}x" for a in range(1, advocates + 1)]
    with app.app_context():
        connection = db.session.connection()
        connection.exec_driver_sql(
            "INSERT INTO advocate (id, email, name, company, title, industry, company_size, region, tags, "
            "state, ask_frequency, leaderboard_opt_out, status, status_since, balance, lifetime_points, "
            "email_opt_outs, created_at) VALUES (?, ?, ?, ?, '', '', '', '', '[]', "
            "'active', 'standard', 0, 'bronze', ?, 0, 0, '[]', ?)",
            [(a, f"referrer{a}@company{a}.test", f"Referrer {a}", f"Company {a}", now, now)
             for a in range(1, advocates + 1)])
        connection.exec_driver_sql(
            "INSERT INTO referral_code (id, advocate_id, code, created_at) VALUES (?, ?, ?, ?)",
            [(a, a, codes[a - 1], now) for a in range(1, advocates + 1)])
        rows = []
        for n in range(total):
            code_id = n // PER_CODE + 1
            created = now - timedelta(minutes=rng.randint(120, 2 * 365 * 24 * 60))
            if n % REJECTED_EVERY == 0:  # a second submission of the next row's email
                email, state, reason, discount = f"p{n + 1}@lead{n + 1}.test", "rejected", "burst", None
            else:
                email, state, reason, discount = f"p{n}@lead{n}.test", "submitted", None, f"BENCH-{n:08d}"
            rows.append((code_id, code_id, f"Prospect {n}", email, "Lead Co", state, reason, discount,
                         f"client{n % 5000}", created))
            if len(rows) == CHUNK:
                _insert(connection, rows)
                rows = []
        _insert(connection, rows)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return codes


def _insert(connection, rows) -> None:
    if rows:
        connection.exec_driver_sql(
            "INSERT INTO referral (code_id, referrer_id, friend_name, friend_email, friend_company, state, "
            "rejection_reason, discount_code, client_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows)


def submit_timings(url: str, folder: str, codes: list[str], requests: int) -> tuple[list[float], int]:
    """Post `requests` new friends to random codes through the test client; (seconds each, accepted)."""
    app = create_app(make_config(url, f"{folder}/uploads", REFERRAL_MAX_PER_CLIENT=10 * requests))
    rng = random.Random(3)
    client = app.test_client()
    timings = []
    for n in range(requests):
        code = rng.choice(codes)
        data = {"name": f"New Friend {n}", "email": f"new.friend{n}@newco{n}.test", "company": "New Co"}
        started = time.perf_counter()
        response = client.post(f"/r/{code}", data=data)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    with app.app_context():
        accepted = db.session.scalar(select(func.count()).select_from(Referral).where(
            Referral.friend_email.like("new.friend%"), Referral.state == ReferralState.SUBMITTED))
        db.session.remove()
        db.engine.dispose()
    return timings, accepted


if __name__ == "__main__":
    sys.exit(main())
