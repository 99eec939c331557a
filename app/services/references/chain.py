"""The chain of asks of a reference request: marketing asks the best (or a chosen) match through
the ask governor; the advocate accepts or declines; a decline, or no answer within
`reference_answer_days` (the `expire_due` sweep), asks the next match automatically.

Every move is a guarded UPDATE (`WHERE id = :id AND state = :from`): two schedulers, a double click
or an answer racing the timeout make one move, and only the winner asks the next match.
The request: open → asked (an ask is out) → accepted → completed; back to open when an ask is
declined or times out and no match is left.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import (
    Advocate,
    Ask,
    AskState,
    ReferenceAsk,
    ReferenceAskState,
    ReferenceProfile,
    ReferenceRequest,
    ReferenceRequestState,
)
from app.services import asks
from app.services.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.services.messaging import notifications, outbox
from app.services.program import settings as settings_service
from app.services.references import matching
from app.services.references.links import AnswerLinks

RQ, RA = ReferenceRequestState, ReferenceAskState
AUTOMATIC = "Rallypoint (no answer in time)"


def get_request(session: Session, request_id: int) -> ReferenceRequest:
    request = session.get(ReferenceRequest, request_id)
    if request is None:
        raise NotFound("No such reference request.")
    return request


def move_request(session: Session, request: ReferenceRequest, frm: ReferenceRequestState,
                 to: ReferenceRequestState, **values) -> bool:
    """Guarded move of a request; False if it was not in `frm` any more."""
    result = session.execute(update(ReferenceRequest).where(
        ReferenceRequest.id == request.id, ReferenceRequest.state == frm)
        .values(state=to, **values).execution_options(synchronize_session=False))
    session.flush()
    session.refresh(request)
    return result.rowcount == 1


def move_ask(session: Session, ask: ReferenceAsk, frm: ReferenceAskState, to: ReferenceAskState,
             *extra, **values) -> bool:
    result = session.execute(update(ReferenceAsk).where(ReferenceAsk.id == ask.id, ReferenceAsk.state == frm,
                                                        *extra)
                             .values(state=to, **values).execution_options(synchronize_session=False))
    session.flush()
    session.refresh(ask)
    return result.rowcount == 1


def send_ask(session: Session, *, request_id: int, advocate_id: int | None, sent_by: str, now: datetime,
             links: AnswerLinks) -> ReferenceAsk:
    """Ask the best match (advocate_id None) or a chosen one of the current matches. Refused
    (Conflict) unless the request is open, or when the governor will not let the advocate be asked
    now; ValidationFailed (field "advocate_id") for someone who is not a current match."""
    request = get_request(session, request_id)
    if request.state != RQ.OPEN:
        raise InvalidTransition(f"This request is {request.state.value}; only an open request is asked.")
    matches = matching.find_matches(session, request=request, now=now, limit=1 if advocate_id is None else 50)
    chosen = next((m for m in matches if advocate_id is None or m.advocate_id == advocate_id), None)
    if chosen is None:
        if advocate_id is None:
            raise Conflict("No advocate matches this request now.")
        raise ValidationFailed("This advocate is not a current match.", field="advocate_id")
    return _ask(session, request, chosen, sent_by, now, links)


def _ask(session: Session, request: ReferenceRequest, match: matching.Match, sent_by: str, now: datetime,
         links: AnswerLinks) -> ReferenceAsk:
    activity = matching.reference_activity(session)
    if activity is None:
        raise Conflict("The catalog has no active reference-call activity.")
    asks.lock_advocates(session, [match.advocate_id])
    advocate = session.get(Advocate, match.advocate_id)
    decision = asks.decide(session, advocate=advocate, activity=activity, now=now)
    if not decision.askable:
        raise Conflict(f"The ask governor holds this ask: {decision.detail}")
    if not move_request(session, request, RQ.OPEN, RQ.ASKED):
        raise InvalidTransition("Someone else asked for this request first; reload to see the chain.")
    governed = Ask(advocate_id=advocate.id, mission_id=None, activity_id=activity.id, source="reference",
                   priority=0, counts_as_ask=activity.counts_as_ask, state=AskState.SENT, created_at=now,
                   sent_at=now)
    session.add(governed)
    session.flush()
    cfg = settings_service.load(session)
    rank = len(request.asks) + 1
    ask = ReferenceAsk(request_id=request.id, advocate_id=advocate.id, governor_ask_id=governed.id, rank=rank,
                       fit_score=match.fit_score, reasons=list(match.reasons), state=RA.OFFERED,
                       sent_by=sent_by, sent_at=now, due_at=now + timedelta(days=cfg.reference_answer_days))
    session.add(ask)
    session.flush()
    _announce(session, ask, advocate, request, cfg, links)
    return ask


def _announce(session: Session, ask: ReferenceAsk, advocate: Advocate, request: ReferenceRequest, cfg,
              links: AnswerLinks) -> None:
    key = f"reference-ask:{ask.id}"
    title = f"Would you take a reference call with {request.prospect_company}?"[:200]
    body = f"Please answer by {ask.due_at:%d %b %Y}."
    notifications.notify(session, kind="reference", title=title, body=body, link="/portal/references",
                         dedupe_key=key, now=ask.sent_at, advocate_id=advocate.id)
    outbox.enqueue(session, dedupe_key=key, kind="reference_ask", to_email=advocate.email, subject=title,
                   template="reference_ask",
                   context={"name": advocate.name, "program": cfg.program_name,
                            "prospect": request.prospect_company, "industry": request.industry,
                            "use_cases": ", ".join(request.use_cases or []), "due": f"{ask.due_at:%d %b %Y}",
                            "link": links.url(ask.id, advocate.id)},
                   now=ask.sent_at, advocate_id=advocate.id)


def answer(session: Session, *, ask_id: int, advocate_id: int, accept: bool, now: datetime,
           links: AnswerLinks) -> ReferenceAsk:
    """The advocate accepts or declines an offered ask (portal or email link). A decline asks the
    next match. InvalidTransition when it was answered, timed out or is not theirs to answer."""
    ask = session.get(ReferenceAsk, ask_id)
    if ask is None or ask.advocate_id != advocate_id:
        raise NotFound("No such reference ask.")
    to = RA.ACCEPTED if accept else RA.DECLINED
    if not move_ask(session, ask, RA.OFFERED, to, answered_at=now):
        raise InvalidTransition(f"This ask was already {ask.state.value.replace('_', ' ')}.")
    request = ask.request
    if accept:
        move_request(session, request, RQ.ASKED, RQ.ACCEPTED)
        _count_reference(session, advocate_id, now)
    elif move_request(session, request, RQ.ASKED, RQ.OPEN):
        ask_next(session, request=request, now=now, links=links, sent_by=AUTOMATIC)
    return ask


def _count_reference(session: Session, advocate_id: int, now: datetime) -> None:
    """One more reference this quarter (the cap) and the start of the advocate's rest."""
    quarter = matching.quarter_key(now, settings_service.load(session))
    profile = session.get(ReferenceProfile, advocate_id)
    if profile is None:
        return
    profile.quarter_count = profile.quarter_count + 1 if profile.quarter_key == quarter else 1
    profile.quarter_key = quarter
    profile.last_reference_at = now
    session.flush()


