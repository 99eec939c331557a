"""The demo rewards catalog and a few redemptions in every state, made through the services."""

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Advocate, AdvocateState, RewardKind, StaffUser, Status
from app.services import rewards

K = RewardKind
CATALOG = (
    # name, kind, points, stock, min status, needs approval, cost in cents, description
    ("Rallypoint hoodie", K.SWAG, 300, 40, Status.BRONZE, True, 3500,
     "Heavyweight organic cotton, embroidered logo. Tell us your size when you redeem."),
    ("Early access: the analytics workspace", K.EARLY_ACCESS, 150, None, Status.BRONZE, False, None,
     "Switched on for your team within a day, before anyone else gets it."),
    ("Plant a grove: 25 EUR donation", K.DONATION, 250, None, Status.BRONZE, True, 2500,
     "We donate to a reforestation charity in your name and send you the certificate."),
    ("Summit VIP pass", K.EVENT, 1500, 10, Status.SILVER, True, 40000,
     "Front-row seats, the speakers' dinner and a meet-up with our product leads."),
    ("Dinner with the product team", K.ADVISORY_SEAT, 3000, 4, Status.GOLD, True, 15000,
     "An evening with our CPO and two engineers: your roadmap questions, answered."),
    ("Noise-cancelling headphones", K.SWAG, 5000, 0, Status.BRONZE, True, 25000,
     "Back in stock next quarter."),
)


def load_rewards(session: Session, rng: random.Random, marketing: StaffUser, now: datetime) -> None:
    made = {}
    for name, kind, points, stock, status, approval, cents, text in CATALOG:
        made[name] = rewards.save_reward(session, now=now - timedelta(days=120), values=rewards.RewardValues(
            name=name, description=text, kind=kind, points_cost=points, stock=stock, min_status=status,
            requires_approval=approval, unit_cost_cents=cents, active=True))
    spenders = list(session.scalars(select(Advocate).where(Advocate.state == AdvocateState.ACTIVE,
                                                           Advocate.balance >= 700).order_by(Advocate.id)))
    plan = ("fulfilled", "fulfilled", "fulfilled", "approved", "approved", "requested", "requested",
            "requested", "rejected", "cancelled")
    for n, (advocate, outcome) in enumerate(zip(rng.sample(spenders, min(len(spenders), len(plan))), plan)):
        when = now - timedelta(days=rng.uniform(2, 40))
        reward = made["Rallypoint hoodie" if n % 3 else "Plant a grove: 25 EUR donation"]
        redemption = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key=f"demo:{n}",
                                    now=when, note="Size M" if reward.kind == K.SWAG else "")
        later = when + timedelta(days=1)
        if outcome in ("approved", "fulfilled"):
            rewards.approve(session, staff=marketing, redemption_id=redemption.id, now=later)
        if outcome == "fulfilled":
            rewards.fulfil(session, staff=marketing, redemption_id=redemption.id,
                           now=later + timedelta(days=2))
        elif outcome == "rejected":
            rewards.reject(session, staff=marketing, redemption_id=redemption.id, now=later,
                           reason="We have run out of that size; pick another reward any time.")
        elif outcome == "cancelled":
            rewards.cancel(session, advocate=advocate, redemption_id=redemption.id, now=later)
