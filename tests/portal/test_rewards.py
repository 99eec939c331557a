"""The advocate's rewards pages: browse, redeem (once per form), follow and cancel; nobody else's."""

import re

import pytest
from sqlalchemy import func, select

from app.models import LedgerReason, Redemption, RedemptionState, RewardKind
from app.services import rewards
from app.services.points import ledger
from tests.conftest import session_token
from tests.factories import fund, make_advocate, make_reward


@pytest.fixture
def hoodie(session):
    return make_reward(session, name="Rallypoint hoodie", description="Soft & <warm>.", stock=2)


@pytest.fixture
def advocate(session, login):
    advocate = fund(session, make_advocate(session), 500)
    session.commit()
    login(advocate)
    return advocate


def _key(html: str) -> str:
    return re.search(r'name="request_key" type="hidden" value="([0-9a-f]+)"', html).group(1)


def test_the_catalog_shows_what_the_advocate_can_redeem(client, session, advocate, hoodie, now):
    make_reward(session, name="Summit VIP pass", kind=RewardKind.EVENT, points_cost=5000, stock=None)
    session.commit()
    html = client.get("/portal/rewards").get_data(as_text=True)
    assert "Rallypoint hoodie" in html and "2 left" in html
    assert "4,500 more points needed." in html and "500 points" in html


def test_redeeming_through_the_form_once(client, session, advocate, hoodie):
    page = client.get(f"/portal/rewards/{hoodie.id}").get_data(as_text=True)
    assert "Soft &amp; &lt;warm&gt;." in page  # escaped
    data = {"request_key": _key(page), "note": "Size L"}
    first = client.post(f"/portal/rewards/{hoodie.id}", data=data)
    again = client.post(f"/portal/rewards/{hoodie.id}", data=data)  # a double click
    assert first.status_code == again.status_code == 302
    assert session.scalar(select(func.count()).select_from(Redemption)) == 1
    session.refresh(advocate)
    assert advocate.balance == 200
    mine = client.get("/portal/rewards/mine").get_data(as_text=True)
    assert "Rallypoint hoodie" in mine and "Waiting for our team to confirm" in mine


def test_too_few_points_shows_why_and_changes_nothing(client, session, advocate, hoodie, now):
    ledger.post_entry(session, advocate_id=advocate.id, amount=-400, reason=LedgerReason.ADJUSTMENT,
                      idempotency_key="spend", now=now, note="test")
    session.commit()
    page = client.get(f"/portal/rewards/{hoodie.id}").get_data(as_text=True)
    assert "200 more points needed." in page and "Redeem for" not in page
    response = client.post(f"/portal/rewards/{hoodie.id}", data={"request_key": "abc123"})
    assert response.status_code == 200 and "your balance is lower" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Redemption)) == 0
    session.refresh(hoodie)
    assert hoodie.stock == 2


def test_cancel_refunds_and_another_advocates_redemption_is_404(client, session, advocate, hoodie, now):
    mine = rewards.redeem(session, advocate=advocate, reward_id=hoodie.id, request_key="m", now=now)
    other = fund(session, make_advocate(session), 500)
    theirs = rewards.redeem(session, advocate=other, reward_id=hoodie.id, request_key="t", now=now)
    session.commit()
    assert client.post(f"/portal/rewards/mine/{theirs.id}/cancel").status_code == 404
    assert client.post(f"/portal/rewards/mine/{mine.id}/cancel", data={"confirmed": "yes"}).status_code == 302
    session.expire_all()
    assert session.get(Redemption, mine.id).state == RedemptionState.CANCELLED
    assert session.get(Redemption, theirs.id).state == RedemptionState.REQUESTED
    assert "Other" not in client.get("/portal/rewards/mine").get_data(as_text=True)


def test_an_inactive_or_unknown_reward_is_404(client, session, advocate, hoodie):
    hoodie.active = False
    session.commit()
    assert client.get(f"/portal/rewards/{hoodie.id}").status_code == 404
    assert client.get("/portal/rewards/999999").status_code == 404


def test_redeem_and_cancel_need_a_csrf_token(app_factory, now):
    from app.extensions import db

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        session = db.session
        advocate = fund(session, make_advocate(session), 500)
        reward = make_reward(session, name="Mug", points_cost=100, stock=None)
        redemption = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="x", now=now)
        session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token(advocate), True
        client.post(f"/portal/rewards/{reward.id}", data={"request_key": "fresh"})
        assert client.post(f"/portal/rewards/mine/{redemption.id}/cancel").status_code == 400
        assert session.scalar(select(func.count()).select_from(Redemption)) == 1
        session.remove()
