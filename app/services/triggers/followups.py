"""The one follow-up of a trigger ask (SPEC §8): `trigger_followup_hours` (48) after a trigger ask
went out, if the advocate has not responded, one reminder (in-app and email); then nothing more.

"Responded" means any attempt of the mission beyond "available" (started, submitted, declined, …):
the ask went out only when there was none, so any such attempt came after it. Each due ask is
settled once, whatever happens: the guarded UPDATE that sets `followed_up_at` (and what was done:
sent, or why not — responded, paused, opted out, mission closed) runs before the message is
written, so a rerun, a late run or two schedulers at once send at most one follow-up per ask; the
dedupe key `ask-followup:<ask id>` holds the notification and the email unique as well. A follow-up
is not an ask: it writes no Ask row, so the governor's caps do not count it.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.planner import unindexed
from app.models import (
    Advocate,
    AdvocateState,
    Ask,
    AskState,
    Attempt,
    AttemptState,
    FollowUp,
    Mission,
)
from app.services.messaging import notifications, outbox
from app.services.periods import format_local
from app.services.program import settings as settings_service

BATCH = 500
KEY = "ask-followup:"


def send_due(session: Session, *, now: datetime, batch: int = BATCH) -> int:
    """Settle every sent trigger ask older than the follow-up hours and not settled yet: follow up
    or record why not. Returns how many asks were settled."""
    cfg = settings_service.load(session)
    cutoff = now - timedelta(hours=cfg.trigger_followup_hours)
    due = (select(Ask.id, Ask.advocate_id, Ask.mission_id, Ask.sent_at, Advocate.state, Advocate.name,
                  Advocate.email, Mission.title, Mission.closes_at, Mission.archived)
           .join(Advocate, Advocate.id == Ask.advocate_id).join(Mission, Mission.id == Ask.mission_id)
           .where(Ask.trigger_event_id.is_not(None), Ask.followed_up_at.is_(None), Ask.sent_at <= cutoff,
                  unindexed(Ask.state) == AskState.SENT))
    touched, last = 0, 0
    while rows := session.execute(due.where(Ask.id > last).order_by(Ask.id).limit(batch)).all():
        last = rows[-1].id
        answered = _responded(session, rows)
        for row in rows:
            result = _result(row, (row.mission_id, row.advocate_id) in answered, now)
            if _settle(session, row.id, result, now):
                touched += 1
                if result == FollowUp.SENT:
                    _follow_up(session, row, cfg, now)
    session.flush()
    return touched


def _responded(session: Session, rows) -> set[tuple[int, int]]:
    pairs = {(row.mission_id, row.advocate_id) for row in rows}
    found = session.execute(select(Attempt.mission_id, Attempt.advocate_id).where(
        Attempt.advocate_id.in_({advocate_id for _, advocate_id in pairs}),
        Attempt.mission_id.in_({mission_id for mission_id, _ in pairs}),
        Attempt.state != AttemptState.AVAILABLE)).tuples()
    return pairs & set(found)


def _result(row, responded: bool, now: datetime) -> FollowUp:
    if responded:
        return FollowUp.RESPONDED
    if row.state == AdvocateState.PAUSED:
        return FollowUp.PAUSED
    if row.state != AdvocateState.ACTIVE:
        return FollowUp.OPTED_OUT
    if row.archived or row.closes_at <= now:
        return FollowUp.MISSION_CLOSED
    return FollowUp.SENT


def _settle(session: Session, ask_id: int, result: FollowUp, now: datetime) -> bool:
    return session.execute(update(Ask).where(Ask.id == ask_id, Ask.followed_up_at.is_(None))
                           .values(followed_up_at=now, followup=result)
                           .execution_options(synchronize_session=False)).rowcount == 1


def _follow_up(session: Session, row, cfg, now: datetime) -> None:
    key = f"{KEY}{row.id}"
    title = f"Still interested? {row.title}"[:200]
    closes = format_local(row.closes_at, cfg.timezone)
    notifications.notify(session, kind="ask", title=title,
                         body=f"A gentle reminder of the mission we picked for you. Open until {closes}.",
                         link=f"/portal/missions/{row.mission_id}", dedupe_key=key, now=now,
                         advocate_id=row.advocate_id)
    outbox.enqueue(session, dedupe_key=key, kind="ask_followup", to_email=row.email, subject=title,
                   template="ask_followup", context={"name": row.name, "program": cfg.program_name,
                                                     "mission": row.title, "closes": closes},
                   now=now, advocate_id=row.advocate_id, category="missions")
