"""Attempts: list, record a submission for an advocate, approve (points once) or reject."""

from app.api import bp
from app.api import representations as rep
from app.api.auth import caller
from app.api.inputs import ID, fields_named, integer, obj, query_choice, query_int, string
from app.api.pagination import envelope, page_args
from app.api.writes import write
from app.extensions import db
from app.models import AttemptState
from app.services import clock, listings, missions
from app.services.missions import Actor

EVIDENCE_FIELDS = {"link": "evidence.link", "text": "evidence.text", "file": "evidence.file"}


@bp.get("/attempts")
def attempts_list():
    after, limit = page_args()
    page = listings.attempts(db.session, after=after, limit=limit, advocate_id=query_int("advocate_id"),
                             mission_id=query_int("mission_id"), state=query_choice("state", AttemptState))
    return envelope(page, rep.attempt)


@bp.post("/attempts")
@write
def attempt_create(body: dict):
    evidence = obj(body, "evidence")
    with fields_named(EVIDENCE_FIELDS):
        given = missions.EvidenceInput(link=string(evidence, "link", required=False, max_length=2000),
                                       text=string(evidence, "text", required=False, max_length=20_000))
    with fields_named(EVIDENCE_FIELDS):
        attempt = missions.record_submission(
            db.session, advocate_id=integer(body, "advocate_id"), mission_id=integer(body, "mission_id"),
            evidence=given, actor=Actor.of(caller().actor), now=clock.utcnow())
    return rep.attempt(attempt), 201


@bp.post(f"/attempts/<{ID}:attempt_id>/approve")
@write
def attempt_approve(body: dict, attempt_id: int):
    note = string(body, "reason", required=False, max_length=2000)
    attempt = missions.approve_attempt(db.session, staff=caller().actor, attempt_id=attempt_id,
                                       now=clock.utcnow(), note=note)
    return rep.attempt(attempt), 200


@bp.post(f"/attempts/<{ID}:attempt_id>/reject")
@write
def attempt_reject(body: dict, attempt_id: int):
    reason = string(body, "reason", max_length=2000)
    attempt = missions.reject_attempt(db.session, staff=caller().actor, attempt_id=attempt_id, reason=reason,
                                      now=clock.utcnow())
    return rep.attempt(attempt), 200
