"""The mission clockwork as set-based, batched, idempotent sweeps: expiry, reminders, escalations.

Each sweep takes `now`, walks the due rows in id-ordered batches and acts through guarded writes:
expiry is `UPDATE … WHERE state = :from`, and every message carries a dedupe key that the
notification and outbox tables hold unique. Running a sweep twice, or in two processes at once,
changes nothing the second time. Sweeps flush, never commit: a job passes `commit`
(session.commit) and each batch is then committed as it goes, so no transaction holds many rows or
SQLite's write lock for long, and a run that stops half-way keeps its finished batches.
Thresholds are program settings (reminder_after_start_hours, reminder_before_deadline_hours,
escalate_csm_days_before, escalate_approval_days).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, String, cast, exists, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from app.db.batches import Commit
from app.db.planner import unindexed
from app.models import (
    Advocate,
    AdvocateState,
    Attempt,
    AttemptState,
    AttemptTransition,
    Mission,
    Notification,
    StaffRole,
    StaffUser,
)
from app.services.messaging import notifications, outbox
from app.services.missions.attempts import TRANSITIONS, Actor
from app.services.periods import format_local
from app.services.program import settings as settings_service

S = AttemptState
BATCH = 500


@dataclass(frozen=True)
class _Message:
    """One kind of message: its dedupe-key prefix, notification kind, email template and title."""

    prefix: str
    kind: str
    template: str
    title: str


START = _Message("reminder-start:attempt:", "reminder", "reminder_started", "Reminder: {mission}")
DEADLINE = _Message("reminder-deadline:attempt:", "reminder", "reminder_deadline",
                    "Due soon: {mission}")
CSM = _Message("escalation-csm:attempt:", "escalation", "escalation_csm",
               "Escalated: {advocate} has not submitted {mission}")
APPROVAL = _Message("escalation-approval:attempt:", "escalation", "escalation_approval",
                    "Waiting for approval: {mission}")


def expire_due_attempts(session: Session, *, now: datetime, batch: int = BATCH, commit: Commit = None) -> int:
    """Expire started attempts at their deadline, and rejected ones whose mission has closed.

    Each move is a guarded bulk UPDATE recorded as a transition by the system; returns the count.
    With `commit`, each batch is committed on its own.
    """
    started = select(Attempt.id).where(Attempt.state == S.STARTED, Attempt.deadline_at <= now)
    closed = select(Mission.id).where(or_(Mission.closes_at <= now, Mission.archived))
    rejected = select(Attempt.id).where(Attempt.state == S.REJECTED, Attempt.mission_id.in_(closed))
    return (_expire(session, started, S.STARTED, "Deadline passed", now, batch, commit)
            + _expire(session, rejected, S.REJECTED, "Mission closed", now, batch, commit))


def _expire(session: Session, due: Select, from_state: AttemptState, reason: str, now: datetime,
            batch: int, commit: Commit) -> int:
    """Move the due rows `batch` at a time in (state, deadline) index order.

    No keyset paging is needed: a moved row leaves the due set, so each batch takes the first due
    rows again, read straight off the index (paging by id would sort every due row per batch).
    A batch that moves nothing (every row changed under us) ends the sweep; the next run goes on.
    """
    assert S.EXPIRED in TRANSITIONS[from_state]
    system = Actor.of(None)
    total = 0
    while ids := session.scalars(due.order_by(Attempt.deadline_at, Attempt.id).limit(batch)).all():
        moved = session.scalars(
            update(Attempt).where(Attempt.id.in_(ids), unindexed(Attempt.state) == from_state)
            .values(state=S.EXPIRED).returning(Attempt.id).execution_options(synchronize_session=False)
        ).all()
        if not moved:
            break
        session.execute(insert(AttemptTransition.__table__), [  # Core executemany: no ORM bulk work
            {"attempt_id": attempt_id, "from_state": from_state, "to_state": S.EXPIRED,
             "actor_kind": system.kind, "actor_id": None, "actor_name": system.name,
             "reason": reason, "at": now} for attempt_id in moved])
        total += len(moved)
        if commit is not None:
            commit()
    session.flush()
    return total


def remind_after_start(session: Session, *, now: datetime, batch: int = BATCH, commit: Commit = None) -> int:
    """Remind the advocate once when a started attempt has had no submission for the set hours."""
    cfg = settings_service.load(session)
    due = _attempt_rows(Attempt.state == S.STARTED,
                        Attempt.started_at <= now - timedelta(hours=cfg.reminder_after_start_hours),
                        or_(Attempt.deadline_at.is_(None), Attempt.deadline_at > now), _not_sent(START))
    return _remind_advocates(session, due, START, cfg, now, batch, commit)


def remind_before_deadline(session: Session, *, now: datetime, batch: int = BATCH,
                           commit: Commit = None) -> int:
    """Remind the advocate once when a started attempt's deadline is within the set hours."""
    cfg = settings_service.load(session)
    soon = now + timedelta(hours=cfg.reminder_before_deadline_hours)
    due = _attempt_rows(Attempt.state == S.STARTED, Attempt.deadline_at > now,
                        Attempt.deadline_at <= soon, _not_sent(DEADLINE))
    return _remind_advocates(session, due, DEADLINE, cfg, now, batch, commit)


