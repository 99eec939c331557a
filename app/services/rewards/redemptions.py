"""Rewards and redemptions (SPEC §11).

Redeeming is one transaction: the redemption row (unique on the form's one-time `request_key`, so
a double click redeems once), the ledger debit `redemption:<id>` (a guarded UPDATE: the balance
never goes below zero), then the stock (`UPDATE reward SET stock = stock - 1 WHERE stock > 0`: never
oversold). Any refusal raises a DomainError after rows were written, so the edge must roll back
(every edge does). Rows are locked in one order, advocate then reward, so redemptions never
deadlock on PostgreSQL.

A redemption moves requested → approved → fulfilled; staff may reject it until it is fulfilled,
and the advocate may cancel it while it is requested. Each move is a guarded UPDATE on the state,
so two clicks make one move; a rejection or cancellation refunds through the ledger entry
`redemption-refund:<id>` (once, whatever happens) and puts the stock back.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.util import identity_key

from app.models import (
    Advocate,
    LedgerReason,
    Redemption,
    RedemptionState,
    Reward,
    RewardKind,
    StaffUser,
    Status,
)
from app.services.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.services.messaging import notifications
from app.services.points import ledger
from app.services.webhooks import events as webhook_events

S = RedemptionState
OPEN = (S.REQUESTED, S.APPROVED)  # still in the fulfilment queue
MAX_POINTS = 1_000_000
MAX_STOCK = 1_000_000


# --- Catalog --------------------------------------------------------------------------------------

@dataclass
class RewardValues:
    name: str
    description: str
    kind: RewardKind
    points_cost: int
    stock: int | None
    min_status: Status
    requires_approval: bool
    unit_cost_cents: int | None
    active: bool


def _validate(values: RewardValues) -> None:
    if not (values.name or "").strip():
        raise ValidationFailed("Give the reward a name.", field="name")
    if not 1 <= values.points_cost <= MAX_POINTS:
        raise ValidationFailed(f"Between 1 and {MAX_POINTS:,} points.", field="points_cost")
    if values.stock is not None and not 0 <= values.stock <= MAX_STOCK:
        raise ValidationFailed(f"Between 0 and {MAX_STOCK:,}, or empty for unlimited.", field="stock")
    if values.unit_cost_cents is not None and values.unit_cost_cents < 0:
        raise ValidationFailed("The cost cannot be negative.", field="unit_cost_cents")


def save_reward(session: Session, *, values: RewardValues, now: datetime,
                reward_id: int | None = None) -> Reward:
    """Create a reward, or update one (its stock is set to the value given)."""
    _validate(values)
    reward = get_reward(session, reward_id) if reward_id is not None else Reward(created_at=now)
    for name in RewardValues.__dataclass_fields__:
        setattr(reward, name, getattr(values, name))
    reward.name, reward.description = values.name.strip(), (values.description or "").strip()
    reward.updated_at = now
    session.add(reward)
    session.flush()
    return reward


def get_reward(session: Session, reward_id: int) -> Reward:
    reward = session.get(Reward, reward_id)
    if reward is None:
        raise NotFound("No such reward.")
    return reward


def catalog(session: Session, *, active_only: bool = False) -> list[Reward]:
    stmt = select(Reward).order_by(Reward.active.desc(), Reward.points_cost, Reward.name)
    if active_only:
        stmt = stmt.where(Reward.active.is_(True))
    return list(session.scalars(stmt))


def redeemed_counts(session: Session) -> dict[int, int]:
    """Redemptions that were not rejected or cancelled, per reward."""
    return dict(session.execute(select(Redemption.reward_id, func.count())
                                .where(Redemption.state.not_in([S.REJECTED, S.CANCELLED]))
                                .group_by(Redemption.reward_id)).all())


@dataclass(frozen=True)
class Offer:
    """A reward as one advocate sees it: whether they can redeem it now, and if not, why."""

    reward: Reward
    can_redeem: bool
    why_not: str = ""

    @property
    def out_of_stock(self) -> bool:
        return self.reward.stock == 0

    @property
    def coming_within_reach(self) -> bool:
        """Not yet redeemable, but only for want of points or status: never an out-of-stock reward."""
        return not self.can_redeem and not self.out_of_stock


def offers_for(session: Session, *, advocate: Advocate) -> list[Offer]:
    """The active rewards with what stands between this advocate and each one."""
    offers = []
    for reward in catalog(session, active_only=True):
        why = _why_not(advocate, reward)
        offers.append(Offer(reward, not why, why))
    return offers


def _why_not(advocate: Advocate, reward: Reward) -> str:
    if advocate.status.rank < reward.min_status.rank:
        return f"For {reward.min_status.label} advocates and above."
    if reward.stock == 0:
        return "Out of stock."
    if advocate.balance < reward.points_cost:
        return f"{reward.points_cost - advocate.balance:,} more points needed."
    return ""


# --- Redeeming ------------------------------------------------------------------------------------

_R = Reward.__table__
_RD = Redemption.__table__
_READ_REWARD = select(_R.c.name, _R.c.points_cost, _R.c.stock, _R.c.min_status, _R.c.requires_approval,
                      _R.c.unit_cost_cents, _R.c.active).where(_R.c.id == bindparam("reward_id"))
# Text, as the SQL is the same on SQLite and PostgreSQL and, unlike the dialects'
# `insert().on_conflict_do_nothing()`, text is cached once compiled.
_INSERT_REDEMPTION = text(
    "INSERT INTO redemption (advocate_id, reward_id, points, cost_cents, state, note, request_key, reason, "
    "created_at) VALUES (:advocate_id, :reward_id, :points, :cost_cents, :state, :note, :request_key, '', "
    ":created_at) "
    "ON CONFLICT (request_key) DO NOTHING RETURNING id"
).bindparams(bindparam("state", type_=_RD.c.state.type), bindparam("created_at", type_=_RD.c.created_at.type))
_TAKE_STOCK = update(_R).where(_R.c.id == bindparam("reward_id"), _R.c.stock > 0).values(stock=_R.c.stock - 1)


def redeem(session: Session, *, advocate: Advocate, reward_id: int, request_key: str, now: datetime,
           note: str = "") -> Redemption:
    """Redeem one reward for the advocate (see the module doc). Raises a DomainError, after which
    the caller must roll back, when the reward cannot be had; a repeated request key returns the
    first redemption and changes nothing."""
    if not request_key:
        raise ValidationFailed("Missing request key; reload the page.")
    reward = session.execute(_READ_REWARD, {"reward_id": reward_id}).first()
    if reward is None or not reward[-1]:
        raise NotFound("No such reward.")
    name, cost, stock, min_status, requires_approval, unit_cost_cents, _active = reward
    if advocate.status.rank < min_status.rank:
        raise Conflict(f"This reward is for {min_status.label} advocates and above.")
    state = S.REQUESTED if requires_approval else S.APPROVED
    redemption_id = session.execute(_INSERT_REDEMPTION, dict(
        advocate_id=advocate.id, reward_id=reward_id, points=cost, cost_cents=unit_cost_cents, state=state,
        note=(note or "").strip()[:1000], request_key=request_key, created_at=now)).scalar()
    if redemption_id is None:
        first = session.scalar(select(Redemption).where(Redemption.request_key == request_key))
        if first.advocate_id != advocate.id:
            raise NotFound("No such redemption.")
        return first
    try:
        ledger.post_entry(session, advocate_id=advocate.id, amount=-cost, reason=LedgerReason.REDEMPTION,
                          idempotency_key=f"redemption:{redemption_id}", now=now,
                          source=("redemption", redemption_id), note=name)
    except ValidationFailed:
        raise ValidationFailed(f"{name} costs {cost:,} points; your balance is lower.") from None
    if stock is not None and session.execute(_TAKE_STOCK, {"reward_id": reward_id}).rowcount != 1:
        raise Conflict(f"{name} is out of stock.")
    loaded = session.identity_map.get(identity_key(Reward, reward_id))
    if loaded is not None:
        session.expire(loaded, ["stock"])
    if state == S.APPROVED:
        _notify(session, redemption_id, advocate.id, name, cost, "", "approved", now)
    redemption = session.get(Redemption, redemption_id)
    _emit(session, "requested", redemption, now)
    return redemption


def _return_stock(session: Session, reward_id: int) -> None:
    session.execute(update(Reward).where(Reward.id == reward_id, Reward.stock.is_not(None))
                    .values(stock=Reward.stock + 1).execution_options(synchronize_session=False))


# --- Fulfilment -----------------------------------------------------------------------------------

MOVES: dict[RedemptionState, tuple[RedemptionState, ...]] = {
    S.APPROVED: (S.REQUESTED,),
    S.FULFILLED: (S.APPROVED,),
    S.REJECTED: OPEN,
    S.CANCELLED: (S.REQUESTED,),
}


def _move(session: Session, redemption: Redemption, to: RedemptionState, **values) -> Redemption:
    """Guarded state change: refused (InvalidTransition) if the state is not one `to` comes from,
    or if someone else moved it first."""
    allowed = MOVES[to]
    if redemption.state not in allowed:
        raise InvalidTransition(f"A {redemption.state.value} redemption cannot become {to.value}.")
    moved = session.execute(update(Redemption).where(Redemption.id == redemption.id,
                                                     Redemption.state == redemption.state)
                            .values(state=to, **values).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise InvalidTransition("This redemption was changed by someone else; reload to see it.")
    session.flush()
    session.refresh(redemption)
    return redemption


def get_redemption(session: Session, redemption_id: int) -> Redemption:
    redemption = session.scalar(select(Redemption).options(joinedload(Redemption.reward),
                                                           joinedload(Redemption.advocate))
                                .where(Redemption.id == redemption_id))
    if redemption is None:
        raise NotFound("No such redemption.")
    return redemption


def approve(session: Session, *, staff: StaffUser, redemption_id: int, now: datetime) -> Redemption:
    redemption = _move(session, get_redemption(session, redemption_id), S.APPROVED,
                       decided_by_id=staff.id, decided_at=now)
    _tell(session, redemption, "approved", now)
    return redemption


def fulfil(session: Session, *, staff: StaffUser, redemption_id: int, now: datetime) -> Redemption:
    redemption = _move(session, get_redemption(session, redemption_id), S.FULFILLED,
                       fulfilled_at=now, decided_by_id=staff.id)
    _tell(session, redemption, "fulfilled", now)
    _emit(session, "fulfilled", redemption, now)
    return redemption


def reject(session: Session, *, staff: StaffUser, redemption_id: int, reason: str,
           now: datetime) -> Redemption:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why, so the advocate understands.", field="reason")
    redemption = _move(session, get_redemption(session, redemption_id), S.REJECTED, reason=reason[:1000],
                       decided_by_id=staff.id, decided_at=now, closed_at=now)
    _refund(session, redemption, now, actor_id=staff.id)
    _tell(session, redemption, "rejected", now)
    return redemption


def cancel(session: Session, *, advocate: Advocate, redemption_id: int, now: datetime) -> Redemption:
    """The advocate takes back a redemption that staff have not approved yet."""
    redemption = get_own_redemption(session, advocate=advocate, redemption_id=redemption_id)
    redemption = _move(session, redemption, S.CANCELLED, closed_at=now)
    _refund(session, redemption, now, actor_id=None)
    return redemption


def _refund(session: Session, redemption: Redemption, now: datetime, actor_id: int | None) -> None:
    ledger.post_entry(session, advocate_id=redemption.advocate_id, amount=redemption.points,
                      reason=LedgerReason.REFUND, idempotency_key=f"redemption-refund:{redemption.id}",
                      now=now, source=("redemption", redemption.id), note=f"Refund: {redemption.reward.name}",
                      actor_id=actor_id)
    _return_stock(session, redemption.reward_id)
    _emit(session, "refunded", redemption, now)


def _emit(session: Session, event: str, redemption: Redemption, now: datetime) -> None:
    """The redemption.<event> webhook event, in the change's transaction."""
    webhook_events.emit(session, f"redemption.{event}", {
        "redemption_id": redemption.id, "advocate_id": redemption.advocate_id,
        "reward_id": redemption.reward_id, "reward_name": redemption.reward.name, "points": redemption.points,
        "state": redemption.state.value, "reason": redemption.reason or None,
        "at": now.isoformat(timespec="seconds") + "Z"}, now)


