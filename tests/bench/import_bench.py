"""Benchmark of the customer import: a 1,000,000-row CSV into an empty migrated SQLite database.

`python -m tests.bench.import_bench` writes the file on disk (every column, realistic values, about
1.5 % of rows invalid: bad numbers and dates, NPS 11, a missing name, a repeated external id),
then imports it in a fresh process through customers.import_file exactly as
`flask import customers FILE` does (commits as it goes, inline scores, tiers at the end), so the
RSS is the import's own. For information it times a bare sqlite3 executemany of the same valid
rows, already parsed as tuples, into the real tables (the CREATE TABLE / CREATE INDEX SQL read from
the freshly migrated database): `import_raw_executemany_s` and `import_vs_raw_ratio`.
BENCH_SCALE scales the row count (default 1.0). IMPORT_BENCH_PROFILE=path writes a cProfile of
the import. Prints `name: value` lines.
"""

import cProfile
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app import create_app
from app.db.sqlite import CACHE_KIB, CHECKPOINT_PAGES
from app.extensions import db
from app.models import Advocate
from app.services import clock, customers
from tests.conftest import make_config, migrate_database

HEADER = ["external_id", "email", "name", "company", "title", "industry", "company_size", "region", "tags",
          "customer_since", "nps", "health_score", "purchases", "last_purchase_on", "csat", "recovered",
          "usage_depth", "referrals_made", "social_mentions", "last_active_on"]
FIRST = ("Maya", "Noah", "Ava", "Liam", "Zoë", "Ethan", "Mia", "Lucas", "Aria", "Mateo", "Chloé", "Kenji")
LAST = ("Thompson", "García", "Nguyen", "Okafor", "Schmidt", "Rossi", "Kowalski", "Tanaka", "Silva", "Dubois")
COMPANIES = ("Brightlane", "Northwind", "Acme Analytics", "Globex", "Initech", "Umbrella Health", "Stark Ops")
TITLES = ("VP Marketing", "Head of CX", "Director of Sales", "CTO", "Product Manager",
          "Customer Success Lead")
INDUSTRIES = ("Software", "Healthcare", "Finance", "Retail", "Manufacturing", "Education")
SIZES = ("1-50", "51-200", "201-1000", "1001-5000", "5000+")
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
TAGS = ("api", "reporting", "sso", "mobile", "enterprise", "beta")
RAW_CHUNK = 50_000


def main() -> int:
    for name, value in measure(float(os.environ.get("BENCH_SCALE", "1.0"))).items():
        print(f"{name}: {value}", flush=True)
    return 0


