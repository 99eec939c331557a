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


def test_the_export_holds_their_content_with_its_consents_and_their_reference_calls(session, now):
    from datetime import timedelta

    from app.models import (
        ContentConsent,
        ContentItem,
        ContentKind,
        ContentState,
        ContentUse,
        ReferenceAsk,
        ReferenceAskState,
        ReferenceFeedback,
        ReferenceRequest,
        ReferenceRequestState,
    )
    from app.services import references

    advocate, other = make_advocate(session), make_advocate(session)
    item = ContentItem(kind=ContentKind.TESTIMONIAL, state=ContentState.APPROVED, text="Saved us a week",
                       advocate_id=advocate.id, created_at=now)
    theirs = ContentItem(kind=ContentKind.REVIEW, state=ContentState.APPROVED, text="Not yours",
                         advocate_id=other.id, created_at=now)
    session.add_all([item, theirs])
    session.flush()
    session.add_all([ContentConsent(item_id=item.id, use=ContentUse.WEBSITE, granted=True, at=now,
                                    by_kind="advocate", by_id=advocate.id),
                     ContentConsent(item_id=item.id, use=ContentUse.WEBSITE, granted=False,
                                    at=now + timedelta(hours=1), by_kind="advocate", by_id=advocate.id)])
    references.set_profile(session, advocate_id=advocate.id, opted_in=True, use_cases=["sso"], now=now)
    request = ReferenceRequest(prospect_company="Northwind", state=ReferenceRequestState.COMPLETED,
                               created_at=now)
    session.add(request)
    session.flush()
    ask = ReferenceAsk(request_id=request.id, advocate_id=advocate.id, rank=1, fit_score=90,
                       state=ReferenceAskState.COMPLETED, sent_at=now, due_at=now + timedelta(days=5))
    session.add(ask)
    session.flush()
    session.add_all([ReferenceFeedback(ask_id=ask.id, side="advocate", rating=5, text="Good call",
                                       created_at=now),
                     ReferenceFeedback(ask_id=ask.id, side="sales", rating=4, text="Sales notes",
                                       created_at=now)])
    session.flush()

    data = data_export.export_data(session, advocate=advocate, now=now)
    [content] = data["content"]
    assert content["text"] == "Saved us a week"
    assert [(c["use"], c["granted"]) for c in content["consents"]] == [("website", True), ("website", False)]
    refs = data["references"]
    assert refs["opted_in"] is True and "sso" in refs["use_cases"]
    [asked] = refs["asks"]
    assert asked["prospect_company"] == "Northwind" and asked["state"] == "completed"
    assert [f["text"] for f in asked["your_feedback"]] == ["Good call"]
    text = json.dumps(data)
    assert "Not yours" not in text and "Sales notes" not in text
