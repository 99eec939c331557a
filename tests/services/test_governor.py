"""The ask governor (SPEC §6): every rule by time travel, pushes, the queue, release and drops."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from app.models import (
    AdvocateState,
    Ask,
    AskFrequency,
    AskReason,
    AskState,
    Attempt,
    AttemptState,
    Notification,
    OutboxMessage,
    StaffRole,
    Status,
)
from app.services import asks, missions, settings
from app.services.asks import Decision, SegmentFilters, rules
from app.services.errors import Conflict, NotFound, ValidationFailed
from tests.factories import make_activity, make_advocate, make_mission, make_staff

D = timedelta(days=1)
S = timedelta(seconds=1)
R = AskReason
EVERYONE = SegmentFilters()


def sent_ask(session, advocate, at, *, activity=None, counts=True):
    """A sent ask in the advocate's history (as if pushed earlier)."""
    activity = activity or make_activity(session, counts_as_ask=counts)
    ask = Ask(advocate_id=advocate.id, activity_id=activity.id, state=AskState.SENT, counts_as_ask=counts,
              created_at=at, sent_at=at, priority=0)
    session.add(ask)
    session.flush()
    return ask


def approved(session, advocate, activity, at):
    mission = make_mission(session, activity=activity, opens_at=at - 30 * D, closes_at=at + 30 * D)
    session.add(Attempt(mission_id=mission.id, advocate_id=advocate.id, activity_id=activity.id,
                        state=AttemptState.APPROVED, started_at=at - D, decided_at=at, created_at=at))
    session.flush()


def decide(session, advocate, now, activity=None):
    return asks.decide(session, advocate=advocate, activity=activity, now=now)


def asks_of(session, advocate):
    session.expire_all()
    return session.scalars(select(Ask).where(Ask.advocate_id == advocate.id, Ask.mission_id.is_not(None))
                           .order_by(Ask.id)).all()


def push(session, mission, now, priority=1, filters=EVERYONE, staff=None):
    staff = staff or make_staff(session)
    return asks.push_mission(session, staff=staff, mission_id=mission.id, filters=filters,
                             priority=priority, now=now)


def outcome(ask):
    return (ask.state, ask.reason, ask.queued_until)


def counts(session, model, prefix="ask:"):
    return session.scalar(select(func.count()).select_from(model).where(model.dedupe_key.startswith(prefix)))


# --- The rules ---------------------------------------------------------------------------------

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


# --- Pushing ---------------------------------------------------------------------------------------

def test_push_sends_notifies_and_emails_once(session, now):
    mission = make_mission(session, closes_at=now + 30 * D)
    advocate = make_advocate(session)
    result = push(session, mission, now)
    [ask] = asks_of(session, advocate)
    assert (ask.state, ask.sent_at, ask.push_id, ask.reason) == (AskState.SENT, now, result.id, None)
    note = session.scalar(select(Notification).where(Notification.dedupe_key == f"ask:{ask.id}"))
    assert (note.advocate_id, note.kind, note.link) == (advocate.id, "ask", f"/portal/missions/{mission.id}")
    email = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"ask:{ask.id}"))
    assert (email.to_email, email.kind, email.advocate_id) == (advocate.email, "ask", advocate.id)
    assert mission.title in email.subject and mission.title in email.body_text
    assert advocate.name in email.body_html
    # Pushing again, and releasing, sends nothing more.
    again = push(session, mission, now)
    assert [outcome(a) for a in asks_of(session, advocate)][1] == (AskState.BLOCKED, R.ALREADY_ASKED, None)
    assert asks.release_queued(session, now=now + 100 * D) == 0
    assert (counts(session, Notification), counts(session, OutboxMessage)) == (1, 1)
    assert asks.push_summary(session, push_id=again.id).counts == {AskState.BLOCKED: 1}


def test_an_advocate_who_turned_off_mission_emails_gets_the_notification_only(session, now):
    advocate = make_advocate(session, email_opt_outs=["missions"])
    push(session, make_mission(session), now)
    assert (counts(session, Notification), counts(session, OutboxMessage)) == (1, 0)
    assert asks_of(session, advocate)[0].state == AskState.SENT


