"""`make bench-load`: the campaign day over real HTTP, on PostgreSQL and on SQLite (issue 13).

For each engine: a fresh database through the migrations with the bench data (100,000 advocates at
LOAD_SCALE=1), one `flask scheduler run` left to catch up with that data (the day is a program that
has been running), then gunicorn with 4 sync workers in the production config,
and virtual users ramping to LOAD_USERS over LOAD_RAMP_S, held LOAD_HOLD_S (0.5 s between a user's
pages: LOAD_THINK_S). During the hold one worker is SIGKILLed and the scheduler restarted. Then
`flask points verify`, duplicated ledger keys, and lost submissions. A bare Flask app under the same
gunicorn, driven by the same client at full speed, gives the machine's yardstick. Prints `name:
value` lines (also written to bench-results/load.txt); exits 1 when a target is missed.

Environment: LOAD_ENGINES (default "pg,sqlite"), LOAD_SCALE (1.0), LOAD_USERS (200), LOAD_RAMP_S
(60), LOAD_HOLD_S (300), LOAD_THINK_S (0.5), LOAD_BARE_S (20). docs/performance.md explains the figures.
"""

import asyncio
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from tests.bench.load import data, servers
from tests.bench.load.day import Shape, campaign_day, full_speed
from tests.bench.load.figures import (
    describe_errors,
    ledger_and_losses,
    split_errors,
    traffic,
    verify_problems,
)
from tests.pg import Cluster, find_pg_bin

RESULTS = servers.ROOT / "bench-results" / "load.txt"
FLASK = [str(servers.VENV_BIN / "flask"), "--app", "wsgi"]
ZERO = ("errors", "verify_problems", "lost", "duplicated")


def main() -> int:
    shape = Shape(int(os.environ.get("LOAD_USERS", 200)), float(os.environ.get("LOAD_RAMP_S", 60)),
                  float(os.environ.get("LOAD_HOLD_S", 300)), float(os.environ.get("LOAD_THINK_S", 0.5)))
    engines = [e.strip() for e in os.environ.get("LOAD_ENGINES", "pg,sqlite").split(",") if e.strip()]
    scale = float(os.environ.get("LOAD_SCALE", "1.0"))
    lines = {"load_scale": f"{scale:g}", "load_users": str(shape.users), "load_hold_s": f"{shape.hold_s:g}"}
    with tempfile.TemporaryDirectory(prefix="rallypoint-load-") as folder:
        processes = servers.Processes(Path(folder))
        try:
            lines["load_bare_flask_rps"] = f"{bare_rps(processes, folder):.1f}"
            _say(f"load_bare_flask_rps: {lines['load_bare_flask_rps']}")
            for engine in engines:
                lines.update(run_engine(engine, Path(folder) / engine, processes, shape, scale))
                rps = float(lines[f"load_{engine}_rps"])
                lines[f"load_{engine}_vs_bare"] = f"{rps / float(lines['load_bare_flask_rps']):.3f}"
                _say_figures(engine, lines)
        finally:
            processes.stop_all()
    report(lines)
    return 0 if within_targets(lines, engines) else 1


def bare_rps(processes: servers.Processes, folder: str) -> float:
    env = servers.production_env("sqlite://", f"{folder}/bare-uploads")
    master, port = processes.gunicorn("bare", "tests.bench.load.bare:app", env)
    try:
        return asyncio.run(full_speed(f"http://127.0.0.1:{port}", float(os.environ.get("LOAD_BARE_S", 20))))
    finally:
        processes.stop(master)


