"""The outbox: each message is stored once, claimed by one deliverer, sent once, retried with backoff."""

import itertools
import threading
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMessage
from app.services.messaging import outbox

CONTEXT = {"name": "Ada", "mission": "Write a review", "deadline": "1 July", "program": "Rallypoint"}


def _enqueue(session, now, key="reminder-start:attempt:1", to="ada@example.com"):
    return outbox.enqueue(session, dedupe_key=key, kind="reminder", to_email=to, subject="A reminder",
                          template="reminder_started", context=CONTEXT, now=now)


class FakeSender:
    def __init__(self, failures=0):
        self.sent: list[str] = []
        self.failures = failures

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("connection refused")
        self.sent.append(message.dedupe_key)


def _deliver(session, sender, now):
    return outbox.deliver_due(session, sender=sender, now=now, commit=session.commit)


def _message(session, key="reminder-start:attempt:1"):
    session.expire_all()
    return session.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()


def test_enqueueing_the_same_event_twice_stores_one_message(session, now):
    assert _enqueue(session, now) is True
    assert _enqueue(session, now) is False
    message = _message(session)
    assert "Write a review" in message.body_text and "<strong>Write a review</strong>" in message.body_html
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_a_due_message_is_sent_once_and_a_rerun_sends_nothing(session, now):
    _enqueue(session, now)
    session.commit()
    sender = FakeSender()
    assert _deliver(session, sender, now) == 1
    assert _deliver(session, sender, now) == 0
    assert _deliver(session, sender, now + timedelta(days=1)) == 0
    assert sender.sent == ["reminder-start:attempt:1"]
    message = _message(session)
    assert message.sent_at == now and message.claimed_until is None and message.attempts == 0


def test_a_message_not_yet_due_waits(session, now):
    _enqueue(session, now + timedelta(minutes=5))
    session.commit()
    sender = FakeSender()
    assert _deliver(session, sender, now) == 0
    assert _deliver(session, sender, now + timedelta(minutes=5)) == 1


def test_a_failed_send_is_retried_after_the_backoff_then_sent(session, now):
    _enqueue(session, now)
    session.commit()
    sender = FakeSender(failures=2)
    assert _deliver(session, sender, now) == 0
    message = _message(session)
    assert message.attempts == 1 and message.next_attempt_at == now + outbox.BACKOFF[0]
    assert "connection refused" in message.last_error and message.claimed_until is None

    assert _deliver(session, sender, now + timedelta(seconds=30)) == 0  # not due yet: no attempt
    assert _message(session).attempts == 1

    second = now + outbox.BACKOFF[0]
    assert _deliver(session, sender, second) == 0
    assert _message(session).next_attempt_at == second + outbox.BACKOFF[1]

    third = second + outbox.BACKOFF[1]
    assert _deliver(session, sender, third) == 1
    message = _message(session)
    assert message.sent_at == third and message.attempts == 2 and message.failed_at is None
    assert sender.sent == ["reminder-start:attempt:1"]


def test_after_the_last_attempt_the_message_is_marked_failed_and_left_alone(session, now):
    _enqueue(session, now)
    session.commit()
    sender = FakeSender(failures=100)
    at = now
    for _ in range(outbox.MAX_ATTEMPTS):
        _deliver(session, sender, at)
        at = _message(session).next_attempt_at
    message = _message(session)
    assert message.attempts == outbox.MAX_ATTEMPTS and message.failed_at is not None
    assert message.sent_at is None
    assert _deliver(session, FakeSender(), now + timedelta(days=30)) == 0


def test_a_claimed_row_cannot_be_claimed_again_until_the_lease_runs_out(session, now):
    _enqueue(session, now)
    session.commit()
    ids = outbox.due_ids(session, now=now)
    assert outbox.claim(session, ids=ids, now=now) == ids
    assert outbox.claim(session, ids=ids, now=now) == []  # a stale candidate list claims nothing
    session.commit()
    # The deliverer crashed after claiming: the message is sent after its claim expires.
    sender = FakeSender()
    assert _deliver(session, sender, now + outbox.CLAIM_LEASE - timedelta(seconds=1)) == 0
    assert _deliver(session, sender, now + outbox.CLAIM_LEASE + timedelta(seconds=1)) == 1
    assert sender.sent == ["reminder-start:attempt:1"]


def test_two_concurrent_claimers_never_take_the_same_row(app, session, now):
    for n in range(40):
        _enqueue(session, now, key=f"k:{n}", to=f"a{n}@example.com")
    session.commit()
    barrier = threading.Barrier(4, timeout=30)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []

    def claimer():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(5):
                    claimed.append(outbox.claim_due(db.session, now=now, batch=3))
                    db.session.commit()
            except BaseException as error:  # noqa: BLE001 (reported to the main thread)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    ids = [message_id for batch in claimed for message_id in batch]
    assert len(ids) == len(set(ids)) == 40


def test_the_send_stops_and_hands_back_claims_when_the_lease_would_run_out(session, now, monkeypatch):
    for n in range(3):
        _enqueue(session, now, key=f"k:{n}")
    session.commit()
    ticks = itertools.chain([0.0, 0.0], itertools.repeat(10_000.0))  # the third send is too late
    monkeypatch.setattr(outbox.time, "monotonic", lambda: next(ticks))
    sender = FakeSender()
    assert _deliver(session, sender, now) == 1
    session.expire_all()
    waiting = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()
    assert len(waiting) == 2 and all(m.claimed_until is None for m in waiting)


def test_the_message_id_is_derived_from_the_dedupe_key():
    sender = outbox.SmtpSender(host="h", port=25, username=None, password=None, use_tls=False,
                               from_addr="Rallypoint <team@example.org>")
    message = OutboxMessage(dedupe_key="k:1", to_email="a@example.com", subject="Hi",
                            body_text="plain", body_html="<p>html</p>")
    first, again = sender.build(message), sender.build(message)
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"].endswith("@example.org>")
    assert [part.get_content_type() for part in first.iter_parts()] == ["text/plain", "text/html"]