def test_push_blocks_the_not_eligible_and_leaves_out_the_audience(session, now):
    activity = make_activity(session, min_status=Status.SILVER)
    mission = make_mission(session, activity=activity, audience={"regions": ["EMEA"]})
    silver = make_advocate(session, status=Status.SILVER)
    bronze = make_advocate(session, status=Status.BRONZE)
    invited = make_advocate(session, status=Status.GOLD, state=AdvocateState.INVITED)
    outsider = make_advocate(session, status=Status.GOLD, region="APAC")
    assert asks.preview_count(session, mission_id=mission.id, filters=EVERYONE) == 3
    result = push(session, mission, now)
    assert outcome(asks_of(session, silver)[0])[0] == AskState.SENT
    assert outcome(asks_of(session, bronze)[0]) == (AskState.BLOCKED, R.NOT_ELIGIBLE, None)
    assert outcome(asks_of(session, invited)[0]) == (AskState.BLOCKED, R.NOT_ELIGIBLE, None)
    assert asks_of(session, outsider) == []
    rows = asks.push_summary(session, push_id=result.id).rows
    details = {row.advocate_name: row.detail for row in rows}
    assert "needs Silver status" in details[bronze.name] and "not joined" in details[invited.name]


def test_push_blocks_advocates_who_already_took_the_mission_up(session, now):
    mission = make_mission(session)
    advocate = make_advocate(session)
    missions.start_mission(session, advocate=advocate, mission_id=mission.id, now=now)
    push(session, mission, now)
    assert outcome(asks_of(session, advocate)[0]) == (AskState.BLOCKED, R.ALREADY_ASKED, None)


def test_push_refuses_closed_archived_unknown_and_empty(session, now):
    staff = make_staff(session)
    make_advocate(session, region="EMEA")
    closed = make_mission(session, opens_at=now - 10 * D, closes_at=now)
    archived = make_mission(session, archived=True)
    upcoming = make_mission(session, opens_at=now + D, closes_at=now + 10 * D)
    for mission in (closed, archived, upcoming):
        with pytest.raises(Conflict):
            push(session, mission, now, staff=staff)
    with pytest.raises(NotFound):
        asks.push_mission(session, staff=staff, mission_id=999_999, filters=EVERYONE, priority=1, now=now)
    with pytest.raises(ValidationFailed) as error:
        push(session, make_mission(session), now, filters=SegmentFilters(regions=("Mars",)), staff=staff)
    assert error.value.field == "segment"
    with pytest.raises(ValidationFailed) as error:
        push(session, make_mission(session), now, priority=99, staff=staff)
    assert error.value.field == "priority"
    assert session.scalar(select(func.count()).select_from(Ask)) == 0


def test_segment_filters_and_options(session, now):
    csm = make_staff(session, role=StaffRole.CSM)
    a = make_advocate(session, region="EMEA", industry="Retail", tags=["beta", "vip"], status=Status.GOLD,
                      owner_id=csm.id)
    b = make_advocate(session, region="APAC", industry="Retail", tags=["beta"])
    make_advocate(session, region="EMEA", industry="Software", tags=[])
    mission = make_mission(session)

    def reach(**filters):
        return asks.preview_count(session, mission_id=mission.id, filters=SegmentFilters(**filters))

    assert reach() == 3
    assert reach(regions=("EMEA",)) == 2
    assert reach(industries=("Retail",), tags=("beta",)) == 2
    assert reach(tags=("vip",)) == 1
    assert reach(statuses=(Status.GOLD,)) == 1
    assert reach(owner_id=csm.id) == 1
    assert reach(regions=("EMEA",), industries=("Retail",)) == 1
    options = asks.segment_options(session)
    assert options["regions"] == ["APAC", "EMEA"] and options["tags"] == ["beta", "vip"]
    assert {"Retail", "Software"} <= set(options["industries"])
    result = push(session, mission, now, filters=SegmentFilters(tags=("beta",)))
    assert result.segment["tags"] == ["beta"]
    rows = asks.push_summary(session, push_id=result.id).rows
    assert {r.advocate_name for r in rows} == {a.name, b.name}


def test_a_block_that_lifts_after_the_mission_closes_is_final(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)  # askable again at +50 days
    short = make_mission(session, closes_at=now + 50 * D)
    long = make_mission(session, closes_at=now + 50 * D + S)
    push(session, short, now)
    push(session, long, now)
    first, second = asks_of(session, advocate)
    assert outcome(first) == (AskState.BLOCKED, R.FREQUENCY_CAP, None)
    assert outcome(second) == (AskState.QUEUED, R.FREQUENCY_CAP, now + 50 * D)


