"""The activity catalog and missions: list both, create a mission (the admin form's service)."""

from flask import request
from sqlalchemy import select

from app.api import bp
from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import choice, fields_named, integer, moment, obj, string, strings
from app.api.pagination import envelope, page_args
from app.api.writes import write
from app.extensions import db
from app.models import ActivityType, Status
from app.services import catalog, clock, listings
from app.services.errors import ValidationFailed

MISSION_STATES = ("open",)
SERVICE_FIELDS = {"activity_id": "activity_key", "readiness_tiers": "audience.readiness_tiers",
                  "advocate_emails": "audience.advocate_emails"}


@bp.get("/activities")
def activities_list():
    after, limit = page_args()
    return envelope(listings.activities(db.session, after=after, limit=limit), rep.activity)


@bp.get("/missions")
def missions_list():
    after, limit = page_args()
    state = request.args.get("state")
    if state is not None and state not in MISSION_STATES:
        raise ValidationFailed("state may only be open (or left out for every mission).", field="state")
    page = listings.missions(db.session, after=after, limit=limit,
                             open_at=clock.utcnow() if state == "open" else None)
    return envelope(page, rep.mission)


def _audience(body: dict) -> catalog.Audience:
    data = obj(body, "audience")
    tiers = _tiers(data, "readiness_tiers")
    return catalog.Audience(
        min_status=choice(data.get("min_status"), "audience.min_status", Status), readiness_tiers=tiers,
        **{name: _named(data, name) for name in ("industries", "regions", "tags", "advocate_emails")})


def _named(data: dict, name: str) -> list[str]:
    with fields_named({name: f"audience.{name}"}):
        return strings(data, name)


def _tiers(data: dict, name: str) -> list[int]:
    value = data.get(name) or []
    if not isinstance(value, list) or any(type(v) is not int or v not in (1, 2, 3) for v in value):
        raise ValidationFailed("Readiness tiers are 1, 2 and 3.", field=f"audience.{name}")
    return value


def _activity(body: dict) -> ActivityType:
    key = string(body, "activity_key", max_length=60)
    activity = db.session.scalars(select(ActivityType).where(ActivityType.key == key)).first()
    if activity is None:
        raise ValidationFailed("No activity with this key.", field="activity_key")
    return activity


@bp.post("/missions")
@write
def mission_create(body: dict):
    values = catalog.MissionValues(
        title=string(body, "title", max_length=160), instructions=string(body, "instructions", required=False,
                                                                         max_length=20_000) or "",
        activity_id=_activity(body).id, audience=_audience(body), opens_local=moment(body, "opens_at"),
        closes_local=moment(body, "closes_at"), timezone="UTC",
        completion_limit=integer(body, "completion_limit", required=False),
        points_override=integer(body, "points_override", required=False, minimum=0, maximum=1_000_000))
    with fields_named(SERVICE_FIELDS):
        mission = catalog.save_mission(db.session, values=values, actor_id=caller().actor_id,
                                       now=clock.utcnow())
    return rep.mission(mission), 201
