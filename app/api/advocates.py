"""Advocates: list, one, staff changes to one (state, owner, ask frequency), their ledger, manual
adjustments and whether the governor allows an ask."""

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select

from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import ID, Query, fields_named
from app.api.operations import Listing, Read, Write, route
from app.api.pagination import page_args
from app.api.shapes import Body, one_of, string, whole
from app.api.writes import idempotency_key
from app.extensions import db
from app.models import ActivityType, Advocate, AdvocateState, AskFrequency, EventSource, Status
from app.services import asks, clock
from app.services.api import listings
from app.services.errors import NotFound, ValidationFailed
from app.services.people import lifecycle
from app.services.points import ledger

MAX_ADJUSTMENT = 1_000_000
CHANGES = ("state", "owner_email", "ask_frequency")
STAFF_STATES = (AdvocateState.ACTIVE, AdvocateState.PAUSED, AdvocateState.OPTED_OUT)
ADVOCATE = f"/advocates/<{ID}:advocate_id>"


class AdvocateChanges(Body):
    """Any subset with at least one of state, owner_email, ask_frequency; no other keys."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    state: Annotated[one_of(STAFF_STATES) | None, Field(
        description="Allowed moves: invited → opted_out; active → paused, opted_out; paused → active, "
                    "opted_out; opted_out → active (only for someone who had set a password). Others are "
                    "409. A move needs a reason.")] = None
    owner_email: Annotated[string(254, format="email") | None, Field(
        description="an active staff user's email (422 otherwise)")] = None
    ask_frequency: Annotated[one_of(AskFrequency) | None, Field(
        description="`high` is only the advocate's own opt-in (SPEC §1): 422")] = None
    reason: Annotated[string(1000) | None, Field(
        description="why; required when the state changes, recorded with every change")] = None

    @model_validator(mode="after")
    def _one_change(self):
        if all(getattr(self, name) is None for name in CHANGES):
            raise PydanticCustomError("changes", f"Give at least one change: {', '.join(CHANGES)}")
        return self


class Adjustment(Body):
    amount: Annotated[whole(-MAX_ADJUSTMENT, MAX_ADJUSTMENT), Field(json_schema_extra={"not": {"const": 0}})]
    reason: string(1000, required=True)


def _advocate(advocate_id: int) -> Advocate:
    advocate = db.session.get(Advocate, advocate_id)
    if advocate is None:
        raise NotFound("No such advocate.")
    return advocate


STATE, STATUS = Query.choice("state", AdvocateState), Query.choice("status", Status)
READINESS, EMAIL = Query.whole("readiness", 1, 3), Query.text("email")
ACTIVITY_KEY = Query.text("activity_key", "also apply this activity's cooldown")


@route("/advocates", get=Listing("Advocates, by id", rep.Advocate, (STATE, STATUS, READINESS, EMAIL)))
def advocates_list():
    after, limit = page_args()
    return listings.advocates(db.session, after=after, limit=limit, state=STATE.value(),
                              status=STATUS.value(), readiness=READINESS.value(), email=EMAIL.value())


# One rule for both methods: with two, Werkzeug answers an out-of-range id with 405 for the second
# method (the first rule's pattern matched the path) instead of the 404 every other route gives.
@route(ADVOCATE, get=Read("One advocate", rep.Advocate), patch=Write(
    "Staff changes: pause, resume or remove (opted_out), the owner, the ask frequency", AdvocateChanges,
    rep.Advocate,
    description="Every change is recorded with the key, the time, from, to and the reason. Removing drops "
                "the advocate's queued asks; they can no longer sign in and show as anonymous on "
                "leaderboards. An erased advocate cannot change (409). A state equal to the current one "
                "changes nothing."))
def advocate_detail(body: AdvocateChanges | None = None, *, advocate_id: int):
    advocate = _advocate(advocate_id)
    if body is None:
        return rep.Advocate.of(advocate)
    lifecycle.change_advocate(db.session, advocate=advocate, changes=_changes(body), actor=caller().actor,
                              source=EventSource.API, now=clock.utcnow())
    return rep.Advocate.of(advocate), 200


def _changes(body: AdvocateChanges) -> lifecycle.Changes:
    owner = lifecycle.owner_by_email(db.session, body.owner_email) if body.owner_email is not None else None
    return lifecycle.Changes(state=body.state and AdvocateState(body.state), owner=owner,
                             ask_frequency=body.ask_frequency and AskFrequency(body.ask_frequency),
                             reason=body.reason or "")


@route(f"{ADVOCATE}/ledger", get=Listing("Ledger entries, newest first", rep.LedgerEntry,
                                         codes=("400", "401", "404", "422", "429")))
def advocate_ledger(advocate_id: int):
    before, limit = page_args()
    return listings.ledger(db.session, advocate_id=_advocate(advocate_id).id, before=before, limit=limit)


@route(f"{ADVOCATE}/adjustments", post=Write("A manual points adjustment", Adjustment, rep.AdjustmentResult,
                                             "201"))
def advocate_adjust(body: Adjustment, advocate_id: int):
    request_key = f"api:{caller().key_id}:{idempotency_key() or uuid.uuid4().hex}"
    with fields_named({"note": "reason"}):
        result = ledger.adjust(db.session, advocate_id=_advocate(advocate_id).id, amount=body.amount,
                               note=body.reason, actor_id=caller().actor_id, request_key=request_key,
                               now=clock.utcnow())
    advocate = db.session.get(Advocate, advocate_id)
    return rep.AdjustmentResult(entry=rep.LedgerEntry.of(result.entry), balance=advocate.balance,
                                lifetime_points=advocate.lifetime_points, status=advocate.status.value), 201


@route(f"{ADVOCATE}/askability", get=Read(
    "Whether the ask governor allows an ask now, why not and from when", rep.Askability, (ACTIVITY_KEY,)))
def advocate_askability(advocate_id: int):
    advocate = _advocate(advocate_id)
    activity = None
    key = ACTIVITY_KEY.value()
    if key:
        activity = db.session.scalars(select(ActivityType).where(ActivityType.key == key)).first()
        if activity is None:
            raise ValidationFailed("No activity with this key.", field="activity_key")
    decision = asks.decide(db.session, advocate=advocate, activity=activity, now=clock.utcnow())
    return rep.Askability.of(advocate.id, key or None, decision)
