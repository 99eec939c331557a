"""The advocate's Refer a friend page: link, share text, funnel, own referrals only."""

from app.services import clock, referrals
from app.services.referrals import pipeline as referral_pipeline
from tests.factories import make_advocate, make_staff


def _submit(session, code, email, now):
    friend = referrals.Friend("Fran Friend", email, "Other Co")
    return referrals.submit_referral(session, code=code, friend=friend,
                                     client_hash="c", now=now, client_limit=100, client_window_minutes=60)


def test_the_page_shows_the_link_share_text_and_copy_button(portal, advocate, session):
    page = portal.get("/portal/referrals").get_data(as_text=True)
    code = referrals.get_or_create_code(session, advocate_id=advocate.id, now=clock.utcnow()).code
    assert f'value="http://localhost/r/{code}" readonly' in page
    assert "Ready-to-send message" in page and "15% off your first year" in page
    assert 'data-copy="referral-link"' in page and "js/copy.js" in page
    assert 'href="/portal/referrals" aria-current="page"' in page


def test_the_funnel_and_list_show_the_advocates_own_referrals_only(portal, advocate, session, now):
    mine = referrals.get_or_create_code(session, advocate_id=advocate.id, now=now).code
    referrals.record_click(session, code=mine, client_hash="h", now=now)
    referral = _submit(session, mine, "fran@otherco.com", now)
    referral_pipeline.move_referral(session, referral_id=referral.id, to=referral.state.QUALIFIED,
                                    staff=make_staff(session), now=now)
    other = make_advocate(session)
    _submit(session, referrals.get_or_create_code(session, advocate_id=other.id, now=now).code,
            "secret.prospect@elsewhere.com", now)
    session.commit()
    page = portal.get("/portal/referrals").get_data(as_text=True)
    assert "Fran Friend" in page and "Other Co" in page and "Qualified" in page
    assert "secret.prospect" not in page and other.name not in page


def test_other_advocates_referrals_are_not_reachable(portal, session, now):
    other = make_advocate(session)
    theirs = _submit(session, referrals.get_or_create_code(session, advocate_id=other.id, now=now).code,
                     "x@x.com", now)
    session.commit()
    assert portal.get(f"/admin/referrals/{theirs.id}").status_code == 403
    assert portal.get(f"/portal/referrals/{theirs.id}").status_code == 404
