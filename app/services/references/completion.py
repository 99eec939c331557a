"""After the call: staff record that it took place with the salesperson's feedback, which completes
the ask and the request and awards the reference-call activity's points once (ledger key
`reference-call:<ask id>`); the advocate leaves their own feedback from the portal. Each side gives
one rating (1–5) and may write a few words, once."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import (
    LedgerReason,
    ReferenceAsk,
    ReferenceAskState,
    ReferenceFeedback,
    ReferenceRequestState,
    StaffUser,
)
from app.services.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.services.messaging import notifications
from app.services.points import ledger
from app.services.references import matching
from app.services.references.chain import move_ask, move_request

RA, RQ = ReferenceAskState, ReferenceRequestState
SIDES = ("advocate", "sales")


def _feedback(session: Session, ask: ReferenceAsk, side: str, rating, text: str, author: str,
              now: datetime) -> ReferenceFeedback:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed("Choose a rating from 1 to 5.", field="rating")
    text = (text or "").strip()
    if len(text) > 2000:
        raise ValidationFailed("At most 2,000 characters.", field="text")
    row = ReferenceFeedback(ask_id=ask.id, side=side, rating=rating, text=text, author=author, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict("Feedback from this side was already recorded.") from None
    return row


def points_for(session: Session) -> int:
    activity = matching.reference_activity(session)
    return activity.reward_tier.points if activity is not None else 0


def complete(session: Session, *, ask_id: int, staff: StaffUser, rating: int, text: str,
             now: datetime) -> ReferenceAsk:
    """The call took place: the salesperson's feedback, the ask and request completed, the points."""
    ask = session.get(ReferenceAsk, ask_id)
    if ask is None:
        raise NotFound("No such reference ask.")
    if ask.state != RA.ACCEPTED:
        raise InvalidTransition("Only an accepted reference call can be completed.")
    _feedback(session, ask, "sales", rating, text, staff.name, now)
    if not move_ask(session, ask, RA.ACCEPTED, RA.COMPLETED, completed_at=now):
        raise InvalidTransition("This call was completed by someone else first.")
    move_request(session, ask.request, RQ.ACCEPTED, RQ.COMPLETED, fulfilled_at=now)
    points = points_for(session)
    key = f"reference-call:{ask.id}"
    result = ledger.post_entry(session, advocate_id=ask.advocate_id, amount=points,
                               reason=LedgerReason.REFERENCE, idempotency_key=key, now=now,
                               source=("reference_ask", ask.id),
                               note=f"Reference call with {ask.request.prospect_company}", actor_id=staff.id)
    if result.created:
        notifications.notify(session, kind="reference", title=f"Reference call done: +{points:,} points",
                             body=f"Thank you for speaking with {ask.request.prospect_company}.",
                             link="/portal/references", dedupe_key=key, now=now, advocate_id=ask.advocate_id)
    return ask


def advocate_feedback(session: Session, *, ask_id: int, advocate_id: int, rating: int, text: str,
                      author: str, now: datetime) -> ReferenceFeedback:
    """The advocate's side, once they accepted the call."""
    ask = session.get(ReferenceAsk, ask_id)
    if ask is None or ask.advocate_id != advocate_id:
        raise NotFound("No such reference ask.")
    if ask.state not in (RA.ACCEPTED, RA.COMPLETED):
        raise InvalidTransition("Feedback follows an accepted reference call.")
    return _feedback(session, ask, "advocate", rating, text, author, now)
