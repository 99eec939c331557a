"""The OpenAPI 3 document of /api/v1, built from this Python structure (tests prove it matches the
registered routes exactly)."""

from app.api.customers import MAX_IMPORT_BYTES, MAX_RECORDS
from app.api.kpis import SCHEMA as KPIS_SCHEMA
from app.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from app.models import (
    ActivityKind,
    AdvocateState,
    AskFrequency,
    AskReason,
    AskState,
    AttemptState,
    Status,
    TriggerEventType,
)
from app.services.customers.signals import MAX_COUNT, SIGNALS, Signal
from app.services.kpis import DEFAULT_DAYS as KPI_DEFAULT_DAYS
from app.services.trigger_rules import NUMBERS
from app.services.triggers import MAX_DATA_CHARS

ID_PARAM = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
ERRORS = {
    "400": "Malformed request: not JSON, not an object, or a bad cursor",
    "401": "Missing, unknown or revoked API key",
    "403": "A write with a read-only key",
    "404": "Unknown object",
    "409": "Invalid state transition, conflict, or an Idempotency-Key reused for another request",
    "413": "The body is too large",
    "422": ("Validation failed; `field` names the input (text holding a NUL character or a lone surrogate "
            "is refused everywhere)"),
    "429": ("Rate limited: more than API_RATE_LIMIT_PER_MINUTE requests with this key in the last 60 seconds "
            "(a sliding window; refused requests are not counted). Retry-After says when to try again"),
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before the next request is allowed",
                               "schema": {"type": "integer", "minimum": 1}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _path_param(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema or ID_PARAM}


def _query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _enum(enum_cls) -> dict:
    return {"type": "string", "enum": [m.value for m in enum_cls]}


PAGE_PARAMS = [
    _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
    _query("cursor", {"type": "string"}, "next_cursor of the previous page (opaque)"),
]
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "minLength": 1, "maxLength": 200},
               "description": "A repeat returns the first response and changes nothing"}


def _errors(*codes: str) -> dict:
    errors = {code: {"description": ERRORS[code], "content": {"application/json": {"schema": _ref("Error")}}}
              for code in codes}
    if "429" in errors:
        errors["429"]["headers"] = RETRY_AFTER
    return errors


def _ok(schema: dict, status: str = "200", description: str = "OK") -> dict:
    return {status: {"description": description, "content": {"application/json": {"schema": schema}}}}


def _list(item: str, *filters: dict, summary: str, codes=("400", "401", "422", "429")) -> dict:
    page = {"type": "object", "required": ["data", "next_cursor"], "properties": {
        "data": {"type": "array", "items": _ref(item)}, "next_cursor": {"type": ["string", "null"]}}}
    return {"get": {"summary": summary, "parameters": [*filters, *PAGE_PARAMS],
                    "responses": {**_ok(page), **_errors(*codes)}}}


def _read(schema: dict, summary: str, params: list, codes=("401", "404", "422", "429")) -> dict:
    responses = {**_ok(schema), **_errors(*codes)}
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


def _write(summary: str, params: list, body: str | dict | None, result: dict, status: str = "200", *,
           method: str = "post", extra: dict | None = None, description: str = "",
           codes=("400", "401", "403", "404", "409", "422", "429")) -> dict:
    responses = {**_ok(result, status), **(extra or {}), **_errors(*codes)}
    operation = {"summary": summary, "parameters": [*params, IDEMPOTENCY], "responses": responses}
    if description:
        operation["description"] = description
    if body:
        content = body if isinstance(body, dict) else {"application/json": {"schema": _ref(body)}}
        operation["requestBody"] = {"required": True, "content": content}
    return {method: operation}


