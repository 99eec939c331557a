"""`make bench`: build a database at scale through the migrations and time the hot paths.

BENCH_SCALE (default 1.0) scales 100,000 advocates / 2,000,000 ledger entries / 500,000 attempts.
Prints `name: value` lines and writes them to bench-results/latest.txt. Targets (2 cores, SQLite):
every p95 <= 25 ms (leaderboard_page_p95_ms: the whole portal page through the test client, signed
in, with the viewer's own rank; the slower of all time and this month), award_per_s >= 500 (one
transaction per award), rss_mb <= 300;
expire_sweep_s <= 10 with its own RSS <= 300 MB (1,000,000 attempts, 100,000 due: tests/bench/sweeps.py);
governor_checks_per_s >= 5000 (tests/bench/governor.py); redeem_per_s >= 300 (tests/bench/rewards.py);
referral_submit_p95_ms <= 30 with 1,000,000 referrals stored (tests/bench/referrals.py);
reference_match_p95_ms <= 50 (20,000 advocates opted into references: tests/bench/references.py);
embed_p95_ms <= 10 (the public embed, HTML and JSON, all time and this month: tests/bench/embeds.py);
score_customers_s (100,000 customers, tests/bench/identification.py) is for information.
kpis_365d_ms <= 500 (the program figures of a year, tests/bench/kpis.py); kpis_30d_ms is for information.
The approval queue (tests/bench/approvals.py, own database, 10,000 submissions waiting):
approval_queue_p95_ms <= 50 (the first page, unfiltered and filtered, CPU time) and bulk_approve_100_s <= 2.
page_ms_<kind> / page_queries_<kind> (each campaign-day page through the test client: median CPU ms and
SQL statements per request, tests/bench/pages.py) are for information; watch them for regressions.
The customer import (tests/bench/import_bench.py, 1,000,000 CSV rows into an empty database, own
process): import_total_s <= 120 and import_rss_mb <= 300 at full scale; import_vs_raw_ratio and
import_phase_vs_raw_ratio (against a bare sqlite3 executemany of the same rows) are for information.
award_batched_per_s (100 awards per transaction, as a job or import would) is for information.
Webhooks out (tests/bench/webhooks.py, own database, a local receiver): webhook_deliveries_per_s >= 200
and, after a dispatcher killed mid-run, webhook_lost == 0 (webhook_duplicates printed: at least once).
"""

import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from app import create_app
from app.extensions import db
from app.services import clock
from app.services.people import passwords
from app.services.program import settings as settings_service
from tests.bench import approvals as approvals_bench
from tests.bench import embeds as embeds_bench
from tests.bench import governor as governor_bench
from tests.bench import identification as identification_bench
from tests.bench import import_bench
from tests.bench import kpis as kpis_bench
from tests.bench import pages as pages_bench
from tests.bench import references as reference_bench
from tests.bench import referrals as referral_bench
from tests.bench import rewards as rewards_bench
from tests.bench import sweeps as sweep_bench
from tests.bench import webhooks as webhook_bench
from tests.bench.generate import Generator, Sizes
from tests.bench.measure import (
    awards_per_second,
    board_p95,
    bronze_advocate,
    check_generated,
    dashboard_p95,
    leaderboard_page_p95,
    page_viewer,
)
from tests.conftest import make_config, migrate_database

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "latest.txt"
TARGETS = {"leaderboard_all_time_p95_ms": 25, "leaderboard_month_p95_ms": 25, "dashboard_p95_ms": 25,
           "leaderboard_page_p95_ms": 25, "embed_p95_ms": 10,
           "expire_sweep_s": 10, "expire_sweep_rss_mb": 300, "referral_submit_p95_ms": 30,
           "reference_match_p95_ms": 50, "kpis_365d_ms": 500, "approval_queue_p95_ms": 50,
           "bulk_approve_100_s": 2}


