"""The OpenAPI document's `webhooks` section lists every event type, and what the services really emit
matches the documented data (same keys, and the right JSON types)."""

import sqlalchemy as sa

from app.api.webhook_docs import DATA
from app.models import ReferralState, StaffRole, Status, WebhookDelivery
from app.services import clock, missions, rewards, webhooks
from app.services.points import status as status_service
from tests.factories import make_advocate, make_staff, make_submitted_attempt
from tests.services.webhooks import changes

JSON_TYPES = {"integer": int, "string": str, "boolean": bool, "object": dict, "array": list,
              "null": type(None)}


def _fits(value, schema) -> bool:
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return any(isinstance(value, JSON_TYPES[t]) and not (t == "integer" and isinstance(value, bool))
               for t in types)


def test_the_document_has_every_event_type_with_its_headers(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert set(document["webhooks"]) == set(webhooks.EVENT_TYPES)
    operation = document["webhooks"]["attempt.approved"]["post"]
    assert {p["name"] for p in operation["parameters"]} == {"webhook-id", "webhook-timestamp",
                                                            "webhook-signature"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["type", "timestamp", "data"]


def test_emitted_payloads_match_the_documented_data(session):
    webhooks.create_endpoint(session, url="http://127.0.0.1:9/x", event_types=list(webhooks.EVENT_TYPES),
                             now=clock.utcnow(), allow_private=True)
    attempt = make_submitted_attempt(session)
    missions.approve_attempt(session, staff=make_staff(session), attempt_id=attempt.id, now=clock.utcnow())
    rejected = make_submitted_attempt(session)
    missions.reject_attempt(session, staff=make_staff(session), attempt_id=rejected.id, reason="No link",
                            now=clock.utcnow())
    status_service.set_status(session, advocate=make_advocate(session), to=Status.GOLD, reason="VIP",
                              actor_id=make_staff(session, role=StaffRole.ADMIN).id, now=clock.utcnow())
    _the_newer_changes(session)
    payloads = {row.type: row.payload for row in session.scalars(sa.select(WebhookDelivery))}
    assert set(payloads) == set(webhooks.EVENT_TYPES)
    for event_type, payload in payloads.items():
        assert set(payload) == {"type", "timestamp", "data"} and payload["type"] == event_type
        assert set(payload["data"]) == set(DATA[event_type]), event_type
        for key, schema in DATA[event_type].items():
            assert _fits(payload["data"][key], schema), (event_type, key, payload["data"][key])


def _the_newer_changes(session):
    now = clock.utcnow()
    changes.invite(session, now)
    changes.invite(session, now, company="Acme Group")
    changes.import_rows(session, now, [{"external_id": "crm-9", "email": "nine@example.com", "name": "Nine"}])
    made = changes.referral(session, now)
    changes.move(session, now, made, ReferralState.QUALIFIED)
    changes.move(session, now, made, ReferralState.CONVERTED, deal_amount=500)
    redemption = changes.redeem(session, now, requires_approval=False)
    rewards.fulfil(session, staff=make_staff(session), redemption_id=redemption.id, now=now)
    refused = changes.redeem(session, now, key="k2")
    rewards.reject(session, staff=make_staff(session), redemption_id=refused.id, reason="Gone", now=now)
    changes.ask(session, now)
