"""The OpenAPI document's `webhooks` section: what Rallypoint POSTs to an endpoint for each event type.

The data schemas below describe the payloads built in app/services (missions/attempts.py, points/ledger.py,
points/status.py, people/accounts.py and lifecycle.py, customers/batches.py, referrals/,
rewards/redemptions.py, asks/outcomes.py); tests/api/test_webhook_docs.py checks real payloads against them.
"""

from app.services.webhooks import EVENT_TYPES

_INT, _STR = {"type": "integer"}, {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}

_ATTEMPT = {"attempt_id": _INT, "advocate_id": _INT, "mission_id": _INT, "from_state": _STR, "state": _STR,
            "actor": {"type": "object", "properties": {"kind": _STR, "id": {"type": ["integer", "null"]}}},
            "reason": _NULLABLE_STR}

_NULLABLE_INT = {"type": ["integer", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_ADVOCATE = {"advocate_id": _INT, "external_id": _NULLABLE_STR, "email": _STR, "name": _NULLABLE_STR,
             "company": _NULLABLE_STR, "state": _STR,
             "source": {"type": "string", "enum": ["invite", "import", "staff", "advocate", "api"]}}
_CHANGED = {"type": "array", "items": _STR, "description": "The names of the values that changed."}
_REFERRAL = {"referral_id": _INT, "referrer_id": _INT, "state": _STR, "friend_name": _STR,
             "friend_email": _STR, "friend_company": _NULLABLE_STR, "deal_amount": _NULLABLE_INT, "at": _TIME}
_REDEMPTION = {"redemption_id": _INT, "advocate_id": _INT, "reward_id": _INT, "reward_name": _STR,
               "points": _INT, "state": _STR, "reason": _NULLABLE_STR, "at": _TIME}

DATA: dict[str, dict] = {
    "advocate.created": _ADVOCATE,
    "advocate.updated": {**_ADVOCATE, "changed": _CHANGED},
    "attempt.submitted": _ATTEMPT,
    "attempt.approved": _ATTEMPT,
    "attempt.rejected": _ATTEMPT,
    "ledger_entry.created": {
        "entry_id": _INT, "advocate_id": _INT, "amount": _INT, "reason": _STR, "idempotency_key": _STR,
        "source": {"type": ["object", "null"], "properties": {"type": _STR, "id": _INT}},
        "created_at": {"type": "string", "format": "date-time"}},
    "status.changed": {
        "advocate_id": _INT, "from_status": _STR, "to_status": _STR, "promotion": {"type": "boolean"},
        "reason": _STR, "actor_id": {"type": ["integer", "null"]}},
    "referral.created": _REFERRAL,
    "referral.qualified": _REFERRAL,
    "referral.converted": _REFERRAL,
    "redemption.requested": _REDEMPTION,
    "redemption.fulfilled": _REDEMPTION,
    "redemption.refunded": _REDEMPTION,
    "ask.sent": {"ask_id": _INT, "advocate_id": _INT, "mission_id": _INT, "mission_title": _STR,
                 "activity": _STR, "points": _INT, "closes_at": _TIME, "sent_at": _TIME},
}

_HEADERS = [
    ("webhook-id", "The event's id (msg_…); the same on every retry and replay, so receivers "
                   "deduplicate on it."),
    ("webhook-timestamp", "Seconds since the epoch when this attempt was signed; refuse one over "
                          "5 minutes off."),
    ("webhook-signature", "v1,<base64 HMAC-SHA256 of `id.timestamp.body` with the endpoint's secret>, "
                          "as the Standard Webhooks specification says (verify with "
                          "standardwebhooks.Webhook(secret).verify(body, headers))."),
]


def _operation(event_type: str) -> dict:
    body = {"type": "object", "required": ["type", "timestamp", "data"], "properties": {
        "type": {"const": event_type}, "timestamp": {"type": "string", "format": "date-time"},
        "data": {"type": "object", "required": sorted(DATA[event_type]), "properties": DATA[event_type]}}}
    return {"post": {
        "summary": EVENT_TYPES[event_type],
        "description": "Sent to each active endpoint subscribed to this type. Answer 2xx within 10 s; any "
                       "other answer (redirects are not followed) is retried with growing waits for 3 days.",
        "parameters": [{"name": name, "in": "header", "required": True, "description": text,
                        "schema": {"type": "string"}} for name, text in _HEADERS],
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {"2XX": {"description": "Received; not sent again (unless replayed by an admin)."}},
    }}


def webhooks_section() -> dict:
    return {event_type: _operation(event_type) for event_type in EVENT_TYPES}