def _object(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


STRING, INTEGER, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
WHEN = {"type": ["string", "null"], "format": "date-time"}
TEXT_OR_NULL, NUMBER_OR_NULL = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
STRINGS = {"type": "array", "items": STRING}
DATE = {"type": "string", "format": "date", "description": "YYYY-MM-DD, not in the future"}


def _whole(minimum: int, maximum: int | None = None) -> dict:
    bounds = {"minimum": minimum, **({"maximum": maximum} if maximum is not None else {})}
    return {"type": ["integer", "string"], **bounds}


def _signal(s: Signal) -> dict:
    """A signal field's schema, from its declaration (services/customers/signals.py)."""
    if s.kind == "date":
        return DATE
    if s.kind == "average":
        return {"type": ["number", "string"], "minimum": s.low, "maximum": s.high}
    if s.kind == "flag":
        return {"type": ["boolean", "string"], "description": "or yes/no, true/false, 1/0"}
    return _whole(s.low, None if s.high == MAX_COUNT else s.high)


# One customer record (services/customers/rows.FIELDS; tests/api/test_customers.py proves the same columns).
# Missing or null values leave stored ones alone; numbers may also come as numeric strings, as in CSV.
CUSTOMER_FIELDS = {
    "external_id": {"type": ["string", "integer"], "maxLength": 80},
    "email": {"type": "string", "format": "email"},
    "name": {"type": "string", "maxLength": 120}, "company": {"type": "string", "maxLength": 120},
    "title": {"type": "string", "maxLength": 120}, "industry": {"type": "string", "maxLength": 80},
    "company_size": {"type": "string", "maxLength": 40}, "region": {"type": "string", "maxLength": 80},
    "tags": {"type": ["array", "string"], "items": {"type": "string", "maxLength": 40}, "maxItems": 20,
             "description": "a list, or texts separated by ;"},
    **{s.column: _signal(s) for s in SIGNALS},
    "state": {"type": "string", "enum": [s.value for s in AdvocateState],
              "description": "a new record starts invited (or opted_out); an existing one moves as PATCH "
                             "/advocates/{advocate_id} allows, else the row is rejected"},
    "owner_email": {"type": "string", "format": "email",
                    "description": "the owner CSM: an active staff user's email, else the row is rejected"},
}


def _needs_number(event_type: TriggerEventType) -> dict:
    name, label, low, high = NUMBERS[event_type]
    return {"if": {"properties": {"type": {"const": event_type.value}}},
            "then": {"required": ["data"], "properties": {"data": {"required": [name]}}}}


EVENT_DATA = {
    "type": "object",
    "description": f"the event's details, up to {MAX_DATA_CHARS:,} characters of JSON; other keys are "
                   "stored as sent",
    "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 10, "description": "nps_submitted (required)"},
        "csat": {"type": "integer", "minimum": 1, "maximum": 5, "description": "support_resolved (required)"},
        "name": {"type": "string", "maxLength": 200, "description": "milestone (optional)"}}}
NEW_EVENT = {
    "type": "object", "required": ["type", "advocate", "occurred_at"],
    "properties": {
        "type": _enum(TriggerEventType),
        "advocate": {"type": "object", "minProperties": 1,
                     "description": "by email or external_id; with both, they must name the same advocate",
                     "properties": {"email": {"type": "string", "format": "email", "maxLength": 254},
                                    "external_id": {"type": ["string", "integer"], "maxLength": 80}}},
        "occurred_at": {"type": "string", "format": "date-time",
                        "description": "ISO 8601, UTC when no offset; not in the future. An event older than "
                                       "the newest of its type for the advocate is stored as superseded"},
        "data": EVENT_DATA},
    "allOf": [_needs_number(t) for t in NUMBERS],
}
TRIGGER_RESULTS = [s.value for s in AskState] + ["no_rule", "no_mission", "superseded"]


def _types(schema: dict) -> list[str]:
    return schema["type"] if isinstance(schema["type"], list) else [schema["type"]]


