"""Badges follow the advocate out: leaving or erasure revokes them, a return issues the status's badge
again, the data export lists them, and `backfill` issues the badges of statuses reached before badges."""

import json

from app.models import AdvocateState, EventSource, Status
from app.services import badges
from app.services.people import data_export, erasure, lifecycle
from app.services.points import status as status_service
from tests.factories import make_advocate, make_staff


def _gold(session, now, **fields):
    advocate = make_advocate(session, **fields)
    status_service.set_status(session, advocate=advocate, to=Status.GOLD, reason="Strategic",
                              actor_id=make_staff(session).id, now=now)
    return advocate


def test_leaving_revokes_every_live_badge_and_a_return_issues_the_status_badge_again(session, now):
    advocate = _gold(session, now)
    [first] = badges.for_advocate(session, advocate_id=advocate.id)
    lifecycle.leave_program(session, advocate=advocate, now=now)
    assert first.revoked and first.revocation_reason == lifecycle.LEFT
    assert badges.revoked(session) == [first]
    lifecycle.change_advocate(session, advocate=advocate, changes=lifecycle.Changes(
        state=AdvocateState.ACTIVE, reason="Came back"), actor=make_staff(session), source=EventSource.STAFF,
        now=now)
    live = [b for b in badges.for_advocate(session, advocate_id=advocate.id) if not b.revoked]
    assert [b.status for b in live] == [Status.GOLD] and live[0].uid != first.uid


def test_a_pause_keeps_the_badge(session, now):
    advocate = _gold(session, now)
    lifecycle.change_advocate(session, advocate=advocate, changes=lifecycle.Changes(
        state=AdvocateState.PAUSED, reason="Holiday"), actor=make_staff(session), source=EventSource.STAFF,
        now=now)
    assert not any(b.revoked for b in badges.for_advocate(session, advocate_id=advocate.id))


def test_erasure_revokes_the_badges_and_no_document_names_or_hashes_the_person(session, now):
    advocate = _gold(session, now, name="Ada Lovelace", email="ada@customer.example")
    [record] = badges.for_advocate(session, advocate_id=advocate.id)
    record.revocation_reason = "(none yet)"
    erasure.erase_advocate(session, advocate=advocate, now=now)
    assert record.revoked and record.revocation_reason == erasure.ERASED_BADGE
    doc = badges.assertion(record, lambda kind, **v: f"https://x.example/{kind}/{v.get('uid', '')}")
    assert doc == {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                   "id": f"https://x.example/assertion/{record.uid}", "revoked": True,
                   "revocationReason": erasure.ERASED_BADGE}


def test_erasure_scrubs_a_name_quoted_in_a_revocation_reason(session, now):
    advocate = _gold(session, now, name="Ada Lovelace", email="ada@customer.example")
    status_service.set_status(session, advocate=advocate, to=Status.SILVER, reason="Ada Lovelace moved on",
                              actor_id=make_staff(session).id, now=now)
    erasure.erase_advocate(session, advocate=advocate, now=now)
    reasons = [b.revocation_reason for b in badges.for_advocate(session, advocate_id=advocate.id)]
    assert reasons and not any("Ada" in r for r in reasons)


def test_the_data_export_lists_the_badges_with_their_assertion_urls(session, now):
    advocate = _gold(session, now)
    [record] = badges.for_advocate(session, advocate_id=advocate.id)
    data = data_export.export_data(session, advocate=advocate, now=now,
                                   badge_url=lambda uid: f"https://a.example/badges/assertions/{uid}")
    assert data["badges"] == [{"status": "gold", "issued_at": "2026-06-15T12:00:00Z", "revoked_at": None,
                               "revocation_reason": None,
                               "assertion_url": f"https://a.example/badges/assertions/{record.uid}"}]
    json.dumps(data)


def test_backfill_issues_missing_badges_once(session, now):
    silver = make_advocate(session, status=Status.SILVER)
    platinum = make_advocate(session, status=Status.PLATINUM)
    make_advocate(session, status=Status.BRONZE)
    make_advocate(session, status=Status.GOLD, state=AdvocateState.OPTED_OUT)
    held = _gold(session, now)
    assert badges.backfill(session, now=now) == (2, 1)
    for advocate, status in ((silver, Status.SILVER), (platinum, Status.PLATINUM), (held, Status.GOLD)):
        assert [b.status for b in badges.for_advocate(session, advocate_id=advocate.id)] == [status]
    assert badges.backfill(session, now=now) == (0, 3)