def ask_next(session: Session, *, request: ReferenceRequest, now: datetime, links: AnswerLinks,
             sent_by: str) -> ReferenceAsk | None:
    """Ask the best remaining match of an open request; None (the request stays open) if none is left."""
    matches = matching.find_matches(session, request=request, now=now, limit=1)
    if not matches:
        return None
    try:
        return _ask(session, request, matches[0], sent_by, now, links)
    except Conflict:  # the catalog lost its reference activity, or the governor changed its mind
        return None


def expire_due(session: Session, *, now: datetime, links: AnswerLinks, batch: int = 100) -> int:
    """Time out offered asks past their answer date and ask the next match of each, once: only the
    sweep whose guarded move wins acts. Returns how many asks timed out."""
    due = session.scalars(select(ReferenceAsk).where(ReferenceAsk.state == RA.OFFERED,
                                                     ReferenceAsk.due_at <= now)
                          .order_by(ReferenceAsk.due_at).limit(batch)).all()
    moved = 0
    for ask in due:
        if not move_ask(session, ask, RA.OFFERED, RA.TIMED_OUT, ReferenceAsk.due_at <= now, answered_at=now):
            continue
        moved += 1  # the governor's record of the sent ask stays: it was an ask all the same
        if move_request(session, ask.request, RQ.ASKED, RQ.OPEN):
            ask_next(session, request=ask.request, now=now, links=links, sent_by=AUTOMATIC)
    return moved