SCHEMAS = {
    "Error": _object(["error"], error=_object(["code", "message", "field"], code=STRING, message=STRING,
                                              field=TEXT_OR_NULL)),
    "Advocate": _object(["id", "email", "state", "status", "balance", "lifetime_points"],
                        id=INTEGER, email=STRING, external_id=TEXT_OR_NULL, name=STRING,
                        company=STRING, title=STRING, industry=STRING, region=STRING, tags=STRINGS,
                        state=_enum(AdvocateState), status=_enum(Status), readiness=NUMBER_OR_NULL,
                        balance=INTEGER, lifetime_points=INTEGER, nps=NUMBER_OR_NULL,
                        health_score=NUMBER_OR_NULL, owner_id=NUMBER_OR_NULL,
                        ask_frequency=_enum(AskFrequency), created_at=WHEN),
    "AdvocateChanges": {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "description": "Any subset with at least one of state, owner_email, ask_frequency; no other keys.",
        "properties": {
            "state": {"type": "string", "enum": ["active", "paused", "opted_out"],
                      "description": "Allowed moves: invited → opted_out; active → paused, opted_out; "
                                     "paused → active, opted_out; opted_out → active (only for someone who "
                                     "had set a password). Others are 409. A move needs a reason."},
            "owner_email": {"type": "string", "format": "email",
                            "description": "an active staff user's email (422 otherwise)"},
            "ask_frequency": {"type": "string", "enum": ["standard"],
                              "description": "`high` is only the advocate's own opt-in (SPEC §1): 422"},
            "reason": {"type": "string", "maxLength": 1000,
                       "description": "why; required when the state changes, recorded with every change"}}},
    "LedgerEntry": _object(["id", "amount", "reason"], id=INTEGER, advocate_id=INTEGER, amount=INTEGER,
                           reason=STRING, source_type=TEXT_OR_NULL,
                           source_id=NUMBER_OR_NULL, note=STRING,
                           actor_id=NUMBER_OR_NULL, created_at=WHEN),
    "Adjustment": _object(["amount", "reason"], amount={"type": "integer", "minimum": -1_000_000,
                                                        "maximum": 1_000_000, "not": {"const": 0}},
                          reason={"type": "string", "minLength": 1, "maxLength": 1000}),
    "AdjustmentResult": _object(["entry", "balance"], entry=_ref("LedgerEntry"), balance=INTEGER,
                                lifetime_points=INTEGER, status=_enum(Status)),
    "Askability": _object(["askable"], advocate_id=INTEGER, activity_key=TEXT_OR_NULL,
                          askable=BOOL, reason=TEXT_OR_NULL, askable_at=WHEN, detail=STRING),
    "Activity": _object(["id", "key"], id=INTEGER, key=STRING, name=STRING, description=STRING,
                        kind=STRING, effort=STRING, value=STRING, reward_tier=STRING, points=INTEGER,
                        cooldown_days=INTEGER,
                        min_status=_enum(Status), expires_after_days=INTEGER, evidence=STRING,
                        requires_approval=BOOL, counts_as_ask=BOOL, active=BOOL),
    "Audience": _object([], min_status=_enum(Status),
                        readiness_tiers={"type": "array", "items": {"type": "integer", "enum": [1, 2, 3]}},
                        industries=STRINGS, regions=STRINGS, tags=STRINGS, advocate_emails=STRINGS),
    "Mission": _object(["id", "title"], id=INTEGER, title=STRING, instructions=STRING, activity_id=INTEGER,
                       activity_key=STRING, audience={"type": "object"}, opens_at=WHEN, closes_at=WHEN,
                       completion_limit=NUMBER_OR_NULL, completed_count=INTEGER,
                       points_override=NUMBER_OR_NULL, archived=BOOL),
    "NewMission": _object(["activity_key", "title", "opens_at", "closes_at"], activity_key=STRING,
                          title=STRING, instructions=STRING,
                          opens_at={"type": "string", "format": "date-time"},
                          closes_at={"type": "string", "format": "date-time"}, audience=_ref("Audience"),
                          completion_limit={"type": "integer", "minimum": 1},
                          points_override={"type": "integer", "minimum": 0}),
    "Attempt": _object(["id", "state"], id=INTEGER, mission_id=INTEGER, advocate_id=INTEGER,
                       state=_enum(AttemptState), started_at=WHEN, deadline_at=WHEN, submitted_at=WHEN,
                       decided_at=WHEN, decision_reason=TEXT_OR_NULL,
                       points_awarded=NUMBER_OR_NULL,
                       evidence=_object([], link=TEXT_OR_NULL, text=TEXT_OR_NULL,
                                        file=BOOL)),
    "NewAttempt": _object(["mission_id", "advocate_id"], mission_id=INTEGER, advocate_id=INTEGER,
                          evidence=_object([], link=STRING, text=STRING)),
    "Decision": _object([], reason=STRING),
    "Rejection": _object(["reason"], reason={"type": "string", "minLength": 1}),
    "Referral": _object(["id", "state"], id=INTEGER, referrer_id=INTEGER, friend_name=STRING,
                        friend_email=STRING, friend_company=STRING, state=STRING,
                        rejection_reason=TEXT_OR_NULL, deal_amount=NUMBER_OR_NULL,
                        created_at=WHEN, qualified_at=WHEN, converted_at=WHEN, closed_at=WHEN),
    "Conversion": _object(["amount"], amount={"type": "integer", "minimum": 1, "maximum": 1_000_000_000}),
    "Reward": _object(["id", "name"], id=INTEGER, name=STRING, description=STRING, kind=STRING,
                      points_cost=INTEGER, stock=NUMBER_OR_NULL, min_status=_enum(Status),
                      requires_approval=BOOL, active=BOOL),
    "Redemption": _object(["id", "state"], id=INTEGER, advocate_id=INTEGER, reward_id=INTEGER, points=INTEGER,
                          state=STRING, note=STRING, reason=STRING, created_at=WHEN, decided_at=WHEN,
                          fulfilled_at=WHEN, closed_at=WHEN),
    "CustomerRecord": {"type": "object", "additionalProperties": False,
                       "properties": {name: {**schema, "type": [*_types(schema), "null"]}
                                      for name, schema in CUSTOMER_FIELDS.items()},
                       "description": "A new record needs an email and a name; an update, its external_id "
                                      "or email. Unknown fields are refused."},
    "ImportReport": _object(["created", "updated", "unchanged", "rejected"], created=INTEGER, updated=INTEGER,
                            unchanged=INTEGER,
                            rejected={"type": "array", "items": _object(
                                ["line", "reasons"], line=INTEGER, key=STRING,
                                reasons={"type": "array", "items": STRING})}),
    "NewEvent": NEW_EVENT,
    "TriggerRule": _object(["id", "event_type", "activity_kind"], id=INTEGER,
                           event_type=_enum(TriggerEventType), min_value=NUMBER_OR_NULL,
                           max_value=NUMBER_OR_NULL, activity_kind=_enum(ActivityKind), priority=INTEGER,
                           enabled=BOOL),
    "TriggerEvent": _object(
        ["id", "type", "advocate_id", "occurred_at", "outcome"], id=INTEGER, type=_enum(TriggerEventType),
        advocate_id=INTEGER, occurred_at=WHEN, received_at=WHEN, data={"type": "object"},
        source={"type": "string", "enum": ["api", "staff"]},
        outcome=_object(["result", "message", "rule", "ask"],
                        result={"type": "string", "enum": TRIGGER_RESULTS,
                                "description": "the ask's state, or why no ask was made"},
                        message=STRING,
                        rule={"oneOf": [_ref("TriggerRule"), {"type": "null"}]},
                        ask={"oneOf": [_object(["id", "state"], id=INTEGER, state=_enum(AskState),
                                               reason={"type": ["string", "null"],
                                                       "enum": [r.value for r in AskReason] + [None]},
                                               mission_id=INTEGER, activity_id=INTEGER, priority=INTEGER,
                                               queued_until=WHEN, sent_at=WHEN),
                                       {"type": "null"}]})),
    "Leaderboard": _object(["period", "data"], period=STRING,
                           starts={"type": ["string", "null"], "format": "date"},
                           next_cursor={"type": "null"}, data={"type": "array", "items": _object(
                               ["rank", "points"], rank=INTEGER, advocate_id=NUMBER_OR_NULL,
                               name=STRING, company=STRING, points=INTEGER)}),
    "Kpis": KPIS_SCHEMA,
}


