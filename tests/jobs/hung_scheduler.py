"""The real `flask --app wsgi scheduler run`, except that its expire_due_attempts run expires the due
attempts (committing its batch, as the real job does), prints "hanging" and never finishes, so a test
can SIGKILL or SIGTERM a lease holder in the middle of a run. Configured from the environment like
the command (DATABASE_URL, SCHEDULER_*).

Usage: python -m tests.jobs.hung_scheduler
"""

import sys
import threading

from flask.cli import main as flask_main

from app.jobs import Job, missions
from app.services.missions import sweeps


def _expire_then_hang(session, now):
    items = sweeps.expire_due_attempts(session, now=now, commit=session.commit)
    session.commit()  # (on SQLite the last, empty batch's read began a transaction)
    print(f"hanging after {items}", flush=True)
    threading.Event().wait()
    return items


def main() -> None:
    missions.JOBS[:] = [Job(job.name, _expire_then_hang, job.trigger, job.description)
                        if job.name == "expire_due_attempts" else job for job in missions.JOBS]
    sys.argv = ["flask", "--app", "wsgi", "scheduler", "run"]
    flask_main()


if __name__ == "__main__":
    main()
