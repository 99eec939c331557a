"""The chain: the ask goes through the governor, answers, the timeout falls through exactly once,
completion awards the points once."""

import pytest
from sqlalchemy import func, select

from app.jobs import registry
from app.jobs.runner import run_once
from app.models import (
    Ask,
    AskReason,
    AskState,
    LedgerEntry,
    ReferenceAsk,
    ReferenceAskState,
    ReferenceRequestState,
)
from app.services import asks, references
from app.services.errors import Conflict, InvalidTransition, ValidationFailed
from tests.factories import make_staff
from tests.jobs.support import messages
from tests.services.asks.support import sent_ask
from tests.services.references.support import LINKS, D, new_request, profile, referee, reference_activity

RA, RQ = ReferenceAskState, ReferenceRequestState
JOB = next(job for job in registry() if job.name == "expire_reference_asks")


@pytest.fixture
def activity(session):
    return reference_activity(session, points=400)


@pytest.fixture
def three(session, now, activity):
    """Best, second and third match of new_request's request."""
    return (referee(session, now, industry="Software", company_size="51-200", region="EMEA"),
            referee(session, now, industry="Software", company_size="51-200"),
            referee(session, now, industry="Software"))


def chain(session, request_id):
    session.expire_all()
    return session.scalars(select(ReferenceAsk).where(ReferenceAsk.request_id == request_id)
                           .order_by(ReferenceAsk.id)).all()


def send(session, request, now, advocate_id=None):
    return references.send_ask(session, request_id=request.id, advocate_id=advocate_id, sent_by="Mia",
                               now=now, links=LINKS)


def test_the_ask_goes_to_the_best_match_through_the_governor(session, now, three):
    request = new_request(session, now)
    ask = send(session, request, now)
    assert (ask.advocate_id, ask.rank, ask.state, ask.due_at) == (three[0].id, 1, RA.OFFERED, now + 5 * D)
    assert ask.reasons[0] == "Same industry (Software): +40"
    governed = session.get(Ask, ask.governor_ask_id)
    assert (governed.state, governed.source, governed.sent_at) == (AskState.SENT, "reference", now)
    assert request.state == RQ.ASKED
    assert messages(session, "reference-ask:") == (1, 1)
    # The governor counts it: the advocate is not asked again for 60 days.
    later = asks.decide(session, advocate=three[0], activity=None, now=now + D)
    assert later.reason == AskReason.FREQUENCY_CAP


def test_a_chosen_match_and_a_refusal(session, now, three):
    request = new_request(session, now)
    with pytest.raises(ValidationFailed):
        send(session, request, now, advocate_id=999_999)
    ask = send(session, request, now, advocate_id=three[2].id)
    assert ask.advocate_id == three[2].id
    with pytest.raises(InvalidTransition):
        send(session, request, now)  # one ask out at a time


def test_the_governor_refuses_an_ask_it_holds(session, now, three, monkeypatch):
    request = new_request(session, now)
    sent_ask(session, three[0], now - D)  # after matching ran (a race): the send itself is refused
    monkeypatch.setattr(references.chain.matching, "find_matches", lambda *a, **k: [
        references.Match(three[0].id, "x", "y", three[0].status, 1, ())])
    with pytest.raises(Conflict, match="governor"):
        send(session, request, now)
    assert chain(session, request.id) == []


def test_accept_counts_the_reference_and_completion_pays_once(session, now, three):
    request = new_request(session, now)
    ask = send(session, request, now)
    references.answer(session, ask_id=ask.id, advocate_id=three[0].id, accept=True, now=now + D, links=LINKS)
    assert (ask.state, request.state) == (RA.ACCEPTED, RQ.ACCEPTED)
    assert (profile(session, three[0]).quarter_count, profile(session, three[0]).quarter_key) == (1, "2026Q2")
    with pytest.raises(InvalidTransition):
        references.answer(session, ask_id=ask.id, advocate_id=three[0].id, accept=False, now=now, links=LINKS)
    references.advocate_feedback(session, ask_id=ask.id, advocate_id=three[0].id, rating=5, text="Nice",
                                 author="A", now=now + 2 * D)
    staff = make_staff(session)
    done = references.complete(session, ask_id=ask.id, staff=staff, rating=4, text="Helped", now=now + 3 * D)
    assert done.state == RA.COMPLETED and done.request.state == RQ.COMPLETED
    assert done.request.fulfilled_at == now + 3 * D
    with pytest.raises(InvalidTransition):
        references.complete(session, ask_id=ask.id, staff=staff, rating=4, text="", now=now + 3 * D)
    entries = session.scalars(select(LedgerEntry).where(LedgerEntry.advocate_id == three[0].id)).all()
    assert [(e.amount, e.idempotency_key) for e in entries] == [(400, f"reference-call:{ask.id}")]
    assert sorted(f.side for f in chain(session, request.id)[0].feedback) == ["advocate", "sales"]


