"""The referral lifecycle as a state machine; qualifying and converting award the referrer once.

submitted → qualified → converted (with the deal amount, whole currency units); submitted or
qualified → lost. Rejected, converted and lost are final. Each move is a guarded UPDATE
(`WHERE id = :id AND state = :from`), so a double click or two staff members make one move, and
each is recorded (who, when, from, to, note). The awards use the ledger keys
`referral-qualified:<id>` and `referral-converted:<id>`, with the points of the settings.
"""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import LedgerReason, Referral, ReferralState, ReferralTransition, StaffUser
from app.services.errors import InvalidTransition, NotFound, ValidationFailed
from app.services.messaging import notifications
from app.services.points import ledger
from app.services.program import settings as settings_service
from app.services.webhooks import events as webhook_events

R = ReferralState
TRANSITIONS: dict[ReferralState, set[ReferralState]] = {
    R.SUBMITTED: {R.QUALIFIED, R.LOST},
    R.QUALIFIED: {R.CONVERTED, R.LOST},
    R.CONVERTED: set(),
    R.LOST: set(),
    R.REJECTED: set(),
}
MAX_DEAL = 1_000_000_000


def move_referral(session: Session, *, referral_id: int, to: ReferralState, staff: StaffUser | None,
                  now: datetime, note: str | None = None, deal_amount: int | None = None) -> Referral:
    """Move a referral along the table, once; award the referrer on qualified and converted.

    Raises NotFound, InvalidTransition (not allowed from here, or someone moved it first) and
    ValidationFailed (a conversion without a positive deal amount, field `deal_amount`).
    """
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound("No such referral.")
    current = referral.state
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(f"A {current.value} referral cannot become {to.value}.")
    fields = _fields(to, now, deal_amount)
    result = session.execute(
        update(Referral).where(Referral.id == referral.id, Referral.state == current)
        .values(state=to, **fields).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition("This referral was changed by someone else; reload to see it.")
    session.add(ReferralTransition(
        referral_id=referral.id, from_state=current, to_state=to, actor_kind="staff" if staff else "system",
        actor_id=staff.id if staff else None, actor_name=staff.name if staff else "Rallypoint",
        note=(note or "").strip() or None, at=now))
    session.flush()
    session.refresh(referral)
    if to in (R.QUALIFIED, R.CONVERTED):
        _award(session, referral, to, now)
        webhook_events.emit(session, f"referral.{to.value}", referral_data(referral, now), now)
    return referral


def referral_data(referral: Referral, now: datetime) -> dict:
    """The `data` of the referral.* webhook events."""
    return {"referral_id": referral.id, "referrer_id": referral.referrer_id, "state": referral.state.value,
            "friend_name": referral.friend_name, "friend_email": referral.friend_email,
            "friend_company": referral.friend_company, "deal_amount": referral.deal_amount,
            "at": now.isoformat(timespec="seconds") + "Z"}


def _fields(to: ReferralState, now: datetime, deal_amount: int | None) -> dict:
    if to == R.QUALIFIED:
        return {"qualified_at": now}
    if to == R.CONVERTED:
        whole = isinstance(deal_amount, int) and not isinstance(deal_amount, bool)
        if not whole or not 0 < deal_amount <= MAX_DEAL:
            raise ValidationFailed(f"Enter the deal amount in whole currency units, 1 to {MAX_DEAL:,}.",
                                   field="deal_amount")
        return {"converted_at": now, "deal_amount": deal_amount}
    return {"closed_at": now}


def points_for(session: Session, to: ReferralState) -> int:
    """The points a move to `to` awards the referrer (0 for moves that award nothing)."""
    cfg = settings_service.load(session)
    return {R.QUALIFIED: cfg.referral_qualified_points, R.CONVERTED: cfg.referral_converted_points}.get(to, 0)


def _award(session: Session, referral: Referral, to: ReferralState, now: datetime) -> None:
    points = points_for(session, to)
    key = f"referral-{to.value}:{referral.id}"
    result = ledger.post_entry(session, advocate_id=referral.referrer_id, amount=points,
                               reason=LedgerReason.REFERRAL, idempotency_key=key, now=now,
                               source=("referral", referral.id),
                               note=f"Referral {to.value}: {referral.friend_name}")
    if result.created:
        what = "qualified" if to == R.QUALIFIED else "became a customer"
        notifications.notify(session, kind="referral",
                             title=f"{referral.friend_name} {what}: +{points:,} points",
                             body="Thank you for the referral!", link="/portal/referrals", dedupe_key=key,
                             now=now, advocate_id=referral.referrer_id)
