"""The changes other systems hear about store their webhook events in their own transaction:
attempt submitted, approved and rejected, a ledger entry, a status change (promotion or admin)."""

import sqlalchemy as sa

from app.models import StaffRole, Status, WebhookDelivery
from app.services import clock, missions, webhooks
from app.services.points import status as status_service
from tests.factories import fund, make_advocate, make_staff, make_submitted_attempt


def _subscribe(session, *types):
    return webhooks.create_endpoint(session, url="http://127.0.0.1:9/x", event_types=list(types),
                                    now=clock.utcnow(), allow_private=True).endpoint


def _events(session):
    return [(row.type, row.payload["data"]) for row in session.scalars(
        sa.select(WebhookDelivery).order_by(WebhookDelivery.id))]


def test_submit_and_approve_emit_with_the_ledger_entry(session):
    _subscribe(session, *webhooks.EVENT_TYPES)
    attempt = make_submitted_attempt(session)
    staff = make_staff(session)
    missions.approve_attempt(session, staff=staff, attempt_id=attempt.id, now=clock.utcnow())
    events = _events(session)
    types = [type_ for type_, _ in events]
    assert types[:3] == ["attempt.submitted", "attempt.approved", "ledger_entry.created"]
    approved = events[1][1]
    assert (approved["attempt_id"], approved["state"], approved["actor"]["id"]) == (attempt.id, "approved",
                                                                                    staff.id)
    entry = events[2][1]
    assert (entry["advocate_id"], entry["idempotency_key"]) == (attempt.advocate_id,
                                                                 f"mission-attempt:{attempt.id}")
    assert entry["amount"] > 0 and entry["source"]["id"] == attempt.id
    session.rollback()  # the change and its events go together
    assert _events(session) == []


def test_reject_emits_only_for_endpoints_that_want_it(session):
    _subscribe(session, "attempt.rejected")
    attempt = make_submitted_attempt(session)
    missions.reject_attempt(session, staff=make_staff(session), attempt_id=attempt.id,
                            reason="The link does not open.", now=clock.utcnow())
    assert [(type_, data["attempt_id"], data["reason"]) for type_, data in _events(session)] == [
        ("attempt.rejected", attempt.id, "The link does not open.")]


def test_status_changes_emit_for_a_promotion_and_an_admin_change(session):
    _subscribe(session, "status.changed")
    advocate = make_advocate(session)
    admin = make_staff(session, role=StaffRole.ADMIN)
    status_service.set_status(session, advocate=advocate, to=Status.GOLD, reason="Founding customer",
                              actor_id=admin.id, now=clock.utcnow())
    (type_, data), = _events(session)
    assert data == {"advocate_id": advocate.id, "from_status": "bronze", "to_status": "gold",
                    "promotion": True, "reason": "Founding customer", "actor_id": admin.id}


def test_a_repeated_ledger_key_emits_once(session):
    _subscribe(session, "ledger_entry.created")
    advocate = make_advocate(session)
    fund(session, advocate, 50, key="bonus:1")
    fund(session, advocate, 50, key="bonus:1")
    assert [(type_, data["amount"], data["idempotency_key"]) for type_, data in _events(session)] == [
        ("ledger_entry.created", 50, "bonus:1")]
