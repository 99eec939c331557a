"""Benchmark of the program figures (`GET /api/v1/kpis`): `kpis_30d_ms` and `kpis_365d_ms`, the median
of five `kpis.program_figures` calls for the last 30 and 365 days, on the main benchmark's database
(100,000 advocates, 500,000 attempts at scale 1) once the governor bench has added its ask history.

`python -m tests.bench.kpis` builds that data on its own (BENCH_SCALE, default 1.0) and prints both.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from app.services import clock
from app.services.analytics import kpis
from app.services.people import passwords
from app.services.program import settings as settings_service

RUNS = 5


def _median_ms(session: Session, period: kpis.Period, now: datetime) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        kpis.program_figures(session, period=period, now=now)
        samples.append((time.perf_counter() - started) * 1000)
        session.rollback()
    return statistics.median(samples)


def measure(session: Session, *, now: datetime) -> dict[str, str]:
    timezone = settings_service.load(session).timezone
    lines = {}
    for days in (30, 365):
        last = kpis.period(first=None, last=None, now=now, timezone=timezone).last
        period = kpis.period(first=last - timedelta(days=days - 1), last=last, now=now, timezone=timezone)
        lines[f"kpis_{days}d_ms"] = f"{_median_ms(session, period, now):.0f}"
    return lines


def main() -> int:
    from tests.bench import governor as governor_bench
    from tests.bench.generate import Generator, Sizes
    from tests.conftest import make_config, migrate_database

    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    sizes = Sizes.scaled(scale)
    with tempfile.TemporaryDirectory(prefix="rallypoint-kpis-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        migrate_database(url, f"{folder}/uploads")
        app = create_app(make_config(url, f"{folder}/uploads"))
        with app.app_context():
            now = clock.utcnow().replace(microsecond=0)
            clock.freeze(now)
            tz = settings_service.load(db.session).timezone
            password = passwords.hash_password("bench-password-123")
            totals = Generator(db.session, sizes, now, tz, password).run()
            asks = governor_bench.add_ask_history(db.session, advocates=totals.advocates, now=now,
                                                  rng=random.Random(7))
            print(f"generated: {totals.advocates} advocates, {totals.attempts} attempts, {asks} asks",
                  flush=True)
            for name, value in measure(db.session, now=now).items():
                print(f"{name}: {value}", flush=True)
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
