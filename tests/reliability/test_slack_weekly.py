"""The weekly Slack post on SQLite and PostgreSQL: two schedulers (and racing runs without the lease)
store the week's post once, and a delivery process killed mid-batch (SIGKILL) loses no post: after
its claims run out the next run sends the rest, a duplicate possible only for the post in flight."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.jobs import slack as slack_jobs
from app.jobs.outbox import deliver_outbox
from app.jobs.runner import SERVED, run_due, run_once
from app.models import OutboxMessage
from app.services import clock, community
from app.services.messaging.outbox import CLAIM_LEASE
from tests.reliability.conftest import race
from tests.services.webhooks.receiver import Receiver

FRIDAY_16 = datetime(2026, 6, 19, 16, 0)
JOB = slack_jobs.JOBS[0]
WEEKS = 8


def _configure(app, url):
    app.config["SLACK_ALLOW_PRIVATE"] = True
    with app.app_context():
        community.save_settings(db.session, url=url, weekday=4, hour=16, enabled=True, allow_private=True,
                                actor_id=None, now=clock.utcnow())
        db.session.commit()
        db.session.remove()


def _keys(app):
    with app.app_context():
        keys = db.session.scalars(sa.select(OutboxMessage.dedupe_key)
                                  .where(OutboxMessage.channel == "slack")).all()
        db.session.remove()
        return keys


def test_two_schedulers_and_racing_runs_store_the_week_once(race_app):
    _configure(race_app, "http://127.0.0.1:9/hook")
    clock.freeze(FRIDAY_16 + timedelta(minutes=2))  # both schedulers serve the 16:00 due time
    first, second = run_due(race_app, JOB, "scheduler-a"), run_due(race_app, JOB, "scheduler-b")
    assert (first.ran, first.items, first.error) == (True, 1, None)
    assert (second.ran, second.skipped) == (False, SERVED)
    assert run_once(race_app, JOB, holder="admin:1").items == 0  # a manual run an hour later: already queued
    assert race(race_app, lambda session: community.enqueue_weekly(
        session, now=FRIDAY_16 + timedelta(hours=2), portal_url=None), threads=4) == {"ok": 4}
    assert _keys(race_app) == ["slack-weekly:2026-W25"]


CHILD = """
import sys
from datetime import datetime
from app import create_app
from app.extensions import db
from app.jobs.outbox import deliver_outbox
from tests.conftest import make_config
url, uploads, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
app = create_app(make_config(url, uploads, SLACK_ALLOW_PRIVATE=True))
with app.app_context():
    deliver_outbox(db.session, now)
"""


def test_killing_the_delivery_mid_batch_loses_no_post(race_app, tmp_path):
    with Receiver() as receiver:
        _configure(race_app, receiver.url)
        with race_app.app_context():
            for week in range(WEEKS):  # eight weeks' posts waiting (a delivery that was down)
                assert community.enqueue_weekly(db.session, now=FRIDAY_16 + timedelta(weeks=week),
                                                portal_url=None)
            db.session.commit()
            db.session.remove()
        now = FRIDAY_16 + timedelta(weeks=WEEKS)
        receiver.answers.extend([(200, 0.3)] * (WEEKS * 2))
        child = subprocess.Popen([sys.executable, "-c", CHILD, race_app.config["SQLALCHEMY_DATABASE_URI"],
                                  str(tmp_path / "uploads"), now.isoformat()],
                                 cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
        deadline = time.monotonic() + 60
        while len(receiver.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert 3 <= len(receiver.requests) < WEEKS  # killed mid-batch

        with race_app.app_context():
            assert deliver_outbox(db.session, now) == 0  # its claims still hold
            deliver_outbox(db.session, now + CLAIM_LEASE + timedelta(seconds=1))
            unsent = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                       .where(OutboxMessage.sent_at.is_(None)))
            db.session.remove()
    received = Counter(json.loads(body)["text"] for _, _, body in receiver.requests)
    assert len(received) == WEEKS and unsent == 0  # every week's post arrived
    assert sum(count - 1 for count in received.values()) <= 1  # at most the one in flight, twice
