"""Attempts: list, record a submission for an advocate, approve (points once) or reject."""

from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import ID, Query, fields_named
from app.api.operations import Listing, Write, route
from app.api.pagination import page_args
from app.api.shapes import Body, string, whole
from app.extensions import db
from app.models import AttemptState
from app.services import clock, missions
from app.services.api import listings
from app.services.missions.attempts import Actor

EVIDENCE_FIELDS = {"link": "evidence.link", "text": "evidence.text", "file": "evidence.file"}
ATTEMPT = f"/attempts/<{ID}:attempt_id>"


class NewEvidence(Body):
    link: string(2000) | None = None
    text: string(20_000) | None = None


class NewAttempt(Body):
    mission_id: whole()
    advocate_id: whole()
    evidence: NewEvidence | None = None


class Decision(Body):
    reason: string(2000) | None = None


class Rejection(Body):
    reason: string(2000, required=True)


ADVOCATE_ID, MISSION_ID = Query.whole("advocate_id"), Query.whole("mission_id")
STATE = Query.choice("state", AttemptState)


@route("/attempts", get=Listing("Attempts", rep.Attempt, (ADVOCATE_ID, MISSION_ID, STATE)))
def attempts_list():
    after, limit = page_args()
    return listings.attempts(db.session, after=after, limit=limit, advocate_id=ADVOCATE_ID.value(),
                             mission_id=MISSION_ID.value(), state=STATE.value())


@route("/attempts", post=Write("Record a submission for an advocate", NewAttempt, rep.Attempt, "201"))
def attempt_create(body: NewAttempt):
    evidence = body.evidence or NewEvidence()
    given = missions.EvidenceInput(link=evidence.link, text=evidence.text)
    with fields_named(EVIDENCE_FIELDS):
        attempt = missions.record_submission(
            db.session, advocate_id=body.advocate_id, mission_id=body.mission_id, evidence=given,
            actor=Actor.of(caller().actor), now=clock.utcnow())
    return rep.Attempt.of(attempt), 201


@route(f"{ATTEMPT}/approve", post=Write("Approve; awards points once", Decision, rep.Attempt))
def attempt_approve(body: Decision, attempt_id: int):
    attempt = missions.approve_attempt(db.session, staff=caller().actor, attempt_id=attempt_id,
                                       now=clock.utcnow(), note=body.reason)
    return rep.Attempt.of(attempt), 200


@route(f"{ATTEMPT}/reject", post=Write("Reject with a reason", Rejection, rep.Attempt))
def attempt_reject(body: Rejection, attempt_id: int):
    attempt = missions.reject_attempt(db.session, staff=caller().actor, attempt_id=attempt_id,
                                      reason=body.reason, now=clock.utcnow())
    return rep.Attempt.of(attempt), 200
