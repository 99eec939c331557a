"""The qualified list and inviting from it, and the identification settings.

Importing customer records: test_customer_imports.py."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.models import AdvocateState, CustomerSignal, Invite, ProgramSetting
from app.services.customers import readiness
from app.services.program.settings import DEFAULTS
from tests.conftest import session_token
from tests.factories import make_advocate


def invite(client, ids):
    return client.post("/admin/qualified/invite", data={"advocate_ids": ids})


def qualified_customers(session, now, count=5):
    """`count` invited customers, best first; of five, the first three get tiers 1, 2 and 3."""
    people = []
    for n in range(count):
        advocate = make_advocate(session, state=AdvocateState.INVITED, password_hash=None, nps=10,
                                 health_score=90 - n, customer_since=date(2024, 1, 1))
        session.add(CustomerSignal(advocate_id=advocate.id, usage_depth=90 - 10 * n,
                                   last_active_on=now.date(), updated_at=now))
        people.append(advocate)
    session.flush()
    readiness.score_customers(session, now=now)
    session.commit()
    session.expire_all()
    return people


def test_marketing_sees_the_qualified_list_by_tier_with_signals(as_role, client, session, now):
    people = qualified_customers(session, now)
    member = make_advocate(session, nps=10)
    session.commit()
    as_role("marketing")
    page = client.get("/admin/qualified").get_data(as_text=True)
    assert all(p.name in page for p in people[:3]) and member.name not in page
    assert people[3].name not in page
    assert page.index(people[0].name) < page.index(people[1].name)
    assert "Tier 1 (1)" in page and "Usage 90" in page and "Not invited" in page
    tier_three = client.get("/admin/qualified?tier=3").get_data(as_text=True)
    assert people[2].name in tier_three and people[0].name not in tier_three
    assert client.get("/admin/qualified?tier=9").status_code == 200


@pytest.mark.parametrize("role", ["csm", "advocate"])
def test_csms_and_advocates_may_not_see_or_invite_the_qualified(as_role, client, session, now, role):
    people = qualified_customers(session, now)
    as_role(role)
    assert client.get("/admin/qualified").status_code == 403
    assert invite(client, [people[0].id]).status_code == 403
    assert session.scalar(select(func.count()).select_from(Invite)) == 0


def test_inviting_several_makes_one_invitation_each_and_shows_their_links(as_role, client, session, now):
    people = qualified_customers(session, now)
    as_role("marketing")
    chosen = [people[0].id, people[2].id]
    page = client.post("/admin/qualified/invite", data={"advocate_ids": chosen}).get_data(as_text=True)
    assert "Invitations ready" in page and page.count("http://localhost/invite/") == 2
    invites = session.scalars(select(Invite)).all()
    assert sorted(i.advocate_id for i in invites) == sorted(chosen)
    again = client.post("/admin/qualified/invite", data={"advocate_ids": chosen}).get_data(as_text=True)
    assert "Already invited" in again and session.scalar(select(func.count()).select_from(Invite)) == 2
    listing = client.get("/admin/qualified").get_data(as_text=True)
    assert listing.count("Pending") == 2 and listing.count("Not invited") == 1


def test_an_invitation_link_from_the_list_opens_the_join_page(as_role, client, session, now):
    people = qualified_customers(session, now, count=1)
    as_role("marketing")
    page = invite(client, [people[0].id]).get_data(as_text=True)
    link = page.split('readonly value="')[1].split('"')[0]
    client.get("/logout")
    assert client.get(link.replace("http://localhost", "")).status_code == 200


def test_inviting_nobody_or_a_member_is_refused_and_changes_nothing(as_role, client, session, now):
    qualified_customers(session, now)
    member = make_advocate(session)
    session.commit()
    as_role("marketing")
    empty = client.post("/admin/qualified/invite", data={}).get_data(as_text=True)
    assert 'id="advocate_ids-error"' in empty and "Choose at least one" in empty
    members = invite(client, [member.id]).get_data(as_text=True)
    assert "not on the qualified list" in members
    junk = client.post("/admin/qualified/invite", data={"advocate_ids": ["x"]})
    assert junk.status_code == 200 and 'id="advocate_ids-error"' in junk.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Invite)) == 0


def test_the_invite_needs_a_csrf_token(app_factory, now):
    from app.extensions import db
    from tests.factories import make_staff

    csrf_app = app_factory(WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        people = qualified_customers(db.session, now, count=1)
        staff = make_staff(db.session)
        db.session.commit()
        client = csrf_app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token(staff), True
        assert invite(client, [people[0].id]).status_code == 400
        assert db.session.scalar(select(func.count()).select_from(Invite)) == 0


def settings_form(**overrides):
    data = {key: value if isinstance(value, list) else str(value) for key, value in DEFAULTS.items()}
    data.update(overrides)
    return data


def test_the_identification_settings_are_saved(as_role, client, session):
    from app.services.program import settings

    as_role("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "<legend>Advocate identification</legend>" in html
    response = client.post("/admin/settings", data=settings_form(score_weight_nps="40", eligible_min_nps="8"))
    assert response.status_code == 302
    saved = settings.load(session)
    assert (saved.score_weight_nps, saved.eligible_min_nps) == (40, 8)


@pytest.mark.parametrize(("key", "bad"), [("score_weight_usage", "-1"), ("score_weight_csat", "101"),
                                          ("score_recovered_bonus", "51"), ("eligible_min_health", "101"),
                                          ("eligible_active_days", "0"), ("eligible_min_nps", "nine")])
def test_bad_identification_settings_are_refused_next_to_the_field(as_role, client, session, key, bad):
    as_role("admin")
    html = client.post("/admin/settings", data=settings_form(**{key: bad})).get_data(as_text=True)
    assert f'id="{key}-error"' in html
    assert session.query(ProgramSetting).count() == 0


def test_all_weights_zero_is_refused(as_role, client, session):
    as_role("admin")
    zeros = {key: "0" for key in DEFAULTS if key.startswith("score_weight_")}
    html = client.post("/admin/settings", data=settings_form(**zeros)).get_data(as_text=True)
    assert 'id="score_weight_nps-error"' in html and "at least one signal" in html
    assert session.query(ProgramSetting).count() == 0
