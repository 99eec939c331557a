"""Re-engagement: a check-in, an update and a "what would bring you back" message to advocates
who have been inactive for the set days (30, 60, 90 by default), each at most once per spell.

Inactivity counts from the advocate's last sign-in or mission action (`last_active_at`, else when
they joined). A spell is identified by that moment, so an advocate who comes back and drifts off
again gets the messages afresh. Only the highest stage reached is sent: an advocate first seen at
95 days inactive gets the 90-day message, never all three at once. Only active advocates are
written to; paused and opted-out ones are left alone. Each message has a dedupe key that the
notification and outbox tables hold unique, so the sweep is idempotent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.batches import Commit
from app.models import Advocate, AdvocateState, Mission, Notification, Status
from app.services.messaging import notifications, outbox
from app.services.program import settings as settings_service

BATCH = 500


@dataclass(frozen=True)
class Stage:
    number: int
    setting: str
    template: str
    title: str


STAGES = (
    Stage(1, "reengage_first_days", "reengage_checkin", "How is it going, {name}?"),
    Stage(2, "reengage_second_days", "reengage_update", "What is new in {program}"),
    Stage(3, "reengage_third_days", "reengage_comeback", "What would bring you back to {program}?"),
)


def stage_for(inactive: timedelta, cfg) -> Stage | None:
    """The highest stage an advocate inactive for `inactive` has reached, if any."""
    reached = [stage for stage in STAGES if inactive >= timedelta(days=cfg.values[stage.setting])]
    return reached[-1] if reached else None


def dedupe_key(stage: Stage, advocate_id: int, since: datetime) -> str:
    return f"reengage:{stage.number}:advocate:{advocate_id}:since:{since:%Y%m%d%H%M%S}"


def send_due(session: Session, *, now: datetime, batch: int = BATCH, commit: Commit = None) -> int:
    """Send each inactive active advocate the message of the highest stage reached, once; returns
    how many advocates were written to. With `commit`, each batch is committed on its own."""
    cfg = settings_service.load(session)
    since = func.coalesce(Advocate.last_active_at, Advocate.created_at)
    first = now - timedelta(days=cfg.reengage_first_days)
    stmt = (select(Advocate.id, Advocate.name, Advocate.email, Advocate.status, Advocate.balance,
                   since.label("since"))
            .where(Advocate.state == AdvocateState.ACTIVE, since <= first))
    open_missions = session.scalar(select(func.count()).select_from(Mission).where(
        Mission.archived.is_(False), Mission.opens_at <= now, Mission.closes_at > now))
    touched, last = 0, 0
    while rows := session.execute(stmt.where(Advocate.id > last).order_by(Advocate.id).limit(batch)).all():
        last = rows[-1].id
        due = {row.id: (stage, dedupe_key(stage, row.id, row.since))
               for row in rows if (stage := stage_for(now - row.since, cfg))}
        keys = {key for _, key in due.values()}
        done = set(session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))))
        for row in rows:
            if row.id in due and due[row.id][1] not in done:
                touched += _send(session, row, *due[row.id], cfg, now, open_missions)
        if commit is not None:
            commit()
    session.flush()
    return touched


def _send(session: Session, row, stage: Stage, key: str, cfg, now: datetime, open_missions: int) -> bool:
    context = {"name": row.name, "program": cfg.program_name, "days": (now - row.since).days,
               "status": Status(row.status).label, "balance": f"{row.balance:,}",
               "open_missions": open_missions}
    title = stage.title.format(**context)
    body = {1: "We have not seen you for a while. Take a look at the missions open to you.",
            2: f"Missions open right now: {open_missions}. Your points are still here.",
            3: "Tell us what would make the program worth your time again."}[stage.number]
    new = notifications.notify(session, kind="reengagement", title=title, body=body,
                               link="/portal/missions" if stage.number < 3 else "/portal/",
                               dedupe_key=key, now=now, advocate_id=row.id)
    sent = outbox.enqueue(session, dedupe_key=key, kind="reengagement", to_email=row.email, subject=title,
                          template=stage.template, context=context, now=now, advocate_id=row.id,
                          category="checkins")
    return new or sent
