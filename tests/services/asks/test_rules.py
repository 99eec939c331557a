"""The ask governor's rules (SPEC §6), by time travel: caps, cooldowns, states, NPS, settings, batching."""

import pytest
from sqlalchemy import event

from app.models import AdvocateState, AskFrequency, AskReason
from app.services import asks
from app.services.asks import Decision, rules
from app.services.program import settings
from tests.factories import make_activity, make_advocate
from tests.services.asks.support import D, S, approved, decide, sent_ask

R = AskReason


@pytest.mark.parametrize(("frequency", "gap"), [(AskFrequency.STANDARD, 60), (AskFrequency.HIGH, 14)])
def test_frequency_gap_lifts_exactly_at_the_gap(session, now, frequency, gap):
    advocate = make_advocate(session, ask_frequency=frequency)
    assert decide(session, advocate, now) == Decision(True)
    sent_ask(session, advocate, now)
    lifts = now + gap * D
    blocked = decide(session, advocate, lifts - S)
    assert (blocked.askable, blocked.reason, blocked.askable_at) == (False, R.FREQUENCY_CAP, lifts)
    assert f"one ask every {gap} days" in blocked.detail and frequency.value in blocked.detail
    assert decide(session, advocate, lifts).askable


@pytest.mark.parametrize(("frequency", "cap", "gap"),
                         [(AskFrequency.STANDARD, 4, 60), (AskFrequency.HIGH, 12, 14)])
def test_yearly_cap_counts_a_rolling_365_days(session, now, frequency, cap, gap):
    advocate = make_advocate(session, ask_frequency=frequency)
    first = now - 300 * D
    for n in range(cap):
        sent_ask(session, advocate, first + n * (gap + 1) * D)
    last = first + (cap - 1) * (gap + 1) * D
    assert last + gap * D < now  # the gap is not what blocks
    blocked = decide(session, advocate, now)
    assert (blocked.reason, blocked.askable_at) == (R.YEARLY_CAP, first + 365 * D)
    assert f"allows {cap} a year" in blocked.detail
    assert not decide(session, advocate, first + 365 * D - S).askable
    assert decide(session, advocate, first + 365 * D).askable  # the oldest ask left the window


def test_yearly_cap_lifts_with_the_oldest_of_the_last_n(session, now):
    advocate = make_advocate(session)
    times = [now - d * D for d in (350, 340, 250, 180, 90)]  # five in the year, cap 4
    for at in times:
        sent_ask(session, advocate, at)
    # Two must leave the window before only three remain: the second oldest decides.
    assert decide(session, advocate, now).askable_at == times[1] + 365 * D


def test_cooldown_from_an_approved_attempt(session, now):
    advocate = make_advocate(session)
    activity = make_activity(session, cooldown_days=90, name="Case study")
    approved(session, advocate, activity, now - 30 * D)
    blocked = decide(session, advocate, now, activity)
    assert (blocked.reason, blocked.askable_at) == (R.COOLDOWN, now + 60 * D)
    assert blocked.detail.startswith("Completed Case study on")
    assert decide(session, advocate, now + 60 * D, activity).askable
    assert decide(session, advocate, now, make_activity(session, cooldown_days=90)).askable
    assert decide(session, advocate, now, None).askable  # general askability has no cooldown


def test_cooldown_from_a_sent_ask(session, now):
    advocate = make_advocate(session)
    activity = make_activity(session, cooldown_days=30, counts_as_ask=False, name="Survey")
    sent_ask(session, advocate, now - 10 * D, activity=activity, counts=False)
    blocked = decide(session, advocate, now, activity)
    assert (blocked.reason, blocked.askable_at) == (R.COOLDOWN, now + 20 * D)
    assert blocked.detail.startswith("Asked for Survey on")
    assert decide(session, advocate, now + 20 * D, activity).askable


def test_activities_that_do_not_count_skip_the_caps_and_are_not_counted(session, now):
    counting, free = make_activity(session), make_activity(session, counts_as_ask=False)
    asked = make_advocate(session)
    sent_ask(session, asked, now - D, activity=counting)
    assert decide(session, asked, now, counting).reason == R.FREQUENCY_CAP
    assert decide(session, asked, now, free).askable
    surveyed = make_advocate(session)
    for days in (1, 2, 3, 4, 5):
        sent_ask(session, surveyed, now - days * D, activity=free, counts=False)
    assert decide(session, surveyed, now, counting).askable
    paused = make_advocate(session, state=AdvocateState.PAUSED)
    assert decide(session, paused, now, free).reason == R.PAUSED  # states still apply


@pytest.mark.parametrize(("state", "reason"), [(AdvocateState.PAUSED, R.PAUSED),
                                               (AdvocateState.OPTED_OUT, R.OPTED_OUT),
                                               (AdvocateState.INVITED, R.NOT_ELIGIBLE)])
