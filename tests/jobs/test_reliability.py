"""Several schedulers against one database: every attempt expires once and every reminder exists
once, whether two processes run a job together, two sweeps race, or a run is SIGKILLed mid-way."""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.jobs import missions as mission_jobs
from app.jobs.runner import run_once
from app.models import AttemptState, AttemptTransition, JobRun, Notification, OutboxMessage
from app.services import clock, missions
from app.services.missions import sweeps
from config import Config
from tests.conftest import make_config
from tests.factories import make_activity, make_advocate, make_mission
from tests.reliability.conftest import POOL, race

ROOT = Path(__file__).resolve().parents[2]
DUE = 200
JOBS = {job.name: job for job in mission_jobs.JOBS}
LEASE = timedelta(seconds=Config.SCHEDULER_LEASE_SECONDS)


@pytest.fixture
def pg_app(pg_url, tmp_path):
    app = create_app(make_config(pg_url, str(tmp_path / "uploads"), SQLALCHEMY_ENGINE_OPTIONS=POOL))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _seed(app, now: datetime) -> None:
    """DUE attempts past their deadline and DUE more started three days ago (start reminder due)."""
    with app.app_context():
        session = db.session
        activity = make_activity(session, expires_after_days=14)
        window = {"opens_at": now - timedelta(days=30), "closes_at": now + timedelta(days=60)}
        late, fresh = make_mission(session, activity=activity, **window), make_mission(
            session, activity=activity, **window)
        for _ in range(DUE):
            advocate = make_advocate(session)
            for mission, days_ago in ((late, 20), (fresh, 3)):
                missions.start_mission(session, advocate=advocate, mission_id=mission.id,
                                       now=now - timedelta(days=days_ago))
        session.commit()
        session.remove()


def _assert_done_once(app) -> None:
    with app.app_context():
        session = db.session
        expiries = session.execute(select(AttemptTransition.attempt_id, func.count()).where(
            AttemptTransition.to_state == AttemptState.EXPIRED).group_by(AttemptTransition.attempt_id)).all()
        assert len(expiries) == DUE and {n for _, n in expiries} == {1}
        for model in (Notification, OutboxMessage):
            keys = session.scalars(select(model.dedupe_key).where(
                model.dedupe_key.startswith("reminder-start:"))).all()
            assert len(keys) == len(set(keys)) == DUE
        session.remove()


def _real_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@pytest.mark.postgres
def test_two_scheduler_processes_expire_and_remind_once(pg_url, tmp_path):
    now = _real_now()
    clock.freeze(now)
    app = create_app(make_config(pg_url, str(tmp_path / "uploads")))
    _seed(app, now)
    env = {**os.environ, "DATABASE_URL": pg_url, "UPLOAD_FOLDER": str(tmp_path / "uploads"),
           "RALLYPOINT_ENV": "development", "SCHEDULER_ENABLED": "0"}
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "scheduler", "run-once"]
    procs = [subprocess.Popen([*flask, name], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
             for name in ("expire_due_attempts", "remind_after_start") for _ in range(2)]
    outputs = [proc.communicate(timeout=60)[0] for proc in procs]
    # A process that found the lease taken says so and exits non-zero; any other failure is a bug.
    assert all(p.returncode == 0 or "holds the lease" in out for p, out in zip(procs, outputs)), outputs
    for name in ("expire_due_attempts", "remind_after_start"):
        assert run_once(app, JOBS[name]).error is None
    _assert_done_once(app)
    with app.app_context():
        assert db.session.scalar(select(func.sum(JobRun.items)).where(
            JobRun.name == "expire_due_attempts")) == DUE
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_racing_sweeps_without_the_lease_still_act_once(engine, request, app_factory, tmp_path, now):
    if engine == "sqlite":
        app = app_factory(SQLALCHEMY_ENGINE_OPTIONS=POOL)
    else:
        app = request.getfixturevalue("pg_app")
    _seed(app, now)

    def sweep(session):
        sweeps.expire_due_attempts(session, now=now)
        sweeps.remind_after_start(session, now=now)

    assert race(app, sweep, threads=4) == {"ok": 4}
    _assert_done_once(app)


@pytest.mark.postgres
def test_a_run_killed_mid_sweep_is_finished_by_the_next_run(pg_app, pg_url, tmp_path, now):
    _seed(pg_app, now)
    command = [sys.executable, "-m", "tests.jobs.doomed_run", pg_url, str(tmp_path / "uploads"),
               now.isoformat()]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as doomed:
        try:
            line = doomed.stdout.readline()
        finally:
            doomed.send_signal(signal.SIGKILL)
        rest = doomed.stdout.read()
    assert doomed.returncode == -signal.SIGKILL
    assert line.startswith(f"swept {2 * DUE}"), line + rest
    expire = JOBS["expire_due_attempts"]
    assert run_once(pg_app, expire).ran is False  # the dead holder's lease has not run out yet
    clock.freeze(now + LEASE + timedelta(seconds=1))
    outcomes = [run_once(pg_app, expire), run_once(pg_app, JOBS["remind_after_start"])]
    assert [(o.ran, o.items, o.error) for o in outcomes] == [(True, DUE, None), (True, DUE, None)]
    _assert_done_once(pg_app)