def run_engine(engine: str, folder: Path, processes: servers.Processes, shape: Shape,
               scale: float) -> dict[str, str]:
    folder.mkdir()
    uploads = str(folder / "uploads")
    with database(engine, folder) as url:
        started = time.monotonic()
        plan = data.prepare(url, uploads, scale)
        _say(f"{engine}: data ready in {time.monotonic() - started:.0f} s: {plan.totals}")
        env = servers.production_env(url, uploads)
        scheduler = [processes.scheduler(env)]
        catch_up_s = servers.wait_until_caught_up(url, scheduler[0])
        _say(f"{engine}: the scheduler caught up in {catch_up_s:.0f} s")
        master, port = processes.gunicorn(f"web-{engine}", "wsgi:app", env)

        def kill_worker() -> None:
            _say(f"{engine}: SIGKILLed gunicorn worker {servers.kill_one_worker(master)}")

        def restart_scheduler() -> None:
            scheduler[0] = servers.restart_scheduler(processes, scheduler[0], env)
            _say(f"{engine}: scheduler stopped (SIGTERM) and started again")

        accidents = {"kill_worker": kill_worker, "restart_scheduler": restart_scheduler}
        try:
            recorder, window = asyncio.run(campaign_day(f"http://127.0.0.1:{port}", plan, shape, accidents,
                                                        tag=f"{engine}-{uuid.uuid4().hex[:6]}"))
        finally:
            alive = master.poll() is None and scheduler[0].poll() is None
            processes.stop(master)
            processes.stop(scheduler[0])
        if not alive:
            raise RuntimeError(f"{engine}: gunicorn or the scheduler died during the run (logs in {folder})")
        _say_tracebacks(engine, folder.parent)
        lines = {f"load_{engine}_catch_up_s": f"{catch_up_s:.0f}", **traffic(engine, recorder, window)}
        for line in describe_errors(split_errors(recorder)[0]):
            _say(f"{engine} error: {line}")
        lines[f"load_{engine}_verify_problems"] = str(verify_problems(FLASK, env, servers.ROOT))
        lines.update(ledger_and_losses(engine, url, recorder))
    return lines


@contextmanager
def database(engine: str, folder: Path):
    """A URL of an empty database on `engine`: a SQLite file, or a throwaway PostgreSQL cluster."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'campaign.db'}"
        return
    if engine != "pg":
        raise SystemExit(f"LOAD_ENGINES: unknown engine {engine!r} (pg, sqlite)")
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server binaries are needed for the pg engine (Debian's postgresql).")
    cluster = Cluster(bin_dir)
    try:
        server = cluster.start()
        _say(f"pg: throwaway cluster in {cluster.root}")
        yield server.url(server.create_database())
    finally:
        cluster.stop()


def report(lines: dict[str, str]) -> None:
    text = "".join(f"{name}: {value}\n" for name, value in lines.items())
    print(text, end="", flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)


def within_targets(lines: dict[str, str], engines: list[str]) -> bool:
    ok = True
    for engine in engines:
        ok = ok and all(lines[f"load_{engine}_{name}"] == "0" for name in ZERO)
        ok = ok and float(lines[f"load_{engine}_p95_ms"]) <= 250
        ok = ok and float(lines[f"load_{engine}_vs_bare"]) >= 0.25
    return ok


def _say_figures(engine: str, lines: dict[str, str]) -> None:
    prefix = f"load_{engine}_"
    _say(f"{engine} done: " + ", ".join(f"{name.removeprefix(prefix)}={value}"
                                        for name, value in lines.items() if name.startswith(prefix)))


def _say_tracebacks(engine: str, logs: Path) -> None:
    """Count the exceptions in the servers' logs (by their last line), and keep the logs of the last
    run in bench-results/load-logs/ (the temp folder goes)."""
    kept = RESULTS.parent / "load-logs"
    kept.mkdir(parents=True, exist_ok=True)
    for log in sorted(logs.glob("*.log")):
        text = log.read_text(errors="replace")
        if not text:
            continue
        shutil.copyfile(log, kept / f"{engine}-{log.name}")
        endings = Counter(_exception_lines(text))
        for line, count in endings.most_common(5):
            _say(f"{engine}: {count} x in {log.name}: {line[:200]}")
        log.write_text("")  # the next engine's count starts afresh


def _exception_lines(text: str):
    """The exception line (the first unindented line) after each `Traceback` in a log; a chained
    exception (`The above exception was the direct cause…`) counts once, as its last one."""
    for block in text.split("Traceback (most recent call last):")[1:]:
        if "\nThe above exception was" in block or "\nDuring handling of the above" in block:
            continue
        yield next((line for line in block.splitlines()[1:] if line and not line[0].isspace()), "?")


def _say(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
