"""Irreversible one-click actions ask first: without `confirmed=yes` the route changes nothing and
answers with the confirmation page (which sends the same fields again, confirmed); with it, it acts.
The buttons carry the same question for the in-page dialog."""

import re
from datetime import timedelta

import pytest

from app.models import (
    ApiKey,
    ApiScope,
    Ask,
    AskState,
    Attempt,
    Mission,
    Redemption,
    RedemptionState,
    Referral,
)
from app.models import ReferralState as R
from app.services import rewards
from app.services.api import keys as api_keys
from tests.admin.test_asks import queued_ask
from tests.admin.test_referrals import _submit
from tests.factories import fund, make_advocate, make_mission, make_reward, make_staff


def _key(session, now):
    made = api_keys.create_key(session, name="CRM <sync>", scope=ApiScope.READ,
                               created_by=make_staff(session), now=now)
    return made.key, f"/admin/api-keys/{made.key.id}/revoke", {}, lambda k: k.revoked_at is not None


def _mission(session, now):
    mission = make_mission(session, title="Review us on G2")
    return mission, f"/admin/missions/{mission.id}/archive", {"archived": "1"}, lambda m: m.archived


def _ask(session, now):
    ask = queued_ask(session, make_advocate(session, name="Ada Ready"), make_mission(session),
                     until=now + timedelta(days=5))
    return ask, f"/admin/asks/{ask.id}/drop", {"page": "1"}, lambda a: a.state != AskState.QUEUED


def _redemption(session, now, state=RedemptionState.REQUESTED):
    advocate = fund(session, make_advocate(session, name="Ada Advocate"), 500)
    redemption = rewards.redeem(session, advocate=advocate, reward_id=make_reward(session, name="Hoodie").id,
                                request_key="k", now=now)
    if state == RedemptionState.APPROVED:
        rewards.approve(session, staff=make_staff(session), redemption_id=redemption.id, now=now)
    return redemption


def _fulfil(session, now):
    redemption = _redemption(session, now, RedemptionState.APPROVED)
    return (redemption, f"/admin/redemptions/{redemption.id}/fulfil", {"tab": "approved"},
            lambda r: r.state == RedemptionState.FULFILLED)


def _reject(session, now):
    redemption = _redemption(session, now)
    data = {"tab": "open", "reason": "Out of stock"}
    return (redemption, f"/admin/redemptions/{redemption.id}/reject", data,
            lambda r: r.state == RedemptionState.REJECTED)


def _lost(session, now):
    referral = _submit(session, make_advocate(session, name="Rita Referrer"), "fran@otherco.com", now)
    return (referral, f"/admin/referrals/{referral.id}/lost", {"lost-note": "Chose a rival"},
            lambda r: r.state == R.LOST)


ACTIONS = {
    "revoke a key": (_key, ApiKey, "Revoke the API key “CRM &lt;sync&gt;”?", "Revoke key"),
    "archive a mission": (_mission, Mission, "Archive “Review us on G2”?", "Archive mission"),
    "drop an ask": (_ask, Ask, "Drop the ask to Ada Ready?", "Drop ask"),
    "mark a redemption sent": (_fulfil, Redemption, "Mark Hoodie for Ada Advocate as sent?", "Mark as sent"),
    "reject a redemption": (_reject, Redemption, "Reject Hoodie for Ada Advocate?", "Reject and refund"),
    "mark a referral lost": (_lost, Referral, "Mark the referral of", "Mark as lost"),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_without_confirmation_nothing_changes_and_the_confirmation_page_answers(
        as_role, client, session, now, action):
    make, model, title, label = ACTIONS[action]
    thing, url, data, done = make(session, now)
    session.commit()
    as_role("admin")
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and title in page and f">{label}</button>" in page
    assert f'action="{url}"' in page and '<input type="hidden" name="confirmed" value="yes">' in page
    for name, value in data.items():  # the page sends the same fields again
        assert f'<input type="hidden" name="{name}" value="{value}">' in page
    assert re.search(r'<a role="button"[^>]*href="/[^"]*">Cancel</a>', page)
    session.expire_all()
    assert not done(session.get(model, thing.id))


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_with_confirmation_the_action_happens(as_role, client, session, now, action):
    make, model, _, _ = ACTIONS[action]
    thing, url, data, done = make(session, now)
    session.commit()
    as_role("admin")
    assert client.post(url, data={**data, "confirmed": "yes"}).status_code == 302
    session.expire_all()
    assert done(session.get(model, thing.id))


def test_restoring_an_archived_mission_does_not_ask(as_role, client, session):
    mission = make_mission(session, archived=True)
    session.commit()
    as_role("marketing")
    assert client.post(f"/admin/missions/{mission.id}/archive", data={"archived": "0"}).status_code == 302
    session.refresh(mission)
    assert not mission.archived


def test_the_buttons_carry_the_question_for_the_dialog(as_role, client, session, now):
    _key(session, now)
    make_mission(session, title="Review us on G2")
    session.commit()
    as_role("admin")
    keys = client.get("/admin/api-keys").get_data(as_text=True)
    assert 'data-confirm-title="Revoke the API key “CRM &lt;sync&gt;”?"' in keys
    assert 'data-confirm-label="Revoke key"' in keys and 'src="/static/js/confirm.js"' in keys
    missions = client.get("/admin/missions").get_data(as_text=True)
    assert 'data-confirm-title="Archive “Review us on G2”?"' in missions


def test_an_advocate_cancelling_a_redemption_is_asked_first(client, login, session, now):
    redemption = _redemption(session, now)
    session.commit()
    login(redemption.advocate)
    url = f"/portal/rewards/mine/{redemption.id}/cancel"
    asked = client.post(url)
    assert asked.status_code == 200 and "Cancel Hoodie?" in asked.get_data(as_text=True)
    session.expire_all()
    assert session.get(Redemption, redemption.id).state == RedemptionState.REQUESTED
    assert 'data-confirm-title="Cancel Hoodie?"' in client.get("/portal/rewards/mine").get_data(as_text=True)
    assert client.post(url, data={"confirmed": "yes"}).status_code == 302
    session.expire_all()
    assert session.get(Redemption, redemption.id).state == RedemptionState.CANCELLED


def test_an_advocate_declining_a_mission_is_asked_first_and_the_reason_is_kept(client, login, session):
    advocate = make_advocate(session)
    mission = make_mission(session, title="Speak at our conference")
    session.commit()
    login(advocate)
    asked = client.post(f"/portal/missions/{mission.id}/decline", data={"reason": "Too busy"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Decline “Speak at our conference”?" in page
    assert '<input type="hidden" name="reason" value="Too busy">' in page
    assert "Decline “Speak at our conference”?" in client.get(f"/portal/missions/{mission.id}").get_data(
        as_text=True)
    assert session.query(Attempt).count() == 0
