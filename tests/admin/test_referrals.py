"""Staff referral pages: list with filters and funnel, detail with history, moves, role limits."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Advocate, LedgerEntry, ReferralState
from app.services import referrals
from app.services.referrals import pipeline as referral_pipeline
from tests.factories import make_advocate

R = ReferralState


def _submit(session, advocate, email, now):
    code = referrals.get_or_create_code(session, advocate_id=advocate.id, now=now).code
    friend = referrals.Friend(f"Friend {email}", email, "Co")
    return referrals.submit_referral(session, code=code, friend=friend,
                                     client_hash="c", now=now, client_limit=100, client_window_minutes=60)


@pytest.fixture
def referral(session, now):
    advocate = make_advocate(session, name="Rita Referrer")
    made = _submit(session, advocate, "fran@otherco.com", now)
    session.commit()
    return made


def test_marketing_lists_filters_and_sees_the_program_funnel(as_role, client, session, referral, now):
    domain = referral.referrer.email.split("@")[1]
    rejected = _submit(session, referral.referrer, f"rita-colleague@{domain}", now)
    session.commit()
    as_role("marketing")
    page = client.get("/admin/referrals").get_data(as_text=True)
    assert "Friend fran@otherco.com" in page and "Rita Referrer" in page and "Conversion rate" in page
    only_rejected = client.get("/admin/referrals?state=rejected").get_data(as_text=True)
    assert rejected.friend_name in only_rejected and "Friend fran@otherco.com" not in only_rejected
    assert "Same company" in only_rejected
    assert client.get("/admin/referrals?state=bogus").status_code == 200


def test_marketing_qualifies_and_converts_and_the_referrer_is_awarded(as_role, client, session, referral):
    as_role("marketing")
    response = client.post(f"/admin/referrals/{referral.id}/qualify", data={"qualify-note": "Call booked"})
    assert response.status_code == 302
    response = client.post(f"/admin/referrals/{referral.id}/convert", data={"convert-deal_amount": "24000"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Converted: the referrer gets 1,000 points." in page and "24,000" in page
    assert "Submitted → Qualified" in page and "Call booked" in page and "Qualified → Converted" in page
    assert db.session.get(Advocate, referral.referrer_id).balance == 1400


def test_a_double_click_moves_once(as_role, client, session, referral):
    as_role("marketing")
    client.post(f"/admin/referrals/{referral.id}/qualify", data={})
    again = client.post(f"/admin/referrals/{referral.id}/qualify", data={}, follow_redirects=True)
    assert "cannot become qualified" in again.get_data(as_text=True)
    assert len(session.scalars(select(LedgerEntry)).all()) == 1


@pytest.mark.parametrize("amount", ["", "0", "-3", "abc"])
def test_a_bad_deal_amount_shows_by_the_field_and_changes_nothing(as_role, client, session, referral, amount,
                                                                now):
    staff = as_role("marketing")
    referral_pipeline.move_referral(session, referral_id=referral.id, to=R.QUALIFIED, staff=staff, now=now)
    session.commit()
    response = client.post(f"/admin/referrals/{referral.id}/convert", data={"convert-deal_amount": amount})
    assert response.status_code == 422 and 'id="convert-deal_amount-error"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(type(referral), referral.id).state == R.QUALIFIED


def test_marking_lost(as_role, client, session, referral):
    as_role("marketing")
    client.post(f"/admin/referrals/{referral.id}/lost",
                data={"lost-note": "Chose a competitor", "confirmed": "yes"})
    session.expire_all()
    assert session.get(type(referral), referral.id).state == R.LOST
    assert client.post(f"/admin/referrals/{referral.id}/nonsense", data={}).status_code == 404


def test_a_csm_sees_their_own_advocates_referrals_read_only(as_role, client, session, now):
    csm = as_role("csm")
    owned = make_advocate(session, owner_id=csm.id)
    mine = _submit(session, owned, "mine@a.com", now)
    theirs = _submit(session, make_advocate(session), "theirs@b.com", now)
    session.commit()
    page = client.get("/admin/referrals").get_data(as_text=True)
    assert "mine@a.com" in page and "theirs@b.com" not in page
    detail = client.get(f"/admin/referrals/{mine.id}").get_data(as_text=True)
    assert "mine@a.com" in detail and "/qualify" not in detail
    assert client.get(f"/admin/referrals/{theirs.id}").status_code == 404
    assert client.post(f"/admin/referrals/{mine.id}/qualify", data={}).status_code == 403


def test_advocates_are_kept_out(as_role, client, referral):
    as_role("advocate")
    assert client.get("/admin/referrals").status_code == 403
    assert client.get(f"/admin/referrals/{referral.id}").status_code == 403


def test_the_detail_shows_the_rejection_reason(as_role, client, session, referral, now):
    rejected = _submit(session, referral.referrer, referral.referrer.email, now)
    session.commit()
    as_role("admin")
    page = client.get(f"/admin/referrals/{rejected.id}").get_data(as_text=True)
    assert "Self referral" in page and "the referrer&#39;s own" in page
    assert not re.search(r"referral_move|/qualify", page)


def test_admins_edit_the_referral_settings(as_role, client, session):
    from app.services.program import settings
    from tests.admin.test_settings import form

    as_role("admin")
    response = client.post("/admin/settings", data=form(referral_friend_offer="A free month",
                                                        referral_burst_per_hour="8"))
    assert response.status_code == 302
    saved = settings.load(session)
    assert (saved.referral_friend_offer, saved.referral_burst_per_hour) == ("A free month", 8)
    for field, value in (("referral_qualified_points", "0"), ("referral_burst_per_hour", "5000"),
                         ("referral_friend_offer", " ")):
        bad = client.post("/admin/settings", data=form(**{field: value}))
        assert f'id="{field}-error"' in bad.get_data(as_text=True), field
    saved = settings.load(session)
    assert (saved.referral_qualified_points, saved.referral_friend_offer) == (400, "A free month")