def test_feedback_is_checked_and_once_per_side(session, now, three):
    request = new_request(session, now)
    ask = send(session, request, now)
    with pytest.raises(InvalidTransition):  # not accepted yet
        references.advocate_feedback(session, ask_id=ask.id, advocate_id=three[0].id, rating=5, text="",
                                     author="A", now=now)
    references.answer(session, ask_id=ask.id, advocate_id=three[0].id, accept=True, now=now, links=LINKS)
    with pytest.raises(ValidationFailed):
        references.advocate_feedback(session, ask_id=ask.id, advocate_id=three[0].id, rating=6, text="",
                                     author="A", now=now)
    references.advocate_feedback(session, ask_id=ask.id, advocate_id=three[0].id, rating=3, text="",
                                 author="A", now=now)
    with pytest.raises(Conflict):
        references.advocate_feedback(session, ask_id=ask.id, advocate_id=three[0].id, rating=3, text="",
                                     author="A", now=now)


def test_a_decline_asks_the_next_match(session, now, three):
    request = new_request(session, now)
    ask = send(session, request, now)
    references.answer(session, ask_id=ask.id, advocate_id=three[0].id, accept=False, now=now + D, links=LINKS)
    links = chain(session, request.id)
    assert [(a.advocate_id, a.state, a.rank) for a in links] == [
        (three[0].id, RA.DECLINED, 1), (three[1].id, RA.OFFERED, 2)]


def test_no_answer_falls_through_once(session, now, three):
    request = new_request(session, now)
    send(session, request, now)
    assert references.expire_due(session, now=now + 5 * D - D, links=LINKS) == 0
    assert references.expire_due(session, now=now + 5 * D, links=LINKS) == 1
    assert references.expire_due(session, now=now + 5 * D, links=LINKS) == 0
    assert [(a.advocate_id, a.state) for a in chain(session, request.id)] == [
        (three[0].id, RA.TIMED_OUT), (three[1].id, RA.OFFERED)]


def test_fall_through_exactly_once_with_two_schedulers(app, session, now, three):
    request = new_request(session, now)
    send(session, request, now)
    session.commit()
    first = run_once(app, JOB, holder="host-a:1", now=now + 6 * D)
    second = run_once(app, JOB, holder="host-b:1", now=now + 6 * D)
    assert (first.ran, first.items, first.error) == (True, 1, None)
    assert second.items == 0
    assert [a.state for a in chain(session, request.id)] == [RA.TIMED_OUT, RA.OFFERED]
    assert messages(session, "reference-ask:") == (2, 2)


def test_a_stale_sweep_loses_the_guarded_move(session, now, three):
    """The second scheduler read the ask as offered before the first moved it: its move touches nothing."""
    request = new_request(session, now)
    ask = send(session, request, now)
    assert references.chain.move_ask(session, ask, RA.OFFERED, RA.TIMED_OUT, answered_at=now)
    assert not references.chain.move_ask(session, ask, RA.OFFERED, RA.TIMED_OUT, answered_at=now)


def test_the_last_match_leaves_the_request_open(session, now, activity):
    only = referee(session, now)
    request = new_request(session, now)
    send(session, request, now)
    references.expire_due(session, now=now + 6 * D, links=LINKS)
    assert [a.advocate_id for a in chain(session, request.id)] == [only.id]
    assert request.state == RQ.OPEN
    count = session.scalar(select(func.count()).select_from(ReferenceAsk))
    assert count == 1
