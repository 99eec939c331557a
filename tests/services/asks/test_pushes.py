"""Pushing a mission to a segment: sent, blocked or left out, the announcement, the refusals."""

import pytest
from sqlalchemy import func, select

from app.models import AdvocateState, Ask, AskReason, AskState, Notification, OutboxMessage, StaffRole, Status
from app.services import asks, missions
from app.services.asks import SegmentFilters
from app.services.errors import Conflict, NotFound, ValidationFailed
from tests.factories import make_activity, make_advocate, make_mission, make_staff
from tests.services.asks.support import EVERYONE, D, S, asks_of, counts, outcome, push, sent_ask

R = AskReason


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