def test_paused_opted_out_and_invited_are_never_askable(session, now, state, reason):
    advocate = make_advocate(session, state=state)
    sent_ask(session, advocate, now - D)  # a temporary block as well: the permanent one is reported
    decision = decide(session, advocate, now)
    assert (decision.askable, decision.reason, decision.askable_at) == (False, reason, None)
    assert decision.detail


def test_nps_below_the_minimum_blocks_and_unknown_is_allowed(session, now):
    assert decide(session, make_advocate(session, nps=6), now).reason == R.LOW_NPS
    low = decide(session, make_advocate(session, nps=6), now)
    assert (low.askable_at, low.detail) == (None, "Latest NPS is 6; asks need 7 or more.")
    assert decide(session, make_advocate(session, nps=7), now).askable
    assert decide(session, make_advocate(session, nps=None), now).askable
    assert asks.REASON_LABELS[R.LOW_NPS]


def test_settings_changes_take_effect(session, now):
    advocate = make_advocate(session, nps=7)
    sent_ask(session, advocate, now - 40 * D)
    assert decide(session, advocate, now).reason == R.FREQUENCY_CAP
    settings.save(session, changes={"ask_gap_days_standard": 30}, actor_id=None, now=now)
    assert decide(session, advocate, now).askable
    settings.save(session, changes={"ask_year_cap_standard": 1}, actor_id=None, now=now)
    assert decide(session, advocate, now).reason == R.YEARLY_CAP
    settings.save(session, changes={"ask_year_cap_standard": 4, "ask_min_nps": 8}, actor_id=None, now=now)
    decision = decide(session, advocate, now)
    assert (decision.reason, decision.detail) == (R.LOW_NPS, "Latest NPS is 7; asks need 8 or more.")


def test_askable_at_is_when_the_last_temporary_block_lifts(session, now):
    advocate = make_advocate(session)
    long_cooldown = make_activity(session, cooldown_days=100)
    short_cooldown = make_activity(session, cooldown_days=30)
    approved(session, advocate, long_cooldown, now - 40 * D)
    approved(session, advocate, short_cooldown, now - 20 * D)
    sent_ask(session, advocate, now - 10 * D)  # frequency cap lifts at +50 days
    assert (decide(session, advocate, now, long_cooldown).reason,
            decide(session, advocate, now, long_cooldown).askable_at) == (R.COOLDOWN, now + 60 * D)
    assert (decide(session, advocate, now, short_cooldown).reason,
            decide(session, advocate, now, short_cooldown).askable_at) == (R.FREQUENCY_CAP, now + 50 * D)


def test_decide_many_gives_the_same_answers_as_decide_in_fixed_queries(session, now, monkeypatch):
    activity = make_activity(session, cooldown_days=45)
    people = [make_advocate(session, nps=nps, state=state, ask_frequency=frequency)
              for nps in (None, 5, 9) for state in (AdvocateState.ACTIVE, AdvocateState.PAUSED)
              for frequency in AskFrequency]
    for n, advocate in enumerate(people):
        for k in range(n % 5):
            sent_ask(session, advocate, now - (k * 70 + n) * D, activity=activity if k == 1 else None)
        if n % 3 == 0:
            approved(session, advocate, activity, now - n * D)
    capped = make_advocate(session)
    for days in (300, 230, 160, 90):
        sent_ask(session, capped, now - days * D)
    people.append(capped)
    ids = [a.id for a in people]
    reasons = set()
    for subject in (activity, None):
        many = asks.decide_many(session, advocate_ids=ids, activity=subject, now=now)
        assert many == {a.id: decide(session, a, now, subject) for a in people}
        reasons |= {d.reason for d in many.values()}
    assert reasons >= {None, R.LOW_NPS, R.PAUSED, R.FREQUENCY_CAP, R.COOLDOWN, R.YEARLY_CAP}
    monkeypatch.setattr(rules, "CHUNK", 4)  # chunking changes nothing
    assert (asks.decide_many(session, advocate_ids=ids, activity=activity, now=now)
            == {a.id: decide(session, a, now, activity) for a in people})


def test_decide_many_runs_the_same_queries_for_few_or_many(session, now):
    activity = make_activity(session, cooldown_days=30)
    people = [make_advocate(session) for _ in range(60)]
    for advocate in people:
        sent_ask(session, advocate, now - 100 * D, activity=activity)
    session.flush()
    statements = []
    engine = session.get_bind()

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        asks.decide_many(session, advocate_ids=[people[0].id], activity=activity, now=now)
        few = len(statements)
        statements.clear()
        asks.decide_many(session, advocate_ids=[a.id for a in people], activity=activity, now=now)
        assert len(statements) == few
    finally:
        event.remove(engine, "before_cursor_execute", count)