def _paths() -> dict:
    advocate, attempt = _path_param("advocate_id"), _path_param("attempt_id")
    return {
        "/advocates": _list("Advocate", _query("state", _enum(AdvocateState)),
                            _query("status", _enum(Status)),
                            _query("readiness", {"type": "integer", "enum": [1, 2, 3]}),
                            _query("email", STRING), summary="Advocates, by id"),
        "/advocates/by-external-id/{external_id}": _write(
            "Upsert one customer record and its signals by the CRM's external id", [_path_param(
                "external_id", {"type": "string", "minLength": 1, "maxLength": 80})], "CustomerRecord",
            _ref("Advocate"), method="put", extra=_ok(_ref("Advocate"), "201", "Created"),
            codes=("400", "401", "403", "409", "422", "429"),
            description="200 when it updated a record, 201 when it created one. The path's external id is "
                        "the record's; one in the body must be the same. A rejected record writes nothing "
                        "(422, every reason in `message`, `field` the first column named)."),
        "/advocates/import": _write(
            "Import customer records: created, updated and rejected rows", [],
            {"application/json": {"schema": {"type": "array", "items": _ref("CustomerRecord"), "minItems": 1,
                                             "maxItems": MAX_RECORDS}},
             "text/csv": {"schema": {"type": "string", "description": "a header of the record's fields"}}},
            _ref("ImportReport"), codes=("400", "401", "403", "409", "413", "422", "429"),
            description="Each row is applied whole or rejected with its line (1-based position, or the CSV "
                        "line) and every reason; the others still apply. A row equal to the stored record "
                        "is unchanged and writes nothing; a later row with the external_id or email of an "
                        "earlier one is rejected (duplicate of line N). CSV header names must be the field "
                        "names exactly (any case and order): an unknown column refuses the file; the web "
                        "upload maps other names. "
                        f"Bodies up to {MAX_IMPORT_BYTES // (1024 * 1024)} MB."),
        "/advocates/{advocate_id}": {
            **_read(_ref("Advocate"), "One advocate", [advocate]),
            **_write("Staff changes: pause, resume or remove (opted_out), the owner, the ask frequency",
                     [advocate], "AdvocateChanges", _ref("Advocate"), method="patch",
                     description="Every change is recorded with the key, the time, from, to and the reason. "
                                 "Removing drops the advocate's queued asks; they can no longer sign in "
                                 "and show as anonymous on leaderboards. An erased advocate cannot change "
                                 "(409). A state equal to the current one changes nothing.")},
        "/advocates/{advocate_id}/ledger": _list(
            "LedgerEntry", advocate, summary="Ledger entries, newest first",
            codes=("400", "401", "404", "422", "429")),
        "/advocates/{advocate_id}/adjustments": _write("A manual points adjustment", [advocate], "Adjustment",
                                                       _ref("AdjustmentResult"), "201"),
        "/advocates/{advocate_id}/askability": _read(
            _ref("Askability"), "Whether the ask governor allows an ask now, why not and from when",
            [advocate, _query("activity_key", STRING, "also apply this activity's cooldown")],
            ("401", "404", "422", "429")),
        "/events": _write(
            "Record a trigger event: it updates the customer's signals and may make one ask", [], "NewEvent",
            _ref("TriggerEvent"), "201",
            description="The matching enabled rule (highest priority) names an activity kind; the open "
                        "mission of that kind the advocate may take that opened most recently is asked for "
                        "through the ask governor: sent, queued until a date, or blocked with a reason. "
                        "nps_submitted sets the advocate's latest NPS, support_resolved averages in the "
                        "CSAT, renewal counts a purchase. 404: no advocate has the email or external_id."),
        "/activities": _list("Activity", summary="The activity catalog"),
        "/missions": {**_list("Mission", _query("state", {"type": "string", "enum": ["open"]}),
                              summary="Missions (state=open: open now)"),
                      **_write("Create a mission", [], "NewMission", _ref("Mission"), "201")},
        "/attempts": {**_list("Attempt", _query("advocate_id", ID_PARAM), _query("mission_id", ID_PARAM),
                              _query("state", _enum(AttemptState)), summary="Attempts"),
                      **_write("Record a submission for an advocate", [], "NewAttempt", _ref("Attempt"),
                               "201")},
        "/attempts/{attempt_id}/approve": _write("Approve; awards points once", [attempt], "Decision",
                                                 _ref("Attempt")),
        "/attempts/{attempt_id}/reject": _write("Reject with a reason", [attempt], "Rejection",
                                                _ref("Attempt")),
        "/referrals": _list("Referral", summary="Referrals"),
        "/referrals/{referral_id}/conversion": _write("Mark a qualified referral converted (CRM hook)",
                                                      [_path_param("referral_id")], "Conversion",
                                                      _ref("Referral")),
        "/rewards": _list("Reward", summary="The rewards catalog"),
        "/redemptions": _list("Redemption", _query("advocate_id", ID_PARAM), summary="Redemptions"),
        "/leaderboards/{period}": _read(
            _ref("Leaderboard"), "A leaderboard",
            [_path_param("period", {"type": "string", "enum": ["all-time", "month", "week"]}),
             _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
             _query("region", STRING), _query("industry", STRING)], ("401", "422", "429")),
        "/kpis": _read(_ref("Kpis"), "The program figures (SPEC §14) for a period", [
            _query("from", {"type": "string", "format": "date"}, "first day, YYYY-MM-DD (program timezone); "
                   f"default {KPI_DEFAULT_DAYS - 1} days before `to`"),
            _query("to", {"type": "string", "format": "date"}, "last day, inclusive; default today"),
        ], ("401", "422", "429")),
    }


def document() -> dict:
    paths = _paths()
    paths["/openapi.json"] = {"get": {"summary": "This document (no key needed)", "security": [],
                                      "responses": _ok({"type": "object"})}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Rallypoint API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "An API key from Admin → API keys"}}},
    }