def escalate_to_csm(session: Session, *, now: datetime, batch: int = BATCH, commit: Commit = None) -> int:
    """Tell the owner CSM once when a started attempt is within the set days of its deadline."""
    cfg = settings_service.load(session)
    soon = now + timedelta(days=cfg.escalate_csm_days_before)
    due = (_attempt_rows(Attempt.state == S.STARTED, Attempt.deadline_at > now,
                         Attempt.deadline_at <= soon, _not_sent(CSM))
           .join(StaffUser, StaffUser.id == Advocate.owner_id).where(StaffUser.active)
           .add_columns(StaffUser.id.label("staff_id"), StaffUser.email.label("staff_email"),
                        StaffUser.name.label("staff_name")))
    touched = 0
    for rows in _batches(session, due, batch, commit):
        for row in rows:
            key = f"{CSM.prefix}{row.id}"
            touched += _tell_staff(session, row, (row.staff_id, row.staff_email, row.staff_name),
                                   key, CSM, cfg, now, link=f"/admin/advocates/{row.advocate_id}")
    return touched


def escalate_waiting_approvals(session: Session, *, now: datetime, batch: int = 100,
                               commit: Commit = None) -> int:
    """Tell every active marketing and admin user once per submission waiting past the set days."""
    cfg = settings_service.load(session)
    recipients = session.execute(select(StaffUser.id, StaffUser.email, StaffUser.name).where(
        StaffUser.active, StaffUser.password_hash.is_not(None),
        StaffUser.role.in_([StaffRole.MARKETING, StaffRole.ADMIN]))).all()
    cutoff = now - timedelta(days=cfg.escalate_approval_days)
    due = _attempt_rows(Attempt.state == S.SUBMITTED, Attempt.submitted_at <= cutoff)
    touched = 0
    for rows in _batches(session, due, batch, commit) if recipients else ():
        keys = {(row.id, staff.id): _approval_key(row, staff.id) for row in rows for staff in recipients}
        sent = set(session.scalars(select(Notification.dedupe_key)
                                   .where(Notification.dedupe_key.in_(keys.values()))))
        for row in rows:
            new = [_tell_staff(session, row, staff, keys[row.id, staff.id], APPROVAL, cfg, now,
                               link="/admin/approvals")
                   for staff in recipients if keys[row.id, staff.id] not in sent]
            touched += any(new)
    return touched


def _approval_key(row, staff_id: int) -> str:
    # A resubmission after a rejection waits afresh, so the key names the submission time too.
    return f"{APPROVAL.prefix}{row.id}:{row.submitted_at:%Y%m%d%H%M%S}:staff:{staff_id}"


def _attempt_rows(*conditions) -> Select:
    return (select(Attempt.id, Attempt.advocate_id, Attempt.deadline_at, Attempt.submitted_at,
                   Mission.title.label("mission_title"), Advocate.name.label("advocate_name"),
                   Advocate.email.label("advocate_email"), Advocate.state.label("advocate_state"))
            .join(Mission, Mission.id == Attempt.mission_id)
            .join(Advocate, Advocate.id == Attempt.advocate_id)
            .where(*conditions))


def _not_sent(message: _Message):
    key = literal(message.prefix, String) + cast(Attempt.id, String)
    return ~exists().where(Notification.dedupe_key == key)


def _batches(session: Session, stmt: Select, batch: int, commit: Commit = None) -> Iterator[list]:
    """Rows of `stmt` in id order, `batch` at a time (keyset paging, so changed rows never repeat);
    with `commit`, each batch is committed once the caller has acted on it."""
    last = 0
    while rows := session.execute(stmt.where(Attempt.id > last).order_by(Attempt.id).limit(batch)).all():
        yield rows
        last = rows[-1].id
        if commit is not None:
            commit()


def _remind_advocates(session: Session, due: Select, message: _Message, cfg, now: datetime,
                      batch: int, commit: Commit) -> int:
    touched = 0
    for rows in _batches(session, due, batch, commit):
        for row in rows:
            touched += _tell_advocate(session, row, message, cfg, now)
    return touched


def _context(row, cfg, **extra) -> dict:
    deadline = (format_local(row.deadline_at, cfg.timezone) if row.deadline_at else "no deadline")
    return {"program": cfg.program_name, "mission": row.mission_title, "advocate": row.advocate_name,
            "deadline": deadline, **extra}


def _tell_advocate(session: Session, row, message: _Message, cfg, now: datetime) -> bool:
    key = f"{message.prefix}{row.id}"
    title = message.title.format(mission=row.mission_title, advocate=row.advocate_name)
    new = notifications.notify(
        session, kind=message.kind, title=title, body=f"Deadline: {_context(row, cfg)['deadline']}",
        link=f"/portal/attempts/{row.id}", dedupe_key=key, now=now, advocate_id=row.advocate_id)
    if row.advocate_state != AdvocateState.OPTED_OUT:
        new = outbox.enqueue(session, dedupe_key=key, kind=message.kind, to_email=row.advocate_email,
                             subject=title, template=message.template,
                             context=_context(row, cfg, name=row.advocate_name), now=now,
                             advocate_id=row.advocate_id, category="reminders") or new
    return new


def _tell_staff(session: Session, row, staff, key: str, message: _Message, cfg, now: datetime, *,
                link: str) -> bool:
    staff_id, staff_email, staff_name = staff
    title = message.title.format(mission=row.mission_title, advocate=row.advocate_name)
    new = notifications.notify(session, kind=message.kind, title=title, body=f"Advocate: {row.advocate_name}",
                               link=link, dedupe_key=key, now=now, staff_id=staff_id)
    new = outbox.enqueue(session, dedupe_key=key, kind=message.kind, to_email=staff_email, subject=title,
                         template=message.template, context=_context(row, cfg, name=staff_name),
                         now=now, staff_id=staff_id) or new
    return new
