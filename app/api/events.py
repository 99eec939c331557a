"""Trigger events (SPEC §8): a CRM, survey tool or support desk reports a moment; the answer says
which rule matched and what became of the ask. Everything happens in services/triggers/events.py, the
service the staff form uses too (it checks the event's data for its type)."""

from typing import Annotated

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.api import representations as rep
from app.api.auth import caller
from app.api.operations import Write, route
from app.api.shapes import Body, Moment, crm_id, one_of, string
from app.extensions import db
from app.models import TriggerEventType
from app.services import clock, triggers
from app.services.triggers.events import MAX_DATA_CHARS
from app.services.triggers.rules import NUMBERS

EVENT_DATA = {
    "description": f"the event's details, up to {MAX_DATA_CHARS:,} characters of JSON; other keys are "
                   "stored as sent",
    "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 10, "description": "nps_submitted (required)"},
        "csat": {"type": "integer", "minimum": 1, "maximum": 5, "description": "support_resolved (required)"},
        "name": {"type": "string", "maxLength": 200, "description": "milestone (optional)"}}}


def _needs_number(event_type: TriggerEventType) -> dict:
    name = NUMBERS[event_type][0]
    return {"if": {"properties": {"type": {"const": event_type.value}}},
            "then": {"required": ["data"], "properties": {"data": {"required": [name]}}}}


class AdvocateRef(Body):
    """By email or external_id; with both, they must name the same advocate."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    email: string(254, format="email") | None = None
    external_id: crm_id() | None = None

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data):
        if data == {}:
            raise PydanticCustomError("missing", "is required")
        return data


class NewEvent(Body):
    """A moment reported by a CRM, survey tool or support desk. nps_submitted needs data.score and
    support_resolved data.csat (allOf); other keys of data are stored as sent."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_needs_number(t) for t in NUMBERS]})

    type: one_of(TriggerEventType)
    advocate: AdvocateRef
    occurred_at: Annotated[Moment, Field(
        description="ISO 8601, UTC when no offset; not in the future. An event older than the newest of its "
                    "type for the advocate is stored as superseded")]
    data: Annotated[dict | None, Field(json_schema_extra=EVENT_DATA)] = None


@route("/events", post=Write(
    "Record a trigger event: it updates the customer's signals and may make one ask", NewEvent,
    rep.TriggerEvent, "201",
    description="The matching enabled rule (highest priority) names an activity kind; the open mission of "
                "that kind the advocate may take that opened most recently is asked for through the ask "
                "governor: sent, queued until a date, or blocked with a reason. nps_submitted sets the "
                "advocate's latest NPS, support_resolved averages in the CSAT, renewal counts a purchase. "
                "404: no advocate has the email or external_id."))
def events_create(body: NewEvent):
    advocate = triggers.AdvocateRef(email=body.advocate.email, external_id=body.advocate.external_id)
    result = triggers.record_event(db.session, event_type=body.type, advocate=advocate,
                                   occurred_at=body.occurred_at, data=body.data, source="api",
                                   actor_id=caller().actor_id, now=clock.utcnow())
    return rep.TriggerEvent.of(result), 201
