"""A scheduler run that sweeps, prints "swept" and then hangs so a test can SIGKILL it mid-run.

Usage: python -m tests.jobs.doomed_run DATABASE_URL UPLOAD_DIR NOW_ISO
"""

import sys
import time
from datetime import datetime

from app import create_app
from app.jobs import Job
from app.jobs.runner import run_once
from app.services import clock
from app.services.missions import sweeps
from tests.conftest import make_config


def _sweep_then_hang(session, now):
    items = sweeps.expire_due_attempts(session, now=now) + sweeps.remind_after_start(session, now=now)
    session.flush()
    print(f"swept {items}", flush=True)
    time.sleep(120)
    return items


def main(url: str, uploads: str, at: str) -> None:
    clock.freeze(datetime.fromisoformat(at))
    app = create_app(make_config(url, uploads))
    run_once(app, Job("expire_due_attempts", _sweep_then_hang), holder="doomed")


if __name__ == "__main__":
    main(*sys.argv[1:4])