# --- The queue ---------------------------------------------------------------------------------

def test_queued_asks_release_by_priority_then_age(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    lifts = now + 50 * D
    window = {"closes_at": now + 365 * D}
    low, high, high_later = (make_mission(session, **window) for _ in range(3))
    push(session, low, now, priority=0)
    push(session, high, now + D, priority=2)
    push(session, high_later, now + 2 * D, priority=2)
    assert [outcome(a) for a in asks_of(session, advocate)] == [(AskState.QUEUED, R.FREQUENCY_CAP, lifts)] * 3
    queued, has_next = asks.queue_page(session)
    assert [a.mission_id for a in queued] == [high.id, high_later.id, low.id] and not has_next

    assert asks.release_queued(session, now=lifts - S) == 0
    assert asks.release_queued(session, now=lifts) == 3
    first_low, first_high, first_later = asks_of(session, advocate)
    assert (first_high.state, first_high.sent_at) == (AskState.SENT, lifts)  # high priority, older
    assert outcome(first_later) == (AskState.QUEUED, R.COMPETING_ASK, lifts + 60 * D)
    assert outcome(first_low) == (AskState.QUEUED, R.COMPETING_ASK, lifts + 60 * D)
    snapshot = [outcome(a) for a in asks_of(session, advocate)]
    assert asks.release_queued(session, now=lifts) == 0  # twice changes nothing
    assert [outcome(a) for a in asks_of(session, advocate)] == snapshot
    assert (counts(session, Notification), counts(session, OutboxMessage)) == (1, 1)

    assert asks.release_queued(session, now=lifts + 60 * D) == 2
    low_ask, _, later_ask = asks_of(session, advocate)
    assert later_ask.state == AskState.SENT and low_ask.queued_until == lifts + 120 * D
    assert (counts(session, Notification), counts(session, OutboxMessage)) == (2, 2)


def test_a_new_push_competes_with_askable_queued_asks(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    lifts = now + 50 * D
    window = {"closes_at": now + 365 * D}
    queued_high, newcomer, newcomer_top = (make_mission(session, **window) for _ in range(3))
    push(session, queued_high, now, priority=2)
    # At the moment it is askable (before the release job ran) a lower-priority push arrives:
    push(session, newcomer, lifts, priority=1)
    first, second = asks_of(session, advocate)
    assert first.state == AskState.SENT and first.sent_at == lifts
    assert outcome(second) == (AskState.QUEUED, R.COMPETING_ASK, lifts + 60 * D)
    # Later, when askable again, a higher-priority push goes out first; the queued one waits on.
    push(session, newcomer_top, lifts + 60 * D, priority=2)
    _, second, third = asks_of(session, advocate)
    assert third.state == AskState.SENT
    assert outcome(second) == (AskState.QUEUED, R.COMPETING_ASK, lifts + 120 * D)


def test_asks_that_do_not_count_go_out_beside_a_counting_one(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    survey = make_mission(session, activity=make_activity(session, counts_as_ask=False))
    review = make_mission(session, closes_at=now + 365 * D)
    push(session, review, now)
    push(session, survey, now)
    review_ask, survey_ask = asks_of(session, advocate)
    assert review_ask.state == AskState.QUEUED and survey_ask.state == AskState.SENT
    assert survey_ask.counts_as_ask is False


def test_release_drops_asks_that_can_no_longer_go_out(session, now):
    paused = make_advocate(session)
    sent_ask(session, paused, now - 10 * D)
    taken = make_advocate(session)
    sent_ask(session, taken, now - 10 * D)
    mission = make_mission(session, closes_at=now + 365 * D)
    push(session, mission, now)
    paused.state = AdvocateState.PAUSED
    missions.start_mission(session, advocate=taken, mission_id=mission.id, now=now + D)
    assert asks.release_queued(session, now=now + 50 * D) == 2
    assert outcome(asks_of(session, paused)[0]) == (AskState.DROPPED, R.PAUSED, None)
    assert outcome(asks_of(session, taken)[0]) == (AskState.DROPPED, R.ALREADY_ASKED, None)
    assert counts(session, Notification) == 0


def test_release_waits_longer_when_the_settings_tighten(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    push(session, make_mission(session, closes_at=now + 365 * D), now)
    settings.save(session, changes={"ask_gap_days_standard": 90}, actor_id=None, now=now)
    assert asks.release_queued(session, now=now + 50 * D) == 1
    assert outcome(asks_of(session, advocate)[0]) == (AskState.QUEUED, R.FREQUENCY_CAP, now + 80 * D)
    assert asks.release_queued(session, now=now + 80 * D) == 1
    assert asks_of(session, advocate)[0].state == AskState.SENT


@pytest.mark.parametrize("how", ["closes", "archived"])
def test_queued_asks_are_dropped_when_their_mission_closes(session, now, how):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    mission = make_mission(session, closes_at=now + 100 * D)
    push(session, mission, now)
    assert asks.drop_closed(session, now=now + 10 * D) == 0
    if how == "archived":
        mission.archived = True
        session.flush()
        moment = now + 20 * D
    else:
        moment = mission.closes_at
    assert asks.drop_closed(session, now=moment) == 1
    assert asks.drop_closed(session, now=moment) == 0
    [ask] = asks_of(session, advocate)
    assert (ask.state, ask.reason, ask.closed_at) == (AskState.DROPPED, R.MISSION_CLOSED, moment)
    assert asks.release_queued(session, now=now + 200 * D) == 0
    assert counts(session, Notification) == 0


def test_staff_drop_a_queued_ask(session, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    push(session, make_mission(session, closes_at=now + 365 * D), now)
    [ask] = asks_of(session, advocate)
    staff = make_staff(session)
    dropped = asks.drop_ask(session, staff=staff, ask_id=ask.id, now=now + D)
    assert (dropped.state, dropped.closed_at, dropped.queued_until) == (AskState.DROPPED, now + D, None)
    assert asks.ask_label(dropped) == "Dropped by staff"
    with pytest.raises(Conflict):
        asks.drop_ask(session, staff=staff, ask_id=ask.id, now=now + D)
    with pytest.raises(NotFound):
        asks.drop_ask(session, staff=staff, ask_id=999_999, now=now)
    assert asks.release_queued(session, now=now + 100 * D) == 0
    assert asks.queue_page(session) == ([], False)


# --- Reading -------------------------------------------------------------------------------------

def test_summaries_queue_and_history(session, now):
    csm = make_staff(session, role=StaffRole.CSM)
    mine = make_advocate(session, owner_id=csm.id)
    other = make_advocate(session)
    for advocate in (mine, other):
        sent_ask(session, advocate, now - 10 * D)
    fresh = make_advocate(session)
    low_nps = make_advocate(session, nps=3)
    mission = make_mission(session, closes_at=now + 365 * D)
    result = push(session, mission, now)
    summary = asks.push_summary(session, push_id=result.id)
    assert summary.counts == {AskState.SENT: 1, AskState.QUEUED: 2, AskState.BLOCKED: 1}
    labels = {row.advocate_name: (row.label, row.detail) for row in summary.rows}
    assert labels[fresh.name][0] == "Sent"
    assert labels[mine.name][0] == "Frequency cap" and "Waits until" in labels[mine.name][1]
    assert labels[low_nps.name] == ("NPS below minimum", "Latest NPS is 3; asks need 7 or more.")
    queued_only = asks.push_summary(session, push_id=result.id, state=AskState.QUEUED, per_page=1, page=2)
    assert len(queued_only.rows) == 1 and queued_only.rows[0].ask.state == AskState.QUEUED
    assert [a.advocate_id for a in asks.queue_page(session, owner_id=csm.id)[0]] == [mine.id]
    assert asks.queue_page(session, per_page=1) == (asks.queue_page(session, per_page=1)[0], True)
    [(listed, listed_counts)] = asks.pushes_for_mission(session, mission_id=mission.id)
    assert listed.id == result.id and listed_counts == summary.counts
    history = asks.advocate_asks(session, advocate_id=mine.id)
    assert [a.state for a in history] == [AskState.QUEUED, AskState.SENT]  # newest first
    with pytest.raises(NotFound):
        asks.push_summary(session, push_id=999_999)
