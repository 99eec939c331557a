"""Staff rewards pages: the catalog (marketing and admin only) and the fulfilment queue."""

import pytest
from sqlalchemy import func, select

from app.models import Redemption, RedemptionState, Reward, RewardKind
from app.services import rewards
from tests.factories import fund, make_advocate, make_reward

FORM = {"name": "Charity donation", "description": "We give 25 EUR in your name.", "kind": "donation",
        "points_cost": "250", "stock": "", "min_status": "bronze", "unit_cost_cents": "2500",
        "requires_approval": "y", "active": "y"}


@pytest.mark.parametrize("url", ["/admin/rewards", "/admin/rewards/new", "/admin/redemptions"])
def test_csm_and_advocates_are_kept_out(as_role, client, url):
    as_role("csm")
    assert client.get(url).status_code == 403
    client.get("/logout")
    as_role("advocate")
    assert client.get(url).status_code in (302, 403, 404)


def test_marketing_adds_and_edits_a_reward(as_role, client, session):
    as_role("marketing")
    assert client.post("/admin/rewards/new", data=FORM).status_code == 302
    reward = session.scalars(select(Reward)).one()
    assert (reward.points_cost, reward.stock, reward.kind) == (250, None, RewardKind.DONATION)
    edited = client.post(f"/admin/rewards/{reward.id}", data={**FORM, "stock": "7", "active": ""})
    assert edited.status_code == 302
    session.refresh(reward)
    assert (reward.stock, reward.active) == (7, False)
    assert "Charity donation" in client.get("/admin/rewards").get_data(as_text=True)


@pytest.mark.parametrize("bad, field", [({"points_cost": "0"}, "points_cost"), ({"name": ""}, "name"),
                                        ({"stock": "-3"}, "stock"), ({"kind": "yacht"}, "kind")])
def test_bad_input_is_shown_at_the_field_and_saves_nothing(as_role, client, session, bad, field):
    as_role("admin")
    response = client.post("/admin/rewards/new", data={**FORM, **bad})
    assert response.status_code == 200 and f'id="{field}-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Reward)) == 0


def _requested(session, now):
    reward = make_reward(session, name="Hoodie", stock=3)
    advocate = fund(session, make_advocate(session, name="Ada Advocate"), 500)
    redemption = rewards.redeem(session, advocate=advocate, reward_id=reward.id, request_key="k", now=now,
                                note="Size S")
    session.commit()
    return redemption


def test_the_queue_approves_then_marks_sent(as_role, client, session, now):
    redemption = _requested(session, now)
    as_role("marketing")
    html = client.get("/admin/redemptions").get_data(as_text=True)
    assert "Ada Advocate" in html and "Size S" in html and "To approve (1)" in html
    client.post(f"/admin/redemptions/{redemption.id}/approve", data={"tab": "open"})
    client.post(f"/admin/redemptions/{redemption.id}/approve", data={"tab": "open"})  # a second click
    assert "Mark as sent" in client.get("/admin/redemptions?state=approved").get_data(as_text=True)
    client.post(f"/admin/redemptions/{redemption.id}/fulfil", data={"tab": "approved", "confirmed": "yes"})
    session.expire_all()
    assert session.get(Redemption, redemption.id).state == RedemptionState.FULFILLED


def test_rejecting_needs_a_reason_and_refunds(as_role, client, session, now):
    redemption = _requested(session, now)
    as_role("admin")
    response = client.post(f"/admin/redemptions/{redemption.id}/reject", data={"reason": ""},
                           follow_redirects=True)
    assert "Not rejected" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Redemption, redemption.id).state == RedemptionState.REQUESTED
    client.post(f"/admin/redemptions/{redemption.id}/reject",
                data={"reason": "Out of size S", "confirmed": "yes"})
    session.expire_all()
    rejected = session.get(Redemption, redemption.id)
    assert rejected.state == RedemptionState.REJECTED and rejected.advocate.balance == 500
    assert "Out of size S" in client.get("/admin/redemptions?state=closed").get_data(as_text=True)
