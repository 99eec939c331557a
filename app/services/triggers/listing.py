"""Reading trigger events for the staff pages: one event, the recent ones (program-wide, a CSM's
book, or one advocate's), each with its outcome and the ask it made."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import Advocate, Ask, AskState, Mission, TriggerEvent
from app.services.errors import NotFound
from app.services.program import settings as settings_service
from app.services.triggers.events import EventResult, ask_summary


def _book(stmt, owner_id: int):
    return stmt.join(Advocate, Advocate.id == TriggerEvent.advocate_id).where(Advocate.owner_id == owner_id)


def _asks_of(session: Session, event_ids: list[int]) -> dict[int, Ask]:
    if not event_ids:
        return {}
    return {ask.trigger_event_id: ask for ask in session.scalars(
        select(Ask).options(joinedload(Ask.mission).joinedload(Mission.activity), joinedload(Ask.advocate))
        .where(Ask.trigger_event_id.in_(event_ids)))}


def _result(event: TriggerEvent, ask: Ask | None, cfg) -> EventResult:
    if ask is None:
        return EventResult(event, None, event.detail)
    due = None
    if ask.state == AskState.SENT and ask.followed_up_at is None:
        due = ask.sent_at + timedelta(hours=cfg.trigger_followup_hours)
    return EventResult(event, ask, ask_summary(ask, cfg), due)


def get_event(session: Session, *, event_id: int, owner_id: int | None = None) -> EventResult:
    """One event with its outcome; with `owner_id`, only events of that CSM's advocates (NotFound)."""
    stmt = select(TriggerEvent).options(joinedload(TriggerEvent.advocate), joinedload(TriggerEvent.rule),
                                        joinedload(TriggerEvent.actor)).where(TriggerEvent.id == event_id)
    if owner_id is not None:
        stmt = _book(stmt, owner_id)
    event = session.scalars(stmt).first()
    if event is None:
        raise NotFound("No such event.")
    return _result(event, _asks_of(session, [event.id]).get(event.id), settings_service.load(session))


def recent_events(session: Session, *, page: int = 1, per_page: int = 50, owner_id: int | None = None,
                  advocate_id: int | None = None) -> tuple[list[EventResult], bool]:
    """Events newest first (by arrival) with their outcome, a page at a time; only one CSM's
    advocates with `owner_id`, one advocate's with `advocate_id`. Returns (results, has_next)."""
    stmt = (select(TriggerEvent).options(joinedload(TriggerEvent.advocate), joinedload(TriggerEvent.rule))
            .order_by(TriggerEvent.id.desc()).limit(per_page + 1).offset((max(1, page) - 1) * per_page))
    if owner_id is not None:
        stmt = _book(stmt, owner_id)
    if advocate_id is not None:
        stmt = stmt.where(TriggerEvent.advocate_id == advocate_id)
    events = session.scalars(stmt).all()
    shown = list(events[:per_page])
    asks, cfg = _asks_of(session, [e.id for e in shown]), settings_service.load(session)
    return [_result(e, asks.get(e.id), cfg) for e in shown], len(events) > per_page
