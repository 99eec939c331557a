"""Benchmark of redeeming rewards: `redeem_per_s`, one transaction per redemption (as a web request
does), on the main benchmark's database, for a reward with limited stock (so the guarded stock update
runs too). Every redemption also writes its ledger debit; the figure counts committed redemptions."""

import random
import time
import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, Redemption, RewardKind, Status
from app.services import rewards

COST = 50


def measure(session: Session, *, now: datetime, rng: random.Random, seconds: float = 4.0) -> dict[str, str]:
    reward = rewards.save_reward(session, values=rewards.RewardValues(
        name="Bench mug", description="", kind=RewardKind.SWAG, points_cost=COST, stock=1_000_000,
        min_status=Status.BRONZE, requires_approval=True, unit_cost_cents=None, active=True), now=now)
    session.commit()
    rich = list(session.scalars(select(Advocate.id).where(Advocate.balance >= COST * 200,
                                                          Advocate.state == AdvocateState.ACTIVE)))
    assert rich, "the bench data should hold advocates with points to spend"
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        advocate = session.get(Advocate, rng.choice(rich))
        rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key=uuid.uuid4().hex, now=now)
        session.commit()
        done += 1
    elapsed = time.perf_counter() - started
    assert session.scalar(select(func.count()).select_from(Redemption).where(
        Redemption.reward_id == reward.id)) == done
    session.refresh(reward)
    assert reward.stock == 1_000_000 - done
    session.expunge_all()
    return {"redeem_per_s": f"{done / elapsed:.0f}"}
