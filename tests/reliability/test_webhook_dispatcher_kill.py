"""A webhook dispatcher killed mid-batch (SIGKILL, in its own process) loses no event: after its
claims run out the next run sends the rest; a duplicate is possible only for the one delivery that
was in flight when it died (at least once), never more. On SQLite and PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import WebhookDelivery
from app.services import webhooks
from app.services.webhooks.delivery import CLAIM_LEASE
from tests.services.webhooks.receiver import Receiver
from tests.services.webhooks.test_delivery import real_now

EVENTS = 30
CHILD = """
import sys
from datetime import datetime
from app import create_app
from app.extensions import db
from app.services import webhooks
from tests.conftest import make_config
url, uploads, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
app = create_app(make_config(url, uploads))
with app.app_context():
    webhooks.deliver_due(db.session, poster=webhooks.HttpPoster(allow_private=True), now=now,
                         commit=db.session.commit)
"""


def test_killing_the_dispatcher_mid_batch_loses_nothing(race_app, tmp_path):
    now = real_now()
    with Receiver() as receiver, race_app.app_context():
        webhooks.create_endpoint(db.session, url=receiver.url, event_types=["ledger_entry.created"], now=now,
                                 allow_private=True)
        for n in range(EVENTS):
            webhooks.emit(db.session, "ledger_entry.created", {"n": n}, now)
        db.session.commit()
        receiver.answers.extend([(200, 0.05)] * (EVENTS * 2))
        child = subprocess.Popen([sys.executable, "-c", CHILD, race_app.config["SQLALCHEMY_DATABASE_URI"],
                                  str(tmp_path / "uploads"), now.isoformat()],
                                 cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
        deadline = time.monotonic() + 60
        while len(receiver.requests) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        sent_before = len(receiver.requests)
        assert 5 <= sent_before < EVENTS  # killed mid-batch

        db.session.expire_all()
        assert webhooks.deliver_due(db.session, poster=webhooks.HttpPoster(allow_private=True), now=now,
                                    commit=db.session.commit) == 0  # its claims still hold
        later = now + CLAIM_LEASE + timedelta(seconds=1)
        webhooks.deliver_due(db.session, poster=webhooks.HttpPoster(allow_private=True), now=later,
                             commit=db.session.commit)
        received = Counter(headers["webhook-id"] for _, headers, _ in receiver.requests)
        ids = set(db.session.scalars(sa.select(WebhookDelivery.event_id)))
        assert set(received) == ids and len(ids) == EVENTS  # none lost
        duplicates = sum(count - 1 for count in received.values())
        assert duplicates <= 1 and max(received.values()) <= 2
        undelivered = db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)
                                        .where(WebhookDelivery.delivered_at.is_(None)))
        assert undelivered == 0
