"""The referral landing page through the test client: offer, sign-up, attribution, limits."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMessage, Referral, ReferralClick, ReferralState
from app.services import clock, referrals
from tests.factories import make_advocate
from tests.statements import fresh, watched

FRIEND = {"name": "Fran Friend", "email": "fran@otherco.com", "company": "Other Co"}


@pytest.fixture
def referrer(session):
    return make_advocate(session, name="Rita Referrer", email="rita.secret@acme-corp.com",
                         company="Acme Corp")


@pytest.fixture
def code(session, referrer, now):
    value = referrals.get_or_create_code(session, advocate_id=referrer.id, now=now).code
    session.commit()
    return value


def _code_for(advocate, now) -> str:
    return referrals.get_or_create_code(db.session, advocate_id=advocate.id, now=now).code


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_landing_page_shows_the_two_sided_offer_and_never_the_referrers_email(client, code, session):
    page = client.get(f"/r/{code}").get_data(as_text=True)
    assert "Rita" in page and "Acme Corp" in page and "Referrer" not in page
    assert "rita.secret" not in page and "acme-corp.com" not in page
    assert "15% off your first year" in page and "400 points when your friend qualifies" in page
    assert 'name="email"' in page
    assert count(session, ReferralClick) == 1


def test_an_unknown_code_is_a_friendly_404(client, session):
    response = client.get("/r/not-a-real-code")
    assert response.status_code == 404 and "could not find that invitation" in response.get_data(as_text=True)
    assert client.post("/r/not-a-real-code", data=FRIEND).status_code == 404
    assert client.get("/r/").status_code == 404
    assert count(session, Referral) == count(session, ReferralClick) == 0


def test_signing_up_shows_the_thank_you_page_with_the_discount_code(client, code, session):
    response = client.post(f"/r/{code}", data=FRIEND)
    assert response.status_code == 302 and response.headers["Location"] == f"/r/{code}/thanks"
    referral = session.scalars(select(Referral)).one()
    assert referral.state == ReferralState.SUBMITTED
    page = client.get(f"/r/{code}/thanks").get_data(as_text=True)
    assert referral.discount_code in page and "15% off your first year" in page
    assert "rita.secret" not in page
    assert session.scalars(select(OutboxMessage.dedupe_key)).one() == f"referral-welcome:{referral.id}"


def test_the_thank_you_page_needs_the_browser_that_signed_up(app, client, code, session):
    client.post(f"/r/{code}", data=FRIEND)
    stranger = app.test_client()
    response = stranger.get(f"/r/{code}/thanks")
    assert response.status_code == 302 and response.headers["Location"] == f"/r/{code}"


def test_a_rejected_sign_up_gets_no_discount_code(client, code, session):
    client.post(f"/r/{code}", data={**FRIEND, "email": "colleague@acme-corp.com"})
    page = client.get(f"/r/{code}/thanks").get_data(as_text=True)
    assert "does not qualify" in page and "FRIEND-" not in page
    assert count(session, OutboxMessage) == 0


@pytest.mark.parametrize(("data", "field"), [({**FRIEND, "name": ""}, "name"),
                                            ({**FRIEND, "email": "nope"}, "email"),
                                            ({**FRIEND, "email": ""}, "email"),
                                            ({**FRIEND, "company": "x" * 121}, "company")])
def test_bad_input_shows_the_error_by_the_field_and_changes_nothing(client, code, session, data, field):
    response = client.post(f"/r/{code}", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert count(session, Referral) == count(session, OutboxMessage) == count(session, ReferralClick) == 0


def test_the_friends_text_is_escaped(client, code, session):
    client.post(f"/r/{code}", data={**FRIEND, "name": "<script>alert(1)</script>"})
    page = client.get(f"/r/{code}/thanks").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_the_post_needs_a_csrf_token(app_factory, now):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        code = _code_for(make_advocate(db.session), now)
        db.session.commit()
        client = app.test_client()
        assert client.post(f"/r/{code}", data=FRIEND).status_code == 400
        assert count(db.session, Referral) == 0
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get(f"/r/{code}").get_data(as_text=True)).group(1)
        assert client.post(f"/r/{code}", data={**FRIEND, "csrf_token": token}).status_code == 302
        assert count(db.session, Referral) == 1
        db.session.remove()


def test_a_client_over_the_limit_gets_a_friendly_429(app_factory, now):
    app = app_factory(REFERRAL_MAX_PER_CLIENT=2)
    with app.app_context():
        code = _code_for(make_advocate(db.session), now)
        db.session.commit()
        client = app.test_client()
        for i in range(2):
            assert client.post(f"/r/{code}", data={**FRIEND, "email": f"f{i}@f{i}.com"}).status_code == 302
        response = client.post(f"/r/{code}", data={**FRIEND, "email": "f9@f9.com"})
        assert response.status_code == 429 and "Too many sign-ups" in response.get_data(as_text=True)
        assert count(db.session, Referral) == 2
        db.session.remove()


def test_clicks_are_stored_with_a_hash_not_the_address(client, code, session):
    client.get(f"/r/{code}", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    click = session.scalars(select(ReferralClick)).one()
    assert "203.0.113.7" not in click.client_hash and len(click.client_hash) == 32


# -- attribution ---------------------------------------------------------------------------------

@pytest.fixture
def second_code(session, now):
    value = referrals.get_or_create_code(session, advocate_id=make_advocate(
        session, name="Sam Second", company="Second Inc").id, now=now).code
    session.commit()
    return value


def test_a_friend_who_returns_within_30_days_is_still_attributed(client, code, session, now):
    client.get(f"/r/{code}")
    clock.freeze(now + timedelta(days=29))
    page = client.get("/r/").get_data(as_text=True)
    assert "Rita" in page and f'action="/r/{code}"' in page
    client.post(f"/r/{code}", data=FRIEND)
    assert session.scalars(select(Referral)).one().code.code == code


def test_after_30_days_the_attribution_has_lapsed(client, code, session, now):
    client.get(f"/r/{code}")
    clock.freeze(now + timedelta(days=31))
    assert client.get("/r/").status_code == 404


def test_the_first_link_wins_over_a_later_one(client, code, second_code, session, now):
    client.get(f"/r/{code}")
    clock.freeze(now + timedelta(days=3))
    page = client.get(f"/r/{second_code}").get_data(as_text=True)
    assert "Rita" in page and "Sam" not in page
    client.post(f"/r/{second_code}", data=FRIEND)
    referral = session.scalars(select(Referral)).one()
    assert referral.code.code == code
    assert count(session, ReferralClick) == 2


def test_a_lapsed_first_link_gives_way_to_a_new_one(client, code, second_code, session, now):
    client.get(f"/r/{code}")
    clock.freeze(now + timedelta(days=40))
    assert "Sam" in client.get(f"/r/{second_code}").get_data(as_text=True)
    clock.freeze(now + timedelta(days=45))
    assert "Sam" in client.get("/r/").get_data(as_text=True)


def test_a_forged_cookie_is_ignored(client, code, second_code):
    client.set_cookie("rp_referral", "forged-value")
    assert "Sam" in client.get(f"/r/{second_code}").get_data(as_text=True)


def test_opening_the_link_and_signing_up_each_take_one_write_transaction(app, client, code, session):
    """The landing page records the click in one short write transaction and reads the rest; the
    sign-up's redirect needs nothing reloaded after its commit."""
    with watched(db.engine) as seen:
        page = fresh(app, lambda: client.get(f"/r/{code}"))
    assert page.status_code == 200 and "Acme Corp" in page.get_data(as_text=True)
    assert seen.writes == 1
    with watched(db.engine) as seen:
        response = fresh(app, lambda: client.post(f"/r/{code}", data=FRIEND))
    assert response.status_code == 302 and seen.transactions == 1
    assert "fran@otherco.com" in fresh(app, lambda: client.get(f"/r/{code}/thanks")).get_data(as_text=True)
    assert count(session, ReferralClick) == 1