_MESSAGES = {
    "approved": ("Your {reward} is on its way", "We are getting it ready; you will hear when it is sent."),
    "fulfilled": ("Your {reward} has been sent", "Enjoy it, and thank you for everything you do for us."),
    "rejected": ("We could not fulfil your {reward}",
                 "Your {points:,} points are back in your balance. {reason}"),
}


def _notify(session: Session, redemption_id: int, advocate_id: int, reward_name: str, points: int,
            reason: str, event: str, now: datetime) -> None:
    title, body = _MESSAGES[event]
    values = {"reward": reward_name, "points": points, "reason": reason}
    notifications.notify(session, kind="reward", title=title.format(**values), body=body.format(**values),
                         link="/portal/rewards/mine", dedupe_key=f"redemption-{event}:{redemption_id}",
                         now=now, advocate_id=advocate_id)


def _tell(session: Session, redemption: Redemption, event: str, now: datetime) -> None:
    _notify(session, redemption.id, redemption.advocate_id, redemption.reward.name, redemption.points,
            redemption.reason, event, now)


# --- Reading --------------------------------------------------------------------------------------

def get_own_redemption(session: Session, *, advocate: Advocate, redemption_id: int) -> Redemption:
    """The advocate's own redemption; anyone else's answers NotFound (never "forbidden")."""
    redemption = session.get(Redemption, redemption_id)
    if redemption is None or redemption.advocate_id != advocate.id:
        raise NotFound("No such redemption.")
    return redemption


def redemptions_of(session: Session, *, advocate_id: int, limit: int = 100) -> list[Redemption]:
    return list(session.scalars(select(Redemption).options(joinedload(Redemption.reward))
                                .where(Redemption.advocate_id == advocate_id)
                                .order_by(Redemption.created_at.desc(), Redemption.id.desc()).limit(limit)))


def queue(session: Session, *, states: tuple[RedemptionState, ...], page: int = 1,
          per_page: int = 50) -> tuple[list[Redemption], bool]:
    """Redemptions in these states, oldest first (the fulfilment queue); returns (rows, has_next)."""
    rows = list(session.scalars(
        select(Redemption).options(joinedload(Redemption.reward), joinedload(Redemption.advocate))
        .where(Redemption.state.in_(states)).order_by(Redemption.created_at, Redemption.id)
        .limit(per_page + 1).offset((max(1, page) - 1) * per_page)))
    return rows[:per_page], len(rows) > per_page


def state_counts(session: Session) -> dict[RedemptionState, int]:
    return dict(session.execute(select(Redemption.state, func.count()).group_by(Redemption.state)).all())
