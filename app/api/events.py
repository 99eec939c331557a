"""Trigger events (SPEC §8): a CRM, survey tool or support desk reports a moment; the answer says
which rule matched and what became of the ask. Everything happens in services/triggers.py, the
service the staff form uses too."""

from app.api import bp
from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import fields_named, moment, obj, string
from app.api.writes import write
from app.extensions import db
from app.services import clock, triggers
from app.services.errors import ValidationFailed


def _advocate_ref(body: dict) -> triggers.AdvocateRef:
    ref = obj(body, "advocate")
    if not ref:
        raise ValidationFailed('advocate is required: {"email": …} or {"external_id": …}.', field="advocate")
    external_id = ref.get("external_id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        ref = {**ref, "external_id": str(external_id)}  # CRMs often number their records
    with fields_named({"email": "advocate.email", "external_id": "advocate.external_id"}):
        return triggers.AdvocateRef(email=string(ref, "email", required=False, max_length=254),
                                    external_id=string(ref, "external_id", required=False, max_length=80))


@bp.post("/events")
@write
def events_create(body: dict):
    event_type = string(body, "type", max_length=40)
    advocate = _advocate_ref(body)
    occurred_at = moment(body, "occurred_at")
    result = triggers.record_event(db.session, event_type=event_type, advocate=advocate,
                                   occurred_at=occurred_at, data=body.get("data"), source="api",
                                   actor_id=caller().actor_id, now=clock.utcnow())
    return rep.trigger_event(result), 201
