"""Status (recognition tiers): Bronze → Silver → Gold → Platinum.

Rules (thresholds are program settings): Silver needs the Silver points and one completed
reference call; Gold needs the Gold points and one published (approved) case study; Platinum
needs the Platinum points and Gold held for the set number of months. Promotion is one step at
a time, happens inside the award's transaction, and writes a notification. Status is never
lowered automatically; staff may set it, with a reason.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from app.models import (
    ActivityKind,
    Advocate,
    Notification,
    Status,
    StatusChange,
)
from app.services import settings as settings_service
from app.services.errors import ValidationFailed
from app.services.periods import add_months
from app.services.prepared import Prepared


@dataclass
class Requirement:
    label: str
    done: bool
    detail: str = ""


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


_APPROVED_OF_KIND = (
    "SELECT attempt.id FROM attempt JOIN activity_type ON activity_type.id = attempt.activity_id "
    "WHERE attempt.advocate_id = :advocate_id AND attempt.state = 'approved' AND activity_type.kind = :kind"
)
_REFERENCE_AWARD = "SELECT id FROM ledger_entry WHERE advocate_id = :advocate_id AND reason = 'reference'"
_COMPLETED_SQL = {
    ActivityKind.REFERENCE_CALL: Prepared(text(f"{_APPROVED_OF_KIND} UNION ALL {_REFERENCE_AWARD} LIMIT 1")),
    ActivityKind.CASE_STUDY: Prepared(text(f"{_APPROVED_OF_KIND} LIMIT 1")),
}


def _completed_kind(session: Session, advocate_id: int, kind: ActivityKind) -> bool:
    """Whether the advocate has an approved attempt of this kind (or, for reference calls, a
    reference-program award). Prebuilt SQL: this runs on every award above a threshold."""
    params = {"advocate_id": advocate_id, "kind": kind.value}
    return _COMPLETED_SQL[kind].first(session.connection(), params) is not None


def requirements_for(session: Session, advocate: Advocate | Standing, target: Status, now: datetime,
                     cfg=None) -> list[Requirement]:
    """What `target` asks of this advocate, each requirement marked done or not."""
    cfg = cfg or settings_service.load(session)
    points = threshold(cfg, target)
    reqs = [Requirement(f"{points:,} lifetime points", advocate.lifetime_points >= points,
                        f"{advocate.lifetime_points:,} so far")]
    if target == Status.SILVER:
        done = _completed_kind(session, advocate.id, ActivityKind.REFERENCE_CALL)
        reqs.append(Requirement("One completed reference call", done))
    elif target == Status.GOLD:
        done = _completed_kind(session, advocate.id, ActivityKind.CASE_STUDY)
        reqs.append(Requirement("One published case study", done))
    else:
        months = cfg.platinum_gold_months
        gold_since = advocate.status_since if advocate.status == Status.GOLD else None
        done = gold_since is not None and add_months(gold_since, months) <= now
        detail = f"Gold since {gold_since:%d %b %Y}" if gold_since else "Reach Gold first"
        reqs.append(Requirement(f"Gold for {months} months", done, detail))
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


def promote_due(session: Session, *, now: datetime, batch: int = 500) -> int:
    """Promote everyone whose next status has come due without a new award: Platinum once Gold has
    been held long enough, or anyone after staff lowered a threshold. Returns promotions made.

    Candidates are advocates whose lifetime points reach their next threshold; each is checked by
    the same rules as an award (promote_if_earned), so running twice promotes nobody twice.
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
    advocate.status, advocate.status_since = to, now
    title = f"You reached {to.label}!" if promoted else f"Your status is now {to.label}"
    body = settings_service.load(session).values[f"perks_{to.value}"] if promoted else reason
    session.add_all([change, Notification(advocate_id=advocate.id, kind="status", title=title,
                                           body=body, link="/portal/status", created_at=now)])
    session.flush()
    return change


def progress(session: Session, advocate: Advocate, now: datetime) -> Progress:
    cfg = settings_service.load(session)
    perks = {s: cfg.values[f"perks_{s.value}"] for s in Status}
    target = next_of(advocate.status)
    if target is None:
        return Progress(advocate.status, None, [], 0, 100, perks)
    needed = threshold(cfg, target)
    reqs = requirements_for(session, advocate, target, now, cfg)
    percent = min(100, int(advocate.lifetime_points * 100 / needed)) if needed else 100
    return Progress(advocate.status, target, reqs, max(0, needed - advocate.lifetime_points),
                    percent, perks)


def history(session: Session, *, advocate_id: int) -> list[StatusChange]:
    """The advocate's status changes, newest first."""
    return session.scalars(select(StatusChange).where(StatusChange.advocate_id == advocate_id)
                           .order_by(StatusChange.at.desc(), StatusChange.id.desc())).all()
