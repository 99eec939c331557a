"""The processes of the campaign day: gunicorn (4 sync workers, the production config, deploy's
gunicorn.conf.py), one `flask scheduler run`, and a bare Flask app under the same gunicorn.

The app runs as deployed behind a TLS proxy: RALLYPOINT_ENV=production with PROXY_COUNT=1 (the
documented setting for one reverse proxy), and the load client sends the proxy's X-Forwarded-Proto
and X-Forwarded-For headers. So production's Secure cookies are set as they would be, and each
virtual user has its own client address (sign-in throttling and the referral limit count per address).
"""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
WORKERS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(url: str, uploads: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("RALLYPOINT_", "FLASK_"))}
    env.update(RALLYPOINT_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url,
               UPLOAD_FOLDER=uploads, PROXY_COUNT="1", MAIL_SERVER="", PYTHONUNBUFFERED="1")
    return env


class Processes:
    """Every process the run starts, so that `stop_all` (in a finally) leaves none behind."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[subprocess.Popen] = []

    def spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the child's lifetime)
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        log.close()
        self.started.append(process)
        return process

    def gunicorn(self, name: str, app: str, env: dict[str, str],
                 workers: int = WORKERS) -> tuple[subprocess.Popen, int]:
        port = free_port()
        command = [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}",
                   "--workers", str(workers), app]
        process = self.spawn(name, command, env | {"GUNICORN_ACCESS_LOG": ""})
        wait_for_port(port, process, self.logs / f"{name}.log")
        wait_for_workers(process, workers)
        return process, port

    def scheduler(self, env: dict[str, str]) -> subprocess.Popen:
        return self.spawn("scheduler", [str(VENV_BIN / "flask"), "--app", "wsgi", "scheduler", "run"], env)

    def stop(self, process: subprocess.Popen, timeout: float = 30) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        _reap_group(process.pid)
        if process in self.started:
            self.started.remove(process)

    def stop_all(self) -> None:
        for process in reversed(list(self.started)):
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                self.stop(process)


def _reap_group(pgid: int) -> None:
    """Kill whatever is left of the process group (a SIGKILLed master's orphaned workers, say)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log.name} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s:\n{log.read_text()[-3000:]}")


def workers_of(master: subprocess.Popen) -> list[int]:
    """The gunicorn master's worker processes (its children)."""
    path = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    try:
        return [int(pid) for pid in path.read_text().split()]
    except FileNotFoundError:
        return []


def wait_for_workers(master: subprocess.Popen, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(workers_of(master)) < count:
        if time.monotonic() > deadline or master.poll() is not None:
            raise RuntimeError(f"gunicorn has {len(workers_of(master))} of {count} workers")
        time.sleep(0.2)


def kill_one_worker(master: subprocess.Popen) -> int:
    """SIGKILL one worker (the master starts a new one); return its pid."""
    pid = workers_of(master)[0]
    os.kill(pid, signal.SIGKILL)
    return pid


def wait_until_caught_up(url: str, scheduler: subprocess.Popen, timeout: float = 1800) -> float:
    """Wait until the scheduler has run every job once for its current due time (its start-up
    catch-up over data no scheduler has seen); return how long that took.

    The bench data is written straight into the tables, so the first pass sweeps 100,000 advocates
    that a live program's scheduler would have swept as they came due (minutes of CPU). The campaign
    day is measured on a program that has been running, so the day starts after that pass.
    """
    from app.jobs import registry
    from app.models import JobRun

    names = {job.name for job in registry()}
    done = select(JobRun.name).distinct().where(JobRun.due_at.is_not(None), JobRun.finished_at.is_not(None))
    running = select(func.count()).select_from(JobRun).where(JobRun.finished_at.is_(None))
    started = time.monotonic()
    engine = create_engine(url)
    try:
        while True:
            with engine.connect() as connection:
                missing = names - set(connection.scalars(done))
                busy = connection.scalar(running)
            if not missing and not busy:
                return time.monotonic() - started
            if scheduler.poll() is not None:
                raise RuntimeError(f"the scheduler exited ({scheduler.returncode}) before catching up")
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"the scheduler has not caught up after {timeout} s: {sorted(missing)}")
            time.sleep(2)
    finally:
        engine.dispose()


def restart_scheduler(processes: Processes, scheduler: subprocess.Popen,
                      env: dict[str, str]) -> subprocess.Popen:
    """SIGTERM the scheduler, wait for it to exit, start a new one."""
    processes.stop(scheduler, timeout=60)
    return processes.scheduler(env)
