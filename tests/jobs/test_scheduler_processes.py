"""Real scheduler processes over one database (a SQLite file, and PostgreSQL): every job runs once
per due time however many schedulers run; a lease holder killed with SIGKILL is taken over once its
lease runs out, one stopped with SIGTERM gives its lease back at once. Short intervals and leases
come from the documented SCHEDULER_* settings."""

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from app import create_app
from app.extensions import db
from app.jobs import registry, slots
from app.jobs.runner import STOPPED
from app.models import AttemptState, AttemptTransition, JobLock, JobRun
from app.services.clock import utcnow
from app.services.operations import joblocks
from tests.conftest import make_config
from tests.jobs.support import started_attempt

ROOT = Path(__file__).resolve().parents[2]
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "scheduler", "run"]
HUNG = [sys.executable, "-m", "tests.jobs.hung_scheduler"]
EXPIRE = "expire_due_attempts"


# Started as from a terminal, where Ctrl+C reaches the process: a shell starts background jobs with
# SIGINT ignored, a child inherits that, and Python then installs no Ctrl+C handler. Reset it first.
CTRL_C_REACHES = [sys.executable, "-c", "import os, signal, sys; "
                  "signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"]


class Scheduler:
    """A scheduler process whose output lines are collected as they come."""

    def __init__(self, command: list[str], env: dict):
        self.proc = subprocess.Popen([*CTRL_C_REACHES, *command], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} within {timeout} s; output: {''.join(self.seen)}")

    @property
    def holder(self) -> str:
        return f"{socket.gethostname()}:{self.proc.pid}"

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, app_factory):
    if request.param == "sqlite":
        return app_factory().config["SQLALCHEMY_DATABASE_URI"]
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(url):
    made = create_engine(url)
    yield made
    made.dispose()


@pytest.fixture
def schedulers(url, tmp_path):
    started: list[Scheduler] = []

    def start(command=FLASK, **settings) -> Scheduler:
        env = {**os.environ, "DATABASE_URL": url, "UPLOAD_FOLDER": str(tmp_path / "uploads"),
               "RALLYPOINT_ENV": "development", "SCHEDULER_ENABLED": "0",
               **{f"SCHEDULER_{key.upper()}": str(value) for key, value in settings.items()}}
        started.append(Scheduler(command, env))
        return started[-1]

    yield start
    for scheduler in started:
        if scheduler.proc.poll() is None:
            scheduler.proc.kill()
            scheduler.proc.wait()
        scheduler.reader.join(timeout=5)
        scheduler.proc.stdout.close()


def _runs(engine, name: str | None = None) -> list:
    stmt = select(JobRun.__table__).order_by(JobRun.id)
    if name:
        stmt = stmt.where(JobRun.name == name)
    with engine.connect() as connection:
        return connection.execute(stmt).all()


def _lease(engine, name: str):
    with engine.connect() as connection:
        return connection.execute(select(JobLock.__table__).where(JobLock.name == name)).one_or_none()


def test_two_scheduler_processes_run_each_job_once_per_due_time(schedulers, engine):
    every = 2
    procs = [schedulers(interval_seconds=every, catch_up_seconds=1) for _ in range(2)]
    for proc in procs:
        proc.wait_for("Ctrl+C or SIGTERM stops it")
    time.sleep(4 * every + 1)
    assert [proc.stop() for proc in procs] == [0, 0], [proc.seen for proc in procs]
    served = [run for run in _runs(engine) if not run.abandoned]
    per_due_time = Counter((run.name, run.due_at) for run in served)
    assert per_due_time and set(per_due_time.values()) == {1}, per_due_time.most_common(3)
    due_times = Counter(name for name, _ in per_due_time)
    assert set(due_times) == {job.name for job in registry()}
    assert min(due_times.values()) >= 3, due_times  # a few due times each, every one served once
    assert all(slots.latest(run.due_at, timedelta(seconds=every)) == run.due_at for run in served)
    assert [run for run in served if run.error] == []
    assert {run.holder for run in served} == {proc.holder for proc in procs}  # both took part


def _seed_due_attempt(url: str, tmp_path) -> None:
    app = create_app(make_config(url, str(tmp_path / "uploads")))
    with app.app_context():
        started_attempt(db.session, at=utcnow() - timedelta(days=20))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _taken_over(engine, dead_due_at, timeout: float) -> tuple[float, object]:
    """Seconds until a run serving `dead_due_at` finished, and that run."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        done = [run for run in _runs(engine, EXPIRE)
                if run.due_at == dead_due_at and run.finished_at and not run.abandoned]
        if done:
            return time.monotonic() - started, done[0]
        time.sleep(0.2)
    raise AssertionError(f"nobody took {EXPIRE} over within {timeout} s: {_runs(engine, EXPIRE)}")


@pytest.mark.parametrize(("sig", "lease"), [(signal.SIGKILL, 3), (signal.SIGTERM, 30), (signal.SIGINT, 30)],
                         ids=["SIGKILL", "SIGTERM", "Ctrl+C"])
def test_a_stopped_lease_holder_is_taken_over_and_its_run_marked(sig, lease, schedulers, engine, url,
                                                                tmp_path):
    _seed_due_attempt(url, tmp_path)
    timing = {"lease_seconds": lease, "heartbeat_seconds": 0.5, "catch_up_seconds": 1,
              "interval_seconds": 86400}
    holder = schedulers(HUNG, **timing)
    holder.wait_for("hanging after 1")
    other = schedulers(**timing)
    other.wait_for("Ctrl+C or SIGTERM stops it")
    if sig == signal.SIGKILL:
        time.sleep(lease + 1)  # longer than the lease: the heartbeat keeps it while the holder lives
    [dead] = _runs(engine, EXPIRE)
    assert (dead.holder, dead.finished_at) == (holder.holder, None)
    assert _lease(engine, EXPIRE).holder == holder.holder

    stopping = time.monotonic()
    assert holder.stop(sig, timeout=5) == (-signal.SIGKILL if sig == signal.SIGKILL else 0)
    exited = time.monotonic() - stopping
    if sig != signal.SIGKILL:  # SIGTERM, or Ctrl+C (SIGINT)
        assert exited < 3, holder.seen
        holder.wait_for("1 leases released, 1 unfinished runs marked stopped", timeout=1)
    waited, run = _taken_over(engine, dead.due_at, timeout=lease + 10)
    # SIGKILL: the lease runs out (3 s), then the next catch-up check (1 s) takes it. SIGTERM and
    # Ctrl+C: the lease came back at once, so the takeover comes long before 30 s could run out.
    assert waited < (lease + 1 + 4 if sig == signal.SIGKILL else 6), waited
    assert (run.holder, run.items, run.error) == (other.holder, 0, None)  # the dead run's batch was kept
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(AttemptTransition).where(
            AttemptTransition.to_state == AttemptState.EXPIRED)).scalar() == 1
    dead = _runs(engine, EXPIRE)[0]
    assert dead.abandoned and dead.finished_at is not None
    assert dead.error == (joblocks.HOLDER_STOPPED if sig == signal.SIGKILL else STOPPED)
    assert other.stop() == 0
    assert _lease(engine, EXPIRE).holder is None  # SIGTERM of the idle scheduler gave it back
    other.wait_for("Scheduler stopped", timeout=1)