def main() -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    sizes = Sizes.scaled(scale)
    with tempfile.TemporaryDirectory(prefix="rallypoint-bench-") as folder:
        url = f"sqlite:///{folder}/bench.db"
        migrate_database(url, f"{folder}/uploads")
        # The embed bench requests one embed hundreds of times a minute: its limiter still counts each
        # request (its cost is in the figure) but must not refuse them.
        app = create_app(make_config(url, f"{folder}/uploads", EMBED_RATE_LIMIT_PER_MINUTE=10**9))
        with app.app_context():
            lines = run(app, sizes, scale)
            db.session.remove()
            db.engine.dispose()
    lines.update(sweep_bench.measure(scale))
    lines.update(referral_bench.measure(scale))
    lines.update(approvals_bench.measure(scale))
    lines.update(identification_bench.measure(scale))
    lines.update(import_bench.measure(scale))
    lines.update(webhook_bench.measure(scale))
    report(lines)
    return 0 if within_targets(lines) else 1


def run(app, sizes: Sizes, scale: float) -> dict[str, str]:
    now = clock.utcnow().replace(microsecond=0)
    clock.freeze(now)
    session = db.session
    tz = settings_service.load(session).timezone
    started = time.perf_counter()
    totals = Generator(session, sizes, now, tz, passwords.hash_password("bench-password-123")).run()
    generated = time.perf_counter() - started
    print(f"generate_seconds: {generated:.1f}", flush=True)
    print(f"generated: {totals.advocates} advocates, {totals.entries} ledger entries, {totals.buckets} "
          f"period buckets, {totals.attempts} attempts", flush=True)
    check_generated(session, now, tz)
    rng = random.Random(11)
    lines = {"scale": f"{scale:g}", "generate_seconds": f"{generated:.1f}"}
    for name, period in (("leaderboard_all_time_p95_ms", "all"), ("leaderboard_month_p95_ms", "month")):
        lines[name] = f"{board_p95(session, period=period, now=now, advocates=totals.advocates, rng=rng):.2f}"
    lines["dashboard_p95_ms"] = f"{dashboard_p95(app, bronze_advocate(session)):.2f}"
    lines.update(page_figures(app, session, now))
    lines.update(embeds_bench.measure(app, session, now=now))
    lines["award_per_s"] = f"{awards_per_second(session, advocates=totals.advocates, now=now, rng=rng):.0f}"
    batched = awards_per_second(session, advocates=totals.advocates, now=now, rng=rng, per_commit=100,
                                label="bench-batch")
    lines["award_batched_per_s"] = f"{batched:.0f}"
    lines.update(rewards_bench.measure(session, now=now, rng=rng))
    lines.update(governor_bench.measure(session, advocates=totals.advocates, now=now, rng=rng))
    lines.update(kpis_bench.measure(session, now=now))
    lines.update(reference_bench.measure(session, advocates=totals.advocates, now=now, rng=rng))
    lines.update(pages_bench.measure(app, session, now))
    lines["rss_mb"] = f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
    return lines


def page_figures(app, session, now) -> dict[str, str]:
    """The whole leaderboard page (filters, board, the viewer's own rank) for a viewer in the middle
    of this month's board (see `page_viewer`); `leaderboard_page_p95_ms` is the slower of the two."""
    viewer = page_viewer(session, now)
    pages = {period: leaderboard_page_p95(app, viewer, period=period) for period in ("all", "month")}
    return {"leaderboard_page_all_time_p95_ms": f"{pages['all']:.2f}",
            "leaderboard_page_month_p95_ms": f"{pages['month']:.2f}",
            "leaderboard_page_p95_ms": f"{max(pages.values()):.2f}"}


def report(lines: dict[str, str]) -> None:
    text = "".join(f"{name}: {value}\n" for name, value in lines.items())
    print(text, end="")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)


def within_targets(lines: dict[str, str]) -> bool:
    ok = all(float(lines[name]) <= limit for name, limit in TARGETS.items())
    minimums = {"award_per_s": 500, "governor_checks_per_s": 5000, "redeem_per_s": 300,
                "webhook_deliveries_per_s": 200}
    ok = ok and all(float(lines[name]) >= floor for name, floor in minimums.items())
    if float(lines["scale"]) >= 1:  # the import's targets are for the full million rows
        ok = ok and float(lines["import_total_s"]) <= 120 and float(lines["import_rss_mb"]) <= 300
    ok = ok and lines["webhook_lost"] == "0"
    return ok and float(lines["rss_mb"]) <= 300


if __name__ == "__main__":
    sys.exit(main())