def measure(scale: float) -> dict[str, str]:
    rows = max(1_000, int(1_000_000 * scale))
    now = clock.utcnow().replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="rallypoint-import-bench-") as folder:
        path = Path(folder) / "customers.csv"
        started = time.perf_counter()
        invalid = write_file(path, rows, now.date())
        generated = time.perf_counter() - started
        url = f"sqlite:///{folder}/import.db"
        migrate_database(url, f"{folder}/uploads")
        schema = real_schema(f"{folder}/import.db")
        child = subprocess.run([sys.executable, "-m", "tests.bench.import_bench", "--import", url, folder,
                                str(path), now.isoformat()], capture_output=True, text=True, check=False)
        if child.returncode:
            raise RuntimeError(f"the import child failed:\n{child.stderr[-4000:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        raw = raw_seconds(Path(folder) / "raw.db", rows, now, schema)
        size_mb = path.stat().st_size / 1024 / 1024
    assert result["rejected"] == invalid and result["stored"] == rows - invalid, (result, invalid)
    total = result["seconds"]
    phase = total - result["scoring_seconds"] - result["tiering_seconds"]
    return {"import_rows": f"{rows}", "import_file_mb": f"{size_mb:.0f}",
            "import_generate_s": f"{generated:.1f}", "import_rejected": f"{result['rejected']}",
            "import_total_s": f"{total:.1f}", "import_cpu_s": f"{result['cpu_s']:.1f}",
            "import_sys_s": f"{result['sys_s']:.1f}",
            "import_rows_per_s": f"{rows / total:.0f}", "import_rss_mb": f"{result['rss_mb']:.0f}",
            "import_scoring_s": f"{result['scoring_seconds']:.1f}",
            "import_tiering_s": f"{result['tiering_seconds']:.1f}",
            "import_raw_executemany_s": f"{raw:.2f}",
            "import_phase_vs_raw_ratio": f"{phase / raw:.2f}", "import_vs_raw_ratio": f"{total / raw:.2f}"}


def _values(rng: random.Random, n: int, today: date) -> list:
    """One valid record's values (Python types, as parsed), the n-th of the file."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain = rng.choice(COMPANIES).split()[0].lower()
    return [f"CRM-{n:07d}", f"{first.lower()}.{last.lower()}{n}@{domain}.test",
            f"{first} {last}", rng.choice(COMPANIES), rng.choice(TITLES), rng.choice(INDUSTRIES),
            rng.choice(SIZES), rng.choice(REGIONS), rng.sample(TAGS, rng.randint(0, 3)),
            today - timedelta(days=rng.randint(10, 3000)), rng.choice((5, 7, 8, 9, 9, 10, 10)),
            rng.randint(40, 100), rng.randint(0, 8), today - timedelta(days=rng.randint(0, 900)),
            round(rng.uniform(1, 5), 1) if rng.random() < 0.7 else None, rng.random() < 0.1,
            rng.randint(0, 100), rng.choice((0, 0, 0, 1, 2, 4)), rng.choice((0, 0, 1, 3, 8)),
            today - timedelta(days=rng.randint(0, 60))]


def _broken(cells: list[str], n: int) -> list[str]:
    """Every 67th row: one of five mistakes (a repeated external id among them)."""
    cells = list(cells)
    kind = (n // 67) % 5
    if kind == 0:
        cells[10] = "11"
    elif kind == 1:
        cells[9] = "2025-13-40"
    elif kind == 2:
        cells[12] = "several"
    elif kind == 3:
        cells[2] = ""  # a new record without a name
    else:
        cells[0] = f"CRM-{n - 1:07d}"  # the previous row's external id: a duplicate
    return cells


def _cells(values: list) -> list[str]:
    cells = []
    for value in values:
        if isinstance(value, bool):
            cells.append("yes" if value else "no")
        elif isinstance(value, list):
            cells.append(";".join(value))
        elif value is None:
            cells.append("")
        else:
            cells.append(str(value))
    return cells


def _stream(rows: int, today: date):
    """(n, values, broken) for every row, the same sequence each time."""
    rng = random.Random(5)
    for n in range(1, rows + 1):
        yield n, _values(rng, n, today), n % 67 == 0


def write_file(path: Path, rows: int, today: date) -> int:
    invalid = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n, values, broken in _stream(rows, today):
            cells = _cells(values)
            writer.writerow(_broken(cells, n) if broken else cells)
            invalid += broken
    return invalid


def real_schema(path: str) -> str:
    """The CREATE TABLE and CREATE INDEX statements of advocate and customer_signal (and of the table
    advocate's foreign key names), as the migrations made them."""
    connection = sqlite3.connect(path)
    try:
        statements = [sql for sql, in connection.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('staff_user', 'advocate', 'customer_signal') "
            "AND sql IS NOT NULL ORDER BY type = 'index', tbl_name = 'customer_signal', "
            "tbl_name = 'advocate', name")]
    finally:
        connection.close()
    return ";\n".join(statements) + ";"


def raw_seconds(path: Path, rows: int, now: datetime, schema: str) -> float:
    """Seconds of bare executemany of the valid rows, built as tuples beforehand, one chunk at a time."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", f"cache_size = -{CACHE_KIB}",
                   f"wal_autocheckpoint = {CHECKPOINT_PAGES}", "foreign_keys = ON"):
        connection.execute(f"PRAGMA {pragma}")
    connection.executescript(schema)
    stamp = now.isoformat(sep=" ")
    advocates = ("INSERT INTO advocate (id, email, external_id, name, company, title, industry, "
                 "company_size, region, tags, customer_since, nps, health_score, state, ask_frequency, "
                 "leaderboard_opt_out, status, status_since, balance, lifetime_points, "
                 "email_opt_outs, readiness_score, eligible, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                 "?, ?, ?, ?, 'invited', 'standard', 0, 'bronze', ?, 0, 0, '[]', ?, ?, ?)")
    signals = ("INSERT INTO customer_signal (advocate_id, purchase_count, last_purchase_on, csat, recovered, "
               "usage_depth, referrals_made, social_mentions, last_active_on, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    seconds = 0.0
    a_chunk, s_chunk = [], []

    def flush():
        nonlocal seconds, a_chunk, s_chunk
        started = time.perf_counter()
        connection.executemany(advocates, a_chunk)
        connection.executemany(signals, s_chunk)
        seconds += time.perf_counter() - started
        a_chunk, s_chunk = [], []

    connection.execute("BEGIN IMMEDIATE")
    for n, v, broken in _stream(rows, now.date()):
        if broken:
            continue
        a_chunk.append((n, v[1], v[0], v[2], v[3], v[4], v[5], v[6], v[7], json.dumps(v[8]),
                        v[9].isoformat(), v[10], v[11], stamp, 50, v[10] >= 9, stamp))
        s_chunk.append((n, v[12], v[13].isoformat(), v[14], v[15], v[16], v[17], v[18], v[19].isoformat(),
                        stamp))
        if len(a_chunk) >= RAW_CHUNK:
            flush()
    flush()
    started = time.perf_counter()
    connection.execute("COMMIT")
    seconds += time.perf_counter() - started
    connection.close()
    return seconds


def run_import(url: str, folder: str, path: str, now: datetime) -> None:
    """Child process: the import as the CLI runs it; prints its figures as JSON."""
    app = create_app(make_config(url, f"{folder}/uploads"))
    profile = os.environ.get("IMPORT_BENCH_PROFILE")
    with app.app_context(), open(path, "rb") as stream:
        session = db.session
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        report = customers.import_file(session, stream=stream, now=now, commit=session.commit)
        session.commit()
        seconds = time.perf_counter() - started
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        stored = session.scalar(select(func.count()).select_from(Advocate))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024,
                      "cpu_s": usage.ru_utime + usage.ru_stime, "sys_s": usage.ru_stime, "stored": stored,
                      "created": report.created,
                      "rejected": report.rejected_count, "scoring_seconds": report.scoring_seconds,
                      "tiering_seconds": report.tiering_seconds}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--import"]:
        run_import(sys.argv[2], sys.argv[3], sys.argv[4], datetime.fromisoformat(sys.argv[5]))
    else:
        sys.exit(main())
