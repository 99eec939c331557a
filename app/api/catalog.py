"""The activity catalog and missions: list both, create a mission (the admin form's service)."""

from typing import Annotated

from flask import request
from pydantic import Field
from sqlalchemy import select

from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import Query, fields_named
from app.api.operations import Listing, Write, route
from app.api.pagination import page_args
from app.api.shapes import Body, Moment, Says, one_of, string, strings, whole
from app.extensions import db
from app.models import ActivityType, Status
from app.services import clock
from app.services.api import listings
from app.services.errors import ValidationFailed
from app.services.missions import catalog

MISSION_STATES = ("open",)
SERVICE_FIELDS = {"activity_id": "activity_key", "readiness_tiers": "audience.readiness_tiers",
                  "advocate_emails": "audience.advocate_emails"}
Tiers = Annotated[list[Annotated[int, Field(strict=True, ge=1, le=3)]], Says("must list tiers 1, 2 or 3.")]


class Audience(Body):
    min_status: one_of(Status) | None = None
    readiness_tiers: Tiers | None = None
    industries: strings() | None = None
    regions: strings() | None = None
    tags: strings() | None = None
    advocate_emails: strings() | None = None


class NewMission(Body):
    title: string(160, required=True)
    instructions: string(20_000) | None = None
    activity_key: string(60, required=True)
    audience: Audience | None = None
    opens_at: Moment
    closes_at: Moment
    completion_limit: whole() | None = None
    points_override: whole(0, 1_000_000) | None = None


@route("/activities", get=Listing("The activity catalog", rep.Activity))
def activities_list():
    after, limit = page_args()
    return listings.activities(db.session, after=after, limit=limit)


def _mission_state(name: str) -> str | None:
    state = request.args.get(name)
    if state is not None and state not in MISSION_STATES:
        raise ValidationFailed("state may only be open (or left out for every mission).", field=name)
    return state


STATE = Query("state", {"type": "string", "enum": list(MISSION_STATES)}, _mission_state)


@route("/missions", get=Listing("Missions (state=open: open now)", rep.Mission, (STATE,)))
def missions_list():
    after, limit = page_args()
    return listings.missions(db.session, after=after, limit=limit,
                             open_at=clock.utcnow() if STATE.value() == "open" else None)


def _audience(given: Audience | None) -> catalog.Audience:
    given = given or Audience()
    return catalog.Audience(
        min_status=given.min_status and Status(given.min_status), readiness_tiers=given.readiness_tiers or [],
        **{name: getattr(given, name) or [] for name in ("industries", "regions", "tags", "advocate_emails")})


def _activity(key: str) -> ActivityType:
    activity = db.session.scalars(select(ActivityType).where(ActivityType.key == key)).first()
    if activity is None:
        raise ValidationFailed("No activity with this key.", field="activity_key")
    return activity


@route("/missions", post=Write("Create a mission", NewMission, rep.Mission, "201"))
def mission_create(body: NewMission):
    values = catalog.MissionValues(
        title=body.title, instructions=body.instructions or "", activity_id=_activity(body.activity_key).id,
        audience=_audience(body.audience), opens_local=body.opens_at, closes_local=body.closes_at,
        timezone="UTC", completion_limit=body.completion_limit, points_override=body.points_override)
    with fields_named(SERVICE_FIELDS):
        mission = catalog.save_mission(db.session, values=values, actor_id=caller().actor_id,
                                       now=clock.utcnow())
    return rep.Mission.of(mission), 201
