"""Trigger events (SPEC §8): event → signals → rule → one ask through the governor."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import (
    ActivityKind,
    AdvocateState,
    Ask,
    AskReason,
    AskState,
    CustomerSignal,
    Notification,
    Status,
    TriggerEvent,
    TriggerOutcome,
    TriggerRule,
)
from app.services import clock, triggers
from app.services.errors import NotFound, ValidationFailed
from app.services.triggers import listing as trigger_listing
from app.services.triggers import rules as trigger_rules
from app.services.triggers.events import AdvocateRef
from tests.factories import make_activity, make_advocate, make_mission, make_staff
from tests.services.asks.support import approved, sent_ask

D = timedelta(days=1)
H = timedelta(hours=1)


def record(session, advocate, event_type, data=None, at=None, **ref):
    now = clock.utcnow()
    return triggers.record_event(session, event_type=event_type,
                                 advocate=AdvocateRef(**(ref or {"email": advocate.email})),
                                 occurred_at=at or now - H, data=data or {}, source="api", actor_id=None,
                                 now=now)


def mission_of(session, kind, **overrides):
    activity = overrides.pop("activity", None) or make_activity(session, kind=kind,
                                                                name=f"{kind.value} activity")
    return make_mission(session, activity=activity, **overrides)


@pytest.fixture
def missions(session):
    """One open mission of each kind the default rules ask for."""
    return {kind: mission_of(session, kind, title=f"Open {kind.value}", closes_at=clock.utcnow() + 120 * D)
            for kind in (ActivityKind.REVIEW, ActivityKind.SOCIAL_POST, ActivityKind.TESTIMONIAL)}


# --- The default rules --------------------------------------------------------------------------

def test_a_fresh_install_has_the_spec_default_rules(session):
    found = {(r.event_type.value, r.min_value, r.max_value, r.activity_kind.value, r.enabled)
             for r in session.scalars(select(TriggerRule))}
    assert found == {("nps_submitted", 9, 10, "review", True), ("renewal", None, None, "review", True),
                     ("milestone", None, None, "social_post", True),
                     ("support_resolved", 5, 5, "testimonial", True)}


@pytest.mark.parametrize(("event_type", "data", "kind"), [
    ("nps_submitted", {"score": 10}, ActivityKind.REVIEW),
    ("renewal", {}, ActivityKind.REVIEW),
    ("milestone", {"name": "1,000 dashboards"}, ActivityKind.SOCIAL_POST),
    ("support_resolved", {"csat": 5}, ActivityKind.TESTIMONIAL),
])
def test_each_default_rule_sends_one_ask_for_its_kind(session, missions, event_type, data, kind):
    advocate = make_advocate(session)
    result = record(session, advocate, event_type, data)
    assert result.event.outcome == TriggerOutcome.ASKED and result.result == "sent"
    assert result.event.rule.activity_kind == kind
    ask = result.ask
    assert (ask.mission_id, ask.source, ask.trigger_event_id, ask.push_id) == (missions[kind].id, "trigger",
                                                                                result.event.id, None)
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.dedupe_key == f"ask:{ask.id}")) == 1
    assert result.summary.startswith(f"Asked for “{missions[kind].title}”: sent.")


def test_onboarding_completed_asks_nothing_by_default_but_a_rule_can_be_added(session, missions, now):
    advocate = make_advocate(session)
    first = record(session, advocate, "onboarding_completed")
    assert first.event.outcome == TriggerOutcome.NO_RULE and first.ask is None
    assert "No enabled rule" in first.summary
    trigger_rules.save_rule(session, now=now, values=trigger_rules.RuleValues(
        "onboarding_completed", None, None, ActivityKind.SOCIAL_POST, 1, True))
    second = record(session, make_advocate(session), "onboarding_completed")
    assert second.result == "sent" and second.ask.mission_id == missions[ActivityKind.SOCIAL_POST].id


@pytest.mark.parametrize(("score", "asked"), [(8, False), (9, True), (10, True)])
def test_the_nps_rule_holds_at_its_boundaries(session, missions, score, asked):
    result = record(session, make_advocate(session, nps=None), "nps_submitted", {"score": score})
    assert (result.ask is not None) == asked
    assert result.event.outcome == (TriggerOutcome.ASKED if asked else TriggerOutcome.NO_RULE)


@pytest.mark.parametrize(("csat", "asked"), [(4, False), (5, True)])
def test_the_csat_rule_holds_at_its_boundary(session, missions, csat, asked):
    result = record(session, make_advocate(session), "support_resolved", {"csat": csat})
    assert (result.ask is not None) == asked


def test_a_disabled_rule_matches_nothing(session, missions, now):
    rule = trigger_rules.match(session, event_type="renewal", value=None)
    trigger_rules.set_enabled(session, rule_id=rule.id, enabled=False, now=now)
    result = record(session, make_advocate(session), "renewal")
    assert result.event.outcome == TriggerOutcome.NO_RULE and result.event.rule_id is None


def test_of_two_matching_rules_the_higher_priority_one_asks(session, missions, now):
    trigger_rules.save_rule(session, now=now, values=trigger_rules.RuleValues(
        "nps_submitted", 10, 10, ActivityKind.TESTIMONIAL, 2, True))
    ten = record(session, make_advocate(session), "nps_submitted", {"score": 10})
    nine = record(session, make_advocate(session), "nps_submitted", {"score": 9})
    assert ten.ask.mission_id == missions[ActivityKind.TESTIMONIAL].id and ten.ask.priority == 2
    assert nine.ask.mission_id == missions[ActivityKind.REVIEW].id and nine.ask.priority == 1


# --- Through the governor -------------------------------------------------------------------------

def test_a_low_nps_blocks_a_renewal_ask(session, missions):
    result = record(session, make_advocate(session, nps=5), "renewal")
    assert (result.result, result.ask.reason) == ("blocked", AskReason.LOW_NPS)
    assert "NPS below" in result.summary or "Latest NPS is 5" in result.summary


def test_a_promoter_score_lifts_the_low_nps_block_it_replaces(session, missions):
    advocate = make_advocate(session, nps=4)
    result = record(session, advocate, "nps_submitted", {"score": 9})
    assert advocate.nps == 9 and result.result == "sent"


@pytest.mark.parametrize(("state", "reason"), [(AdvocateState.PAUSED, AskReason.PAUSED),
                                               (AdvocateState.OPTED_OUT, AskReason.OPTED_OUT)])
def test_paused_and_opted_out_advocates_are_blocked(session, missions, state, reason):
    result = record(session, make_advocate(session, state=state), "nps_submitted", {"score": 10})
    assert (result.result, result.ask.reason) == ("blocked", reason)


def test_the_frequency_cap_queues_the_ask_until_it_lifts(session, missions, now):
    advocate = make_advocate(session)
    sent_ask(session, advocate, now - 10 * D)
    result = record(session, advocate, "nps_submitted", {"score": 10})
    assert (result.result, result.ask.reason, result.ask.queued_until) == ("queued", AskReason.FREQUENCY_CAP,
                                                                          now + 50 * D)
    assert "Waits until" in result.summary


def test_the_activity_cooldown_queues_or_blocks(session, now):
    review = make_activity(session, kind=ActivityKind.REVIEW, cooldown_days=180)
    mission = make_mission(session, activity=review, closes_at=now + 200 * D)
    advocate = make_advocate(session)
    approved(session, advocate, review, now - 30 * D)
    result = record(session, advocate, "renewal")
    assert (result.ask.mission_id, result.result) == (mission.id, "queued")
    assert result.ask.reason == AskReason.COOLDOWN
    short = make_mission(session, activity=review, opens_at=now - 2 * H, closes_at=now + 20 * D)
    other = make_advocate(session)
    approved(session, other, review, now - 30 * D)
    blocked = record(session, other, "renewal")
    assert (blocked.ask.mission_id, blocked.result) == (short.id, "blocked")  # lifts after the mission closes


def test_a_second_event_for_the_same_mission_is_blocked_as_already_asked(session, missions):
    advocate = make_advocate(session)
    record(session, advocate, "renewal")
    again = record(session, advocate, "renewal")
    assert (again.result, again.ask.reason) == ("blocked", AskReason.ALREADY_ASKED)
    assert session.scalar(select(func.count()).select_from(Ask).where(Ask.advocate_id == advocate.id,
                                                                     Ask.state == AskState.SENT)) == 1


def test_no_open_mission_of_the_kind(session):
    result = record(session, make_advocate(session), "milestone")
    assert result.event.outcome == TriggerOutcome.NO_MISSION and result.ask is None
    assert result.event.rule is not None
    assert "no open mission for this activity kind (social post)" in result.summary.lower()


# --- Which mission ----------------------------------------------------------------------------

def test_the_newest_open_mission_the_advocate_may_take_is_chosen(session, now):
    review = make_activity(session, kind=ActivityKind.REVIEW)
    older = make_mission(session, activity=review, opens_at=now - 20 * D)
    make_mission(session, activity=review, opens_at=now - D, audience={"regions": ["APAC"]})
    make_mission(session, activity=review, opens_at=now - 2 * H, archived=True)
    make_mission(session, activity=review, opens_at=now + D)  # not open yet
    make_mission(session, activity=make_activity(session, kind=ActivityKind.REVIEW, min_status=Status.GOLD),
                 opens_at=now - 3 * H)
    newest = make_mission(session, activity=review, opens_at=now - 5 * D)
    advocate = make_advocate(session, region="EMEA")
    pick = triggers.pick_mission
    assert pick(session, advocate=advocate, kind=ActivityKind.REVIEW, now=now).id == newest.id
    sent_ask(session, advocate, now - 100 * D)
    session.add(Ask(advocate_id=advocate.id, mission_id=newest.id, activity_id=review.id, state=AskState.SENT,
                    counts_as_ask=True, created_at=now - 100 * D, sent_at=now - 100 * D, priority=0))
    session.flush()
    assert pick(session, advocate=advocate, kind=ActivityKind.REVIEW, now=now).id == older.id


# --- Signals and order ----------------------------------------------------------------------------

def test_signals_nps_csat_and_renewal(session, missions, now):
    advocate = make_advocate(session, nps=7)
    record(session, advocate, "nps_submitted", {"score": 3})
    assert advocate.nps == 3
    record(session, advocate, "support_resolved", {"csat": 4})
    record(session, advocate, "support_resolved", {"csat": 2})
    record(session, advocate, "renewal", at=now - 40 * D)
    record(session, advocate, "renewal", at=now - 2 * D)
    signal = session.get(CustomerSignal, advocate.id)
    assert (signal.csat, signal.purchase_count, signal.last_purchase_on) == (3.0, 2, (now - 2 * D).date())


def test_an_imported_csat_counts_as_one_ticket(session, missions, now):
    advocate = make_advocate(session)
    session.add(CustomerSignal(advocate_id=advocate.id, csat=4.0, purchase_count=3,
                               last_purchase_on=date(2026, 6, 1), updated_at=now))
    session.flush()
    record(session, advocate, "support_resolved", {"csat": 5})
    record(session, advocate, "renewal", at=now - 60 * D)  # a late renewal: counted, the date stays
    signal = session.get(CustomerSignal, advocate.id)
    assert signal.csat == 4.5 and signal.purchase_count == 4 and signal.last_purchase_on == date(2026, 6, 1)


def test_an_older_nps_event_never_overwrites_a_newer_one_and_asks_nothing(session, missions, now):
    advocate = make_advocate(session, nps=None)
    record(session, advocate, "nps_submitted", {"score": 4}, at=now - D)
    late = record(session, advocate, "nps_submitted", {"score": 10}, at=now - 3 * D)
    assert advocate.nps == 4
    assert late.event.outcome == TriggerOutcome.SUPERSEDED and late.ask is None
    assert "newer nps_submitted event" in late.summary and "does not change the NPS" in late.summary
    newer = record(session, advocate, "nps_submitted", {"score": 9}, at=now - 2 * H)
    assert advocate.nps == 9 and newer.result == "sent"


def test_an_event_at_the_same_moment_as_the_newest_still_applies(session, missions, now):
    advocate = make_advocate(session, nps=None)
    record(session, advocate, "nps_submitted", {"score": 6}, at=now - D)
    same = record(session, advocate, "nps_submitted", {"score": 7}, at=now - D)
    assert advocate.nps == 7 and same.event.outcome == TriggerOutcome.NO_RULE


# --- Input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("event_type", "data", "field"), [
    ("nps", {}, "type"),
    ("nps_submitted", {}, "data.score"),
    ("nps_submitted", {"score": 11}, "data.score"),
    ("nps_submitted", {"score": -1}, "data.score"),
    ("nps_submitted", {"score": "9"}, "data.score"),
    ("nps_submitted", {"score": True}, "data.score"),
    ("nps_submitted", {"score": 9.5}, "data.score"),
    ("support_resolved", {"csat": 0}, "data.csat"),
    ("support_resolved", {"csat": 6}, "data.csat"),
    ("support_resolved", {}, "data.csat"),
    ("milestone", {"name": 5}, "data.name"),
    ("milestone", {"name": "x" * 201}, "data.name"),
    ("renewal", {"note": "x" * 3000}, "data"),
    ("renewal", [], "data"),
])
def test_bad_input_names_the_field_and_stores_nothing(session, missions, event_type, data, field):
    advocate = make_advocate(session)
    with pytest.raises(ValidationFailed) as raised:
        triggers.record_event(session, event_type=event_type, advocate=AdvocateRef(email=advocate.email),
                              occurred_at=triggers.EARLIEST + 400 * D, data=data, source="api", actor_id=None,
                              now=triggers.EARLIEST + 500 * D)
    assert raised.value.field == field
    assert session.scalar(select(func.count()).select_from(TriggerEvent)) == 0


def test_occurred_at_must_not_be_in_the_future(session, missions, now):
    advocate = make_advocate(session)
    with pytest.raises(ValidationFailed) as raised:
        record(session, advocate, "renewal", at=now + timedelta(minutes=6))
    assert raised.value.field == "occurred_at"
    assert record(session, advocate, "renewal", at=now + timedelta(minutes=4)).result == "sent"  # clock skew


def test_the_advocate_is_found_by_email_or_external_id(session, missions):
    advocate = make_advocate(session, external_id="CRM-7")
    other = make_advocate(session)
    assert record(session, advocate, "renewal", external_id="CRM-7").event.advocate_id == advocate.id
    by_email = record(session, advocate, "milestone", email=advocate.email.upper())
    assert by_email.event.advocate_id == advocate.id
    with pytest.raises(NotFound) as raised:
        record(session, advocate, "renewal", email="nobody@example.com")
    assert raised.value.field == "advocate.email"
    with pytest.raises(NotFound) as raised:
        record(session, advocate, "renewal", external_id="CRM-404")
    assert raised.value.field == "advocate.external_id"
    with pytest.raises(ValidationFailed) as raised:
        record(session, advocate, "renewal", email=other.email, external_id="CRM-7")
    assert raised.value.field == "advocate.email"
    with pytest.raises(ValidationFailed) as raised:
        record(session, advocate, "renewal", email="  ")
    assert raised.value.field == "advocate"


# --- Reading --------------------------------------------------------------------------------------

def test_recent_events_newest_first_with_their_outcome_and_the_csm_book(session, missions):
    csm = make_staff(session)
    mine = make_advocate(session, owner_id=csm.id)
    other = make_advocate(session)
    record(session, mine, "renewal")
    record(session, other, "onboarding_completed")
    record(session, mine, "milestone")
    everything, has_next = trigger_listing.recent_events(session, per_page=2)
    assert [r.event.type.value for r in everything] == ["milestone", "onboarding_completed"] and has_next
    book, _ = trigger_listing.recent_events(session, owner_id=csm.id)
    assert [r.result for r in book] == ["queued", "sent"]  # the second ask waits for the frequency cap
    assert [r.event.advocate_id for r in trigger_listing.recent_events(session, advocate_id=other.id)[0]] == [
        other.id]
    one = trigger_listing.get_event(session, event_id=book[0].event.id, owner_id=csm.id)
    assert one.ask is not None and one.summary.startswith("Asked for")
    with pytest.raises(NotFound):
        trigger_listing.get_event(session, event_id=everything[1].event.id, owner_id=csm.id)
