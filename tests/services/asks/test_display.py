"""What staff see of asks: push summaries with labels and details, the queue page, history."""

import pytest

from app.models import AskReason, AskState, StaffRole
from app.services import asks
from app.services.errors import NotFound
from tests.factories import make_advocate, make_mission, make_staff
from tests.services.asks.support import D, push, sent_ask

R = AskReason


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
