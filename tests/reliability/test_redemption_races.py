"""Redemptions under concurrency, on SQLite and PostgreSQL: stock is never oversold and a balance
never goes below zero, however many requests arrive at once."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Advocate, Redemption, Reward, RewardKind
from app.services import rewards
from app.services.points import ledger
from tests.factories import fund, make_advocate, make_reward
from tests.reliability.conftest import race


def _reward(session, now, *, cost, stock):
    return make_reward(session, name="Conference pass", kind=RewardKind.EVENT, points_cost=cost, stock=stock)


def _funded(session, now, points):
    return fund(session, make_advocate(session), points).id


def test_a_hundred_redemptions_of_ten_in_stock_sell_ten(race_app, now):
    with race_app.app_context():
        reward_id = _reward(db.session, now, cost=100, stock=10).id
        advocate_ids = [_funded(db.session, now, 500) for _ in range(100)]
        db.session.commit()
    queue = list(advocate_ids)

    def redeem(session):
        advocate_id = queue.pop()
        rewards.redeem(session, advocate=session.get(Advocate, advocate_id), reward_id=reward_id,
                       request_key=f"race:{advocate_id}", now=now)

    outcomes = race(race_app, redeem, threads=100)
    assert outcomes == {"ok": 10, "Conflict": 90}
    with race_app.app_context():
        session = db.session
        assert session.get(Reward, reward_id).stock == 0
        assert session.scalar(select(func.count()).select_from(Redemption)) == 10
        assert ledger.verify(session) == []
        session.remove()


def test_twenty_redemptions_by_one_advocate_who_can_afford_three(race_app, now):
    with race_app.app_context():
        reward_id = _reward(db.session, now, cost=100, stock=None).id
        advocate_id = _funded(db.session, now, 350)
        db.session.commit()
    keys = iter(range(20))

    def redeem(session):
        rewards.redeem(session, advocate=session.get(Advocate, advocate_id), reward_id=reward_id,
                       request_key=f"burst:{next(keys)}", now=now)

    outcomes = race(race_app, redeem, threads=20)
    assert outcomes == {"ok": 3, "ValidationFailed": 17}
    with race_app.app_context():
        session = db.session
        assert session.get(Advocate, advocate_id).balance == 50
        assert ledger.verify(session) == []
        session.remove()
