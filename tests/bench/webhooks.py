"""Benchmark of webhooks out, on its own fresh database with a local receiver (http.server):
`webhook_deliveries_per_s` (one dispatcher, the job's commit per outcome; target >= 200), then a
dispatcher killed mid-run (SIGKILL, its own process) and a second run after its claims ran out:
`webhook_lost` (must be 0) and `webhook_duplicates` (at-least-once: only what was in flight)."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import WebhookDelivery
from app.services import webhooks
from app.services.webhooks.delivery import CLAIM_LEASE
from tests.conftest import make_config, migrate_database
from tests.reliability.test_webhook_dispatcher_kill import CHILD
from tests.services.webhooks.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]


def _emit(n: int, now: datetime) -> None:
    for i in range(n):
        webhooks.emit(db.session, "ledger_entry.created", {"n": i}, now)
    db.session.commit()


def _sweep(now: datetime) -> int:
    return webhooks.deliver_due(db.session, poster=webhooks.HttpPoster(allow_private=True), now=now,
                                commit=db.session.commit, batch=500)


def measure(scale: float = 1.0) -> dict[str, str]:
    events = max(200, int(2000 * scale))
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with tempfile.TemporaryDirectory(prefix="rallypoint-webhooks-") as folder, Receiver() as receiver:
        url = f"sqlite:///{folder}/webhooks.db"
        migrate_database(url, folder)
        app = create_app(make_config(url, folder))
        with app.app_context():
            webhooks.create_endpoint(db.session, url=receiver.url, event_types=["ledger_entry.created"],
                                     now=now, allow_private=True)
            _emit(events, now)
            started, done = time.perf_counter(), 0
            while done < events:
                done += _sweep(now)
            per_s = events / (time.perf_counter() - started)
            receiver.requests.clear()
            _emit(events, now)
            child = subprocess.Popen([sys.executable, "-c", CHILD, url, folder, now.isoformat()], cwd=ROOT)
            # The child sends one batch (100); kill it half way through.
            while len(receiver.requests) < 50 and child.poll() is None:
                time.sleep(0.005)
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            while _sweep(now + CLAIM_LEASE + timedelta(seconds=1)):
                pass
            received = Counter(h["webhook-id"] for _, h, _ in receiver.requests)
            pending = set(db.session.scalars(sa.select(WebhookDelivery.event_id)
                                             .where(WebhookDelivery.id > events)))
            lost = len(pending - set(received))
            duplicates = sum(count - 1 for count in received.values())
            db.session.remove()
            db.engine.dispose()
    return {"webhook_deliveries_per_s": f"{per_s:.0f}", "webhook_lost": str(lost),
            "webhook_duplicates": str(duplicates)}


if __name__ == "__main__":
    for name, value in measure(float(os.environ.get("BENCH_SCALE", "1.0"))).items():
        print(f"{name}: {value}")
