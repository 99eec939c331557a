"""The attempt lifecycle as an explicit state machine, and the actions that drive it.

available → started → submitted → approved (points once) | rejected (resubmit while open);
available/started → declined; started/rejected → expired. Each move is a guarded UPDATE
(`WHERE state = :from`), so two concurrent moves cannot both succeed, and each is recorded
in AttemptTransition with who, when, from and to.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.models import (
    ActivityKind,
    ActivityType,
    Advocate,
    Attempt,
    AttemptState,
    AttemptTransition,
    Evidence,
    LedgerReason,
    Mission,
    Notification,
    StaffUser,
)
from app.services import content, feed
from app.services.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.services.missions import eligibility
from app.services.missions.scoring import points_for_mission
from app.services.points import ledger
from app.services.webhooks import events as webhook_events

S = AttemptState
TRANSITIONS: dict[AttemptState, set[AttemptState]] = {
    S.AVAILABLE: {S.STARTED, S.DECLINED},
    S.STARTED: {S.SUBMITTED, S.DECLINED, S.EXPIRED},
    S.SUBMITTED: {S.APPROVED, S.REJECTED},
    S.REJECTED: {S.SUBMITTED, S.EXPIRED},
    S.APPROVED: set(),
    S.DECLINED: set(),
    S.EXPIRED: set(),
}


@dataclass(frozen=True)
class Actor:
    kind: str  # "advocate", "staff" or "system"
    id: int | None = None
    name: str = ""

    @classmethod
    def of(cls, user: Advocate | StaffUser | None) -> "Actor":
        if user is None:
            return cls("system", None, "Rallypoint")
        return cls("staff" if user.is_staff else "advocate", user.id, user.name)


@dataclass
class EvidenceInput:
    link: str | None = None
    text: str | None = None
    file_token: str | None = None
    filename: str | None = None
    mimetype: str | None = None
    rating: int | None = None  # a review's stars, 1-5
    platform: str | None = None  # where a review was posted


# The moves other systems hear about (webhooks out), stored in the move's transaction.
_EMITTED = {AttemptState.SUBMITTED, AttemptState.APPROVED, AttemptState.REJECTED}


def transition(session: Session, attempt: Attempt, to: AttemptState, *, actor: Actor, now: datetime,
               reason: str | None = None, **fields) -> Attempt:
    """Move `attempt` to `to` if the table allows it and nobody moved it first; record the move."""
    current = attempt.state
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(f"A {current.value} attempt cannot become {to.value}.")
    result = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == current)
        .values(state=to, **fields)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition("This attempt was changed by someone else; reload to see it.")
    session.add(AttemptTransition(attempt_id=attempt.id, from_state=current, to_state=to,
                                  actor_kind=actor.kind, actor_id=actor.id, actor_name=actor.name,
                                  reason=reason, at=now))
    if to in _EMITTED:
        webhook_events.emit(session, f"attempt.{to.value}", {
            "attempt_id": attempt.id, "advocate_id": attempt.advocate_id, "mission_id": attempt.mission_id,
            "from_state": current.value, "state": to.value, "actor": {"kind": actor.kind, "id": actor.id},
            "reason": reason}, now)
    if actor.kind == "advocate":
        session.execute(update(Advocate).where(Advocate.id == actor.id).values(last_active_at=now)
                        .execution_options(synchronize_session=False))
    session.flush()
    session.refresh(attempt)
    return attempt


def get_own_attempt(session: Session, *, advocate: Advocate, attempt_id: int) -> Attempt:
    """The advocate's own attempt, with its mission and activity; anyone else's is NotFound (never
    Forbidden, to not leak ids)."""
    attempt = session.get(Attempt, attempt_id,
                          options=[joinedload(Attempt.mission), joinedload(Attempt.activity)])
    if attempt is None or attempt.advocate_id != advocate.id:
        raise NotFound("No such attempt.")
    return attempt


def start_mission(session: Session, *, advocate: Advocate, mission_id: int, now: datetime,
                  actor: Actor | None = None) -> Attempt:
    """Start a mission the advocate may take now; the deadline is the sooner of expiry and close.

    `actor` is who records the move (default the advocate; staff or an API key acting for them)."""
    mission = session.get(Mission, mission_id, options=[joinedload(Mission.activity)])  # the rules read it
    if mission is None or mission.archived or not eligibility.in_audience(advocate, mission):
        raise NotFound("No such mission.")
    attempt = session.scalars(select(Attempt).where(
        Attempt.mission_id == mission.id, Attempt.advocate_id == advocate.id)).first()
    completions = eligibility.last_completions(session, advocate.id)
    offer = eligibility.check(advocate, mission, attempt, completions, now)
    if not offer.available:
        raise Conflict(offer.reason)
    deadline = min(now + timedelta(days=mission.activity.expires_after_days), mission.closes_at)
    if attempt is None:
        attempt = _create_attempt(session, advocate, mission, now)
    return transition(session, attempt, S.STARTED, actor=actor or Actor.of(advocate), now=now,
                      started_at=now, deadline_at=deadline)


def _create_attempt(session: Session, advocate: Advocate, mission: Mission, now: datetime) -> Attempt:
    attempt = Attempt(mission_id=mission.id, advocate_id=advocate.id, activity_id=mission.activity_id,
                      state=S.AVAILABLE, created_at=now)
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:
        raise Conflict("You already have this mission.") from None
    return attempt


def decline_mission(session: Session, *, advocate: Advocate, mission_id: int, now: datetime,
                    reason: str | None = None) -> Attempt:
    """Decline an offered or started mission; no penalty."""
    mission = session.get(Mission, mission_id)
    if mission is None or not eligibility.in_audience(advocate, mission):
        raise NotFound("No such mission.")
    attempt = session.scalars(select(Attempt).where(
        Attempt.mission_id == mission.id, Attempt.advocate_id == advocate.id)).first()
    if attempt is None:
        attempt = _create_attempt(session, advocate, mission, now)
    return transition(session, attempt, S.DECLINED, actor=Actor.of(advocate), now=now,
                      reason=(reason or "").strip() or None)


def can_submit(attempt: Attempt, now: datetime) -> bool:
    """Whether evidence may be submitted now: started and before its deadline, or rejected while
    the mission is still open."""
    if attempt.state == S.STARTED:
        return attempt.deadline_at is None or now < attempt.deadline_at
    return attempt.state == S.REJECTED and attempt.mission.is_open(now)


def submit_attempt(session: Session, *, advocate: Advocate, attempt_id: int, evidence: EvidenceInput,
                   now: datetime, actor: Actor | None = None) -> Attempt:
    """Submit evidence for a started (or rejected) attempt; auto-approves when no approval is needed."""
    attempt = get_own_attempt(session, advocate=advocate, attempt_id=attempt_id)
    if not can_submit(attempt, now):
        _refuse_submission(attempt)
    fields = _evidence_fields(attempt.activity.evidence, evidence) | _review_fields(attempt, evidence)
    transition(session, attempt, S.SUBMITTED, actor=actor or Actor.of(advocate), now=now, submitted_at=now,
               decision_reason=None, **fields)
    if not attempt.activity.requires_approval:
        _approve(session, attempt, actor=Actor.of(None), now=now, reason="No approval needed")
    return attempt


def record_submission(session: Session, *, advocate_id: int, mission_id: int, evidence: EvidenceInput,
                      actor: Actor, now: datetime) -> Attempt:
    """Submit for an advocate (e.g. a review verified elsewhere): start the mission if they have not,
    then submit, under the portal's rules (audience, status, cooldown, deadline, evidence).

    Raises ValidationFailed (unknown advocate_id or mission_id, missing evidence), Conflict (not
    offered to this advocate now) and InvalidTransition (already submitted or decided)."""
    advocate = session.get(Advocate, advocate_id)
    if advocate is None:
        raise ValidationFailed("No such advocate.", field="advocate_id")
    mission = session.get(Mission, mission_id)
    if mission is None or mission.archived:
        raise ValidationFailed("No such mission.", field="mission_id")
    if not eligibility.in_audience(advocate, mission):
        raise Conflict("This mission is not offered to this advocate.")
    attempt = session.scalars(select(Attempt).where(
        Attempt.mission_id == mission.id, Attempt.advocate_id == advocate.id)).first()
    if attempt is None or attempt.state == S.AVAILABLE:
        attempt = start_mission(session, advocate=advocate, mission_id=mission.id, now=now, actor=actor)
    return submit_attempt(session, advocate=advocate, attempt_id=attempt.id, evidence=evidence, now=now,
                          actor=actor)


def _refuse_submission(attempt: Attempt):
    if attempt.state not in (S.STARTED, S.REJECTED):
        raise InvalidTransition(f"This attempt is {attempt.state.value}; it cannot be submitted now.")
    if attempt.state == S.STARTED:
        raise Conflict("The deadline for this mission has passed.")
    raise Conflict("This mission has closed, so it can no longer be resubmitted.")


def _evidence_fields(kind: Evidence, evidence: EvidenceInput) -> dict:
    if kind == Evidence.LINK:
        link = (evidence.link or "").strip()
        if not link.startswith(("https://", "http://")):
            raise ValidationFailed("Give the full link, starting with https://", field="link")
        return {"evidence_link": link}
    if kind == Evidence.TEXT:
        text = (evidence.text or "").strip()
        if not text:
            raise ValidationFailed("Tell us what you did.", field="text")
        return {"evidence_text": text}
    if kind == Evidence.FILE:
        if not evidence.file_token:
            raise ValidationFailed("Attach a file.", field="file")
        return {"evidence_file": evidence.file_token, "evidence_filename": evidence.filename,
                "evidence_mimetype": evidence.mimetype}
    return {}


def _review_fields(attempt: Attempt, evidence: EvidenceInput) -> dict:
    """A review's rating (1-5, when given: the portal asks for it; other callers may not know it) and
    platform; nothing for other kinds."""
    if attempt.activity.kind != ActivityKind.REVIEW:
        return {}
    if evidence.rating is not None and not 1 <= evidence.rating <= 5:
        raise ValidationFailed("Give your review's star rating, 1 to 5.", field="rating")
    platform = (evidence.platform or "").strip()[:80] or None
    return {"review_rating": evidence.rating, "review_platform": platform}


def approve_attempt(session: Session, *, staff: StaffUser, attempt_id: int, now: datetime,
                    note: str | None = None) -> Attempt:
    """Approve a submission and award its points exactly once (key mission-attempt:<id>)."""
    attempt = session.get(Attempt, attempt_id, options=[  # with what the award reads, in one query
        joinedload(Attempt.mission).joinedload(Mission.activity).joinedload(ActivityType.reward_tier)])
    if attempt is None:
        raise NotFound("No such attempt.")
    return _approve(session, attempt, actor=Actor.of(staff), now=now, reason=note)


def _approve(session: Session, attempt: Attempt, *, actor: Actor, now: datetime,
             reason: str | None) -> Attempt:
    mission = attempt.mission
    points = points_for_mission(mission)
    transition(session, attempt, S.APPROVED, actor=actor, now=now, reason=reason, decided_at=now,
               decided_by_id=actor.id if actor.kind == "staff" else None, points_awarded=points)
    _take_place(session, mission)
    ledger.post_entry(session, advocate_id=attempt.advocate_id, amount=points,
                      reason=LedgerReason.MISSION, idempotency_key=f"mission-attempt:{attempt.id}",
                      source=("attempt", attempt.id), note=mission.title, actor_id=None, now=now)
    session.add(Notification(advocate_id=attempt.advocate_id, kind="approved",
                             title=f"Approved: {mission.title}", body=f"+{points:,} points",
                             link=f"/portal/attempts/{attempt.id}", created_at=now))
    feed.record_approved_attempt(session, attempt=attempt, mission=mission, now=now)
    content.from_attempt(session, attempt=attempt, now=now)
    session.flush()
    return attempt


def _take_place(session: Session, mission: Mission) -> None:
    stmt = update(Mission).where(Mission.id == mission.id)
    if mission.completion_limit is not None:
        stmt = stmt.where(Mission.completed_count < Mission.completion_limit)
    result = session.execute(stmt.values(completed_count=Mission.completed_count + 1)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict("This mission has reached its completion limit.")


def reject_attempt(session: Session, *, staff: StaffUser, attempt_id: int, reason: str,
                   now: datetime) -> Attempt:
    """Reject a submission with a reason the advocate will see; they may resubmit while it is open."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give the advocate a reason.", field="reason")
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("No such attempt.")
    transition(session, attempt, S.REJECTED, actor=Actor.of(staff), now=now, reason=reason,
               decided_at=now, decided_by_id=staff.id, decision_reason=reason)
    session.add(Notification(advocate_id=attempt.advocate_id, kind="rejected",
                             title=f"Needs another look: {attempt.mission.title}", body=reason,
                             link=f"/portal/attempts/{attempt.id}", created_at=now))
    session.flush()
    return attempt


