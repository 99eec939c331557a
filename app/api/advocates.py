"""Advocates: list, one, staff changes to one (state, owner, ask frequency), their ledger, manual
adjustments and whether the governor allows an ask."""

import uuid

from flask import request
from sqlalchemy import select

from app.api import bp
from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import ID, choice, fields_named, integer, query_choice, query_int, string
from app.api.pagination import envelope, page_args
from app.api.writes import idempotency_key, write
from app.extensions import db
from app.models import ActivityType, Advocate, AdvocateState, AskFrequency, EventSource, Status
from app.services import asks, clock, ledger, lifecycle, listings
from app.services.errors import NotFound, ValidationFailed

MAX_ADJUSTMENT = 1_000_000
CHANGES = ("state", "owner_email", "ask_frequency")
STAFF_STATES = (AdvocateState.ACTIVE, AdvocateState.PAUSED, AdvocateState.OPTED_OUT)


def _advocate(advocate_id: int) -> Advocate:
    advocate = db.session.get(Advocate, advocate_id)
    if advocate is None:
        raise NotFound("No such advocate.")
    return advocate


@bp.get("/advocates")
def advocates_list():
    after, limit = page_args()
    page = listings.advocates(
        db.session, after=after, limit=limit, state=query_choice("state", AdvocateState),
        status=query_choice("status", Status), readiness=query_int("readiness", minimum=1, maximum=3),
        email=request.args.get("email"))
    return envelope(page, rep.advocate)


# One rule for both methods: with two, Werkzeug answers an out-of-range id with 405 for the second
# method (the first rule's pattern matched the path) instead of the 404 every other route gives.
@bp.route(f"/advocates/<{ID}:advocate_id>", methods=["GET", "PATCH"])
def advocate_detail(advocate_id: int):
    if request.method == "PATCH":
        return advocate_update(advocate_id=advocate_id)
    return rep.advocate(_advocate(advocate_id))


@write
def advocate_update(body: dict, advocate_id: int):
    advocate = _advocate(advocate_id)
    lifecycle.change_advocate(db.session, advocate=advocate, changes=_changes(body), actor=caller().actor,
                              source=EventSource.API, now=clock.utcnow())
    return rep.advocate(advocate), 200


def _changes(body: dict) -> lifecycle.Changes:
    """The body's changes, checked for shape: known keys only, at least one change, values in their lists."""
    for name in sorted(body):
        if name not in (*CHANGES, "reason"):
            raise ValidationFailed(f"unknown field {name[:80]!r}; give any of {', '.join(CHANGES)} and a "
                                   "reason.", field=name[:80])
    if all(body.get(name) is None for name in CHANGES):
        raise ValidationFailed(f"Give at least one change: {', '.join(CHANGES)}.")
    state = choice(body.get("state"), "state", AdvocateState)
    if state is not None and state not in STAFF_STATES:
        raise ValidationFailed("state must be one of active, paused, opted_out.", field="state")
    owner_email = string(body, "owner_email", required=False, max_length=254)
    return lifecycle.Changes(
        state=state, ask_frequency=choice(body.get("ask_frequency"), "ask_frequency", AskFrequency),
        owner=lifecycle.owner_by_email(db.session, owner_email) if owner_email is not None else None,
        reason=string(body, "reason", required=False, max_length=1000) or "")


@bp.get(f"/advocates/<{ID}:advocate_id>/ledger")
def advocate_ledger(advocate_id: int):
    before, limit = page_args()
    page = listings.ledger(db.session, advocate_id=_advocate(advocate_id).id, before=before, limit=limit)
    return envelope(page, rep.ledger_entry)


@bp.post(f"/advocates/<{ID}:advocate_id>/adjustments")
@write
def advocate_adjust(body: dict, advocate_id: int):
    amount = integer(body, "amount", minimum=-MAX_ADJUSTMENT, maximum=MAX_ADJUSTMENT)
    reason = string(body, "reason", max_length=1000)
    request_key = f"api:{caller().key_id}:{idempotency_key() or uuid.uuid4().hex}"
    with fields_named({"note": "reason"}):
        result = ledger.adjust(db.session, advocate_id=_advocate(advocate_id).id, amount=amount, note=reason,
                               actor_id=caller().actor_id, request_key=request_key, now=clock.utcnow())
    advocate = db.session.get(Advocate, advocate_id)
    return {"entry": rep.ledger_entry(result.entry), "balance": advocate.balance,
            "lifetime_points": advocate.lifetime_points, "status": advocate.status.value}, 201


@bp.get(f"/advocates/<{ID}:advocate_id>/askability")
def advocate_askability(advocate_id: int):
    advocate = _advocate(advocate_id)
    activity = None
    key = request.args.get("activity_key")
    if key:
        activity = db.session.scalars(select(ActivityType).where(ActivityType.key == key)).first()
        if activity is None:
            raise ValidationFailed("No activity with this key.", field="activity_key")
    decision = asks.decide(db.session, advocate=advocate, activity=activity, now=clock.utcnow())
    return {"advocate_id": advocate.id, "activity_key": key or None, **rep.decision(decision)}
