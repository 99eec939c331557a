"""Status (recognition tiers): Bronze → Silver → Gold → Platinum.

Rules (thresholds and qualifying kinds are program settings): Silver needs the Silver points and
one approved activity of a Silver kind (default: a review or testimonial); Gold needs the Gold
points and one of a Gold kind (default: a published, i.e. approved, case study); Platinum needs
the Platinum points and Gold held for the set number of months. A reference-program award counts
as a completed reference call wherever reference calls qualify. Promotion is one step at
a time, happens inside the award's transaction, and writes a notification. Status is never
lowered automatically; staff may set it, with a reason. Each change settles the verifiable badges
(services.badges) in the same transaction: a promotion issues one, a lowered status revokes those above.
A promotion also writes its community feed item (services.feed) in that transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, union_all
from sqlalchemy.orm import Session

from app.db.batches import Commit
from app.models import (
    ActivityKind,
    ActivityType,
    Advocate,
    Attempt,
    AttemptState,
    LedgerEntry,
    LedgerReason,
    Mission,
    Notification,
    Status,
    StatusChange,
)
from app.services import badges, feed
from app.services.errors import ValidationFailed
from app.services.periods import add_months
from app.services.program import settings as settings_service
from app.services.program import status_rules
from app.services.webhooks import events as webhook_events

if TYPE_CHECKING:  # missions depend on points, not the other way round
    from app.services.missions.eligibility import MissionOffer


@dataclass
class Requirement:
    label: str
    done: bool
    detail: str = ""
    kinds: tuple[ActivityKind, ...] = ()  # an activity requirement: the kinds that qualify
    due: datetime | None = None  # a tenure requirement: when it is met
    way: "Way | None" = None  # how to meet an unmet activity requirement (progress() fills it)


@dataclass
class Way:
    """How to meet an activity requirement now: an attempt to finish or a mission to take; neither
    means none is open right now."""

    attempt: Attempt | None = None
    mission: Mission | None = None


@dataclass
class Progress:
    status: Status
    next_status: Status | None
    requirements: list[Requirement]
    points_needed: int
    percent: int
    perks: dict[Status, str]


@dataclass
class Standing:
    """What the status rules read of an advocate (an Advocate model has the same attributes)."""

    id: int
    lifetime_points: int
    status: Status
    status_since: datetime


def next_of(status: Status) -> Status | None:
    order = list(Status)
    index = order.index(status)
    return order[index + 1] if index + 1 < len(order) else None


def threshold(cfg, target: Status) -> int:
    return cfg.values[f"{target.value}_points"]


def _completed_any(session: Session, advocate_id: int, kinds: Sequence[ActivityKind]) -> bool:
    """Whether the advocate has an approved attempt of one of these kinds. A reference-program award
    counts as a completed reference call (the reference program pays without an attempt)."""
    if not kinds:
        return True
    found = (select(Attempt.id).join(ActivityType, ActivityType.id == Attempt.activity_id)
             .where(Attempt.advocate_id == advocate_id, Attempt.state == AttemptState.APPROVED,
                    ActivityType.kind.in_(kinds)))
    if ActivityKind.REFERENCE_CALL in kinds:
        found = union_all(found, select(LedgerEntry.id).where(
            LedgerEntry.advocate_id == advocate_id, LedgerEntry.reason == LedgerReason.REFERENCE))
    return session.connection().execute(found.limit(1)).first() is not None


def requirements_for(session: Session, advocate: Advocate | Standing, target: Status, now: datetime,
                     cfg=None) -> list[Requirement]:
    """What `target` asks of this advocate, each requirement marked done or not."""
    cfg = cfg or settings_service.load(session)
    points = threshold(cfg, target)
    left = max(0, points - advocate.lifetime_points)
    reqs = [Requirement(f"{points:,} lifetime points", left == 0,
                        f"{advocate.lifetime_points:,} so far" + (f", {left:,} to go" if left else ""))]
    kinds = settings_service.kinds_for(cfg, target)
    if kinds:
        reqs.append(Requirement(status_rules.requirement_label(kinds),
                                _completed_any(session, advocate.id, kinds), kinds=kinds))
    elif target == Status.PLATINUM:
        months = cfg.platinum_gold_months
        gold_since = advocate.status_since if advocate.status == Status.GOLD else None
        due = add_months(gold_since, months) if gold_since else None
        done = due is not None and due <= now
        detail = f"Gold since {gold_since:%d %b %Y}" if gold_since else "Reach Gold first"
        reqs.append(Requirement(f"Gold for {months} months", done, detail, due=due))
    return reqs


def promote_if_earned(session: Session, *, advocate_id: int, now: datetime, cfg=None,
                      standing: Standing | None = None) -> list[StatusChange]:
    """Promote step by step while the next status's requirements are met; notify each promotion.

    `standing` (e.g. from the award's UPDATE … RETURNING) spares loading the advocate when
    nothing changes; the model is loaded only to promote.
    """
    cfg = cfg or settings_service.load(session)
    current = standing or session.get(Advocate, advocate_id)
    changes = []
    while (target := next_of(current.status)) is not None:
        if current.lifetime_points < threshold(cfg, target):
            break
        if not all(r.done for r in requirements_for(session, current, target, now, cfg)):
            break
        current = session.get(Advocate, advocate_id)
        changes.append(_change(session, current, target, now, reason="Promotion", actor_id=None))
    return changes


def promote_due(session: Session, *, now: datetime, batch: int = 500, commit: Commit = None) -> int:
    """Promote everyone whose next status has come due without a new award: Platinum once Gold has
    been held long enough, or anyone after staff lowered a threshold. Returns promotions made.

    Candidates are advocates whose lifetime points reach their next threshold; each is checked by
    the same rules as an award (promote_if_earned), so running twice promotes nobody twice. With
    `commit`, each batch is committed on its own.
    """
    cfg = settings_service.load(session)
    below = [(status, threshold(cfg, target)) for status in Status if (target := next_of(status))]
    candidates = select(Advocate.id).where(or_(*[
        (Advocate.status == status) & (Advocate.lifetime_points >= points) for status, points in below]))
    promoted, last = 0, 0
    while ids := session.scalars(candidates.where(Advocate.id > last).order_by(Advocate.id)
                                 .limit(batch)).all():
        last = ids[-1]
        for advocate_id in ids:
            promoted += len(promote_if_earned(session, advocate_id=advocate_id, now=now, cfg=cfg))
        if commit is not None:
            commit()
    return promoted


def set_status(session: Session, *, advocate: Advocate, to: Status, reason: str, actor_id: int,
               now: datetime) -> StatusChange:
    """Staff sets a status by hand (e.g. a demotion). Needs a reason."""
    if not (reason or "").strip():
        raise ValidationFailed("Say why the status changes.", field="reason")
    if to == advocate.status:
        raise ValidationFailed("The advocate already has that status.", field="status")
    return _change(session, advocate, to, now, reason=reason.strip(), actor_id=actor_id)


def _change(session, advocate, to, now, *, reason, actor_id) -> StatusChange:
    change = StatusChange(advocate_id=advocate.id, from_status=advocate.status, to_status=to,
                          reason=reason, actor_id=actor_id, at=now)
    promoted = to.rank > advocate.status.rank
    webhook_events.emit(session, "status.changed", {
        "advocate_id": advocate.id, "from_status": advocate.status.value, "to_status": to.value,
        "promotion": promoted, "reason": reason, "actor_id": actor_id}, now)
    advocate.status, advocate.status_since = to, now
    title = f"You reached {to.label}!" if promoted else f"Your status is now {to.label}"
    body = settings_service.load(session).values[f"perks_{to.value}"] if promoted else reason
    session.add_all([change, Notification(advocate_id=advocate.id, kind="status", title=title,
                                           body=body, link="/portal/status", created_at=now)])
    session.flush()
    if promoted:
        feed.record(session, kind="promotion", advocate_id=advocate.id, subject=f"status-change:{change.id}",
                    text=f"reached {to.label}", occurred_at=now)
    badges.settle(session, advocate=advocate, reason=reason, now=now)
    return change


def progress(session: Session, advocate: Advocate, now: datetime, *,
             offers: "list[MissionOffer]") -> Progress:
    """The advocate's way to the next status; every unmet activity requirement says how to meet it
    (`Requirement.way`) from `offers`, the missions the advocate sees now (eligibility.offers_for)."""
    cfg = settings_service.load(session)
    perks = {s: cfg.values[f"perks_{s.value}"] for s in Status}
    target = next_of(advocate.status)
    if target is None:
        return Progress(advocate.status, None, [], 0, 100, perks)
    needed = threshold(cfg, target)
    reqs = requirements_for(session, advocate, target, now, cfg)
    for req in reqs:
        if req.kinds and not req.done:
            req.way = way_to(session, advocate, req.kinds, now, offers)
    percent = min(100, int(advocate.lifetime_points * 100 / needed)) if needed else 100
    return Progress(advocate.status, target, reqs, max(0, needed - advocate.lifetime_points),
                    percent, perks)


IN_HAND = (AttemptState.STARTED, AttemptState.SUBMITTED, AttemptState.REJECTED)


def way_to(session: Session, advocate: Advocate, kinds: Sequence[ActivityKind], now: datetime,
           offers: "list[MissionOffer]") -> Way:
    """How the advocate can do an act of these kinds now: an attempt of theirs still under way (started,
    awaiting approval, or sent back while its mission is open), and the soonest-closing open mission
    they may start now (eligibility rules). Both None: nothing open right now."""
    attempts = session.scalars(
        select(Attempt).join(ActivityType, ActivityType.id == Attempt.activity_id)
        .where(Attempt.advocate_id == advocate.id, Attempt.state.in_(IN_HAND), ActivityType.kind.in_(kinds))
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())).all()
    attempt = next((a for a in attempts if a.state != AttemptState.REJECTED or a.mission.is_open(now)), None)
    mission = next((o.mission for o in offers if o.available and o.mission.activity.kind in kinds), None)
    return Way(attempt, mission)


def ladder(cfg) -> dict[Status, str]:
    """What each status asks, in words, for the list of all statuses."""
    words = {Status.BRONZE: "Everyone starts here when they join."}
    for target in list(Status)[1:]:
        kinds = settings_service.kinds_for(cfg, target)
        act = (status_rules.requirement_label(kinds).lower() if kinds
               else f"Gold status for {cfg.platinum_gold_months} months")
        words[target] = f"{threshold(cfg, target):,} lifetime points and {act}."
    return words


def history(session: Session, *, advocate_id: int) -> list[StatusChange]:
    """The advocate's status changes, newest first."""
    return session.scalars(select(StatusChange).where(StatusChange.advocate_id == advocate_id)
                           .order_by(StatusChange.at.desc(), StatusChange.id.desc())).all()