def expire_attempt(session: Session, *, attempt: Attempt, now: datetime) -> Attempt:
    return transition(session, attempt, S.EXPIRED, actor=Actor.of(None), now=now,
                      reason="Deadline passed")


def approval_queue(session: Session, *, limit: int = 100) -> list[Attempt]:
    """Submissions waiting for a decision, oldest first, with the advocate, mission and activity the
    queue shows (one query, not one per submission)."""
    return session.scalars(
        select(Attempt).where(Attempt.state == S.SUBMITTED)
        .options(joinedload(Attempt.advocate), joinedload(Attempt.mission), joinedload(Attempt.activity))
        .order_by(Attempt.submitted_at, Attempt.id).limit(limit)
    ).all()


# The dashboard lists an advocate's attempts twice per load: built once (a statement holds no data).
_ATTEMPTS_OF = (
    select(Attempt).options(joinedload(Attempt.mission))
    .where(Attempt.advocate_id == bindparam("advocate_id"), Attempt.state != S.AVAILABLE)
    .order_by(func.coalesce(Attempt.decided_at, Attempt.submitted_at, Attempt.started_at,
                            Attempt.created_at).desc(), Attempt.id.desc())
    .limit(bindparam("limit")))
_ATTEMPTS_IN = _ATTEMPTS_OF.where(Attempt.state.in_(bindparam("states", expanding=True)))


def attempts_for(session: Session, *, advocate_id: int, states: tuple[AttemptState, ...] | None = None,
                 limit: int = 20) -> list[Attempt]:
    """One advocate's attempts (optionally only some states), most recently changed first, each with its
    mission (their lists show its title)."""
    if states:
        return session.scalars(_ATTEMPTS_IN, {"advocate_id": advocate_id, "states": list(states),
                                              "limit": limit}).all()
    return session.scalars(_ATTEMPTS_OF, {"advocate_id": advocate_id, "limit": limit}).all()
