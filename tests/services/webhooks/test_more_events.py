"""The newer event types are stored with their change, in its transaction: advocate created/updated
(invitation, staff change, customer import), referral created/qualified/converted, redemption
requested/fulfilled/refunded, ask sent."""

import time

import sqlalchemy as sa

from app.models import ReferralState, WebhookDelivery
from app.services import clock, rewards, webhooks
from tests.factories import make_advocate, make_staff
from tests.services.webhooks import changes


def _subscribe(session, *types):
    return webhooks.create_endpoint(session, url="http://127.0.0.1:9/x", event_types=list(types),
                                    now=clock.utcnow(), allow_private=True).endpoint


def _events(session, prefix=""):
    return [(row.type, row.payload["data"]) for row in session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.type.startswith(prefix)).order_by(WebhookDelivery.id))]


def test_an_invitation_creates_then_a_profile_edit_updates(session, now):
    _subscribe(session, "advocate.created", "advocate.updated")
    invite = changes.invite(session, now)
    changes.invite(session, now, company="Acme Group")  # invited again with a new company
    changes.invite(session, now, company="Acme Group")  # nothing changes: no event
    events = _events(session)
    assert [type_ for type_, _ in events] == ["advocate.created", "advocate.updated"]
    created, updated = events[0][1], events[1][1]
    assert (created["advocate_id"], created["email"], created["state"], created["source"]) == (
        invite.advocate_id, "new.person@example.com", "invited", "invite")
    assert (updated["company"], updated["changed"]) == ("Acme Group", ["company"])
    session.rollback()
    assert _events(session) == []


def test_a_staff_state_change_is_an_update(session, now):
    _subscribe(session, "advocate.updated")
    advocate = make_advocate(session)
    changes.pause(session, advocate, now)
    [(type_, data)] = _events(session)
    assert (data["advocate_id"], data["state"], data["changed"], data["source"]) == (
        advocate.id, "paused", ["state"], "staff")


def test_an_import_emits_one_event_per_written_row_and_none_for_unchanged(session, now):
    _subscribe(session, "advocate.created", "advocate.updated")
    rows = [{"external_id": "crm-1", "email": "one@example.com", "name": "One"},
            {"external_id": "crm-2", "email": "two@example.com", "name": "Two", "state": "opted_out"}]
    changes.import_rows(session, now, rows)
    changes.import_rows(session, now, [rows[0], {"external_id": "crm-2", "company": "Twoco"}])
    events = _events(session)
    assert [(t, d["external_id"]) for t, d in events] == [
        ("advocate.created", "crm-1"), ("advocate.created", "crm-2"), ("advocate.updated", "crm-2")]
    assert events[1][1]["state"] == "opted_out" and events[1][1]["source"] == "import"
    assert events[2][1]["changed"] == ["company"] and events[2][1]["company"] == "Twoco"
    assert all(isinstance(d["advocate_id"], int) for _, d in events)


def test_an_import_of_many_rows_stays_cheap_with_an_endpoint(session, now):
    _subscribe(session, "advocate.created")
    rows = [{"external_id": f"crm-{i}", "email": f"p{i}@example.com", "name": f"P {i}"} for i in range(2000)]
    started = time.perf_counter()
    changes.import_rows(session, now, rows)
    elapsed = time.perf_counter() - started
    assert session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 2000
    assert elapsed < 20  # one endpoint read and one executemany per batch, not a query per row


def test_referrals_emit_created_qualified_and_converted(session, now):
    _subscribe(session, "referral.created", "referral.qualified", "referral.converted")
    made = changes.referral(session, now)
    changes.move(session, now, made, ReferralState.QUALIFIED)
    changes.move(session, now, made, ReferralState.CONVERTED, deal_amount=12_000)
    events = _events(session)
    assert [(t, d["referral_id"], d["state"]) for t, d in events] == [
        ("referral.created", made.id, "submitted"), ("referral.qualified", made.id, "qualified"),
        ("referral.converted", made.id, "converted")]
    assert events[2][1]["deal_amount"] == 12_000 and events[0][1]["friend_email"] == "friend@otherco.com"


def test_a_rejected_or_lost_referral_emits_nothing_after_created(session, now):
    _subscribe(session, *webhooks.EVENT_TYPES)
    made = changes.referral(session, now)
    changes.move(session, now, made, ReferralState.LOST)
    assert [t for t, _ in _events(session, "referral.")] == ["referral.created"]


def test_redemptions_emit_requested_fulfilled_and_refunded(session, now):
    _subscribe(session, "redemption.requested", "redemption.fulfilled", "redemption.refunded")
    staff = make_staff(session)
    kept = changes.redeem(session, now, key="a")
    rewards.approve(session, staff=staff, redemption_id=kept.id, now=now)
    rewards.fulfil(session, staff=staff, redemption_id=kept.id, now=now)
    refused = changes.redeem(session, now, key="b", name="Mug")
    rewards.reject(session, staff=staff, redemption_id=refused.id, reason="Out of mugs", now=now)
    events = _events(session)
    assert [(t, d["redemption_id"]) for t, d in events] == [
        ("redemption.requested", kept.id), ("redemption.fulfilled", kept.id),
        ("redemption.requested", refused.id), ("redemption.refunded", refused.id)]
    assert (events[1][1]["state"], events[1][1]["points"], events[1][1]["reward_name"]) == (
        "fulfilled", 300, "Rallypoint hoodie")
    assert (events[3][1]["state"], events[3][1]["reason"]) == ("rejected", "Out of mugs")


def test_a_cancelled_redemption_is_refunded(session, now):
    _subscribe(session, "redemption.refunded")
    made = changes.redeem(session, now)
    rewards.cancel(session, advocate=made.advocate, redemption_id=made.id, now=now)
    assert [(t, d["state"]) for t, d in _events(session)] == [("redemption.refunded", "cancelled")]


def test_a_sent_ask_emits_ask_sent(session, now):
    _subscribe(session, "ask.sent")
    made = changes.ask(session, now)
    [(type_, data)] = _events(session)
    assert (type_, data["ask_id"], data["advocate_id"], data["mission_id"]) == (
        "ask.sent", made.id, made.advocate_id, made.mission_id)
