"""Download my data: every part of what the program keeps about the advocate, nothing about others."""

import json

from app.models import EventSource, Notification, Referral, ReferralState, StaffRole
from app.services import missions, referrals, rewards
from app.services.people import data_export, lifecycle
from tests.factories import fund, make_advocate, make_reward, make_staff, make_submitted_attempt


def test_the_export_holds_the_advocate_s_records_and_no_one_else_s(session, now):
    owner = make_staff(session, role=StaffRole.CSM, name="Owner Person", email="owner@example.com")
    advocate = make_advocate(session, name="Maya Chen", email="maya@example.com", owner_id=owner.id,
                             tags=["beta"], email_opt_outs=["checkins"])
    other = make_advocate(session, name="Someone Else")
    attempt = make_submitted_attempt(session, advocate=advocate, link="https://g2.example.com/r/7")
    missions.approve_attempt(session, staff=owner, attempt_id=attempt.id, now=now)
    make_submitted_attempt(session, advocate=other, link="https://g2.example.com/r/other")
    fund(session, advocate, 400)
    rewards.redeem(session, advocate=advocate, reward_id=make_reward(session, name="Hoodie").id,
                   request_key="k1", now=now, note="Size L")
    code = referrals.get_or_create_code(session, advocate_id=advocate.id, now=now)
    session.add_all([
        Referral(code_id=code.id, referrer_id=advocate.id, friend_name="Pat", friend_email="pat@x.example",
                 state=ReferralState.SUBMITTED, created_at=now),
        Notification(advocate_id=advocate.id, kind="x", title="Welcome", body="Hello", created_at=now),
        Notification(advocate_id=other.id, kind="x", title="Not yours", created_at=now),
    ])
    lifecycle.change_advocate(session, advocate=advocate, changes=lifecycle.Changes(
        state=advocate.state.PAUSED, reason="Holiday"), actor=owner, source=EventSource.STAFF, now=now)
    lifecycle.change_advocate(session, advocate=advocate, changes=lifecycle.Changes(
        owner=make_staff(session, role=StaffRole.CSM, email="next@example.com")), actor=make_staff(session),
        source=EventSource.STAFF, now=now)

    data = data_export.export_data(session, advocate=advocate, now=now)
    text = json.dumps(data)
    assert data["profile"]["email"] == "maya@example.com" and data["profile"]["tags"] == ["beta"]
    assert data["preferences"]["emails_turned_off"][0]["category"] == "checkins"
    assert data["points"]["balance"] == advocate.balance and data["account"]["state"] == "paused"
    [attempt_data] = data["attempts"]
    assert attempt_data["evidence"]["link"] == "https://g2.example.com/r/7"
    assert attempt_data["state"] == "approved"
    assert {e["reason"] for e in data["ledger"]} == {"mission", "bonus", "redemption"}
    assert data["redemptions"][0]["reward"] == "Hoodie" and data["redemptions"][0]["note"] == "Size L"
    assert data["referrals_made"][0]["friend_email"] == "pat@x.example"
    assert "Welcome" in [n["title"] for n in data["notifications"]]
    assert [(e["change"], e["to"], e["reason"]) for e in data["account_history"]] == [
        ("state", "paused", "Holiday"), ("owner", None, "")]
    for theirs in ("Someone Else", "r/other", "Not yours", "Owner Person", "owner@example.com",
                   "next@example.com"):
        assert theirs not in text
