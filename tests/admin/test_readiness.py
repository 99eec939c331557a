"""Readiness on the staff pages: the advocate page explains the score, eligibility and tier; marketing
rescores one record or refreshes every score; CSMs see their own book's explanations and rescore
nothing. Also the grouped staff navigation."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Advocate, CustomerSignal, JobRun
from app.services.customers import readiness
from tests.conftest import session_token
from tests.factories import make_advocate

TODAY = date(2026, 6, 15)  # the frozen clock's day


def hand_customer(session, now, **fields):
    """The hand-worked record of tests/services/customers/test_explanation.py: 67 points + 10 bonus = 77."""
    values = dict(nps=9, health_score=75, customer_since=date(2025, 6, 15))
    values.update(fields)
    advocate = make_advocate(session, **values)
    session.add(CustomerSignal(advocate_id=advocate.id, purchase_count=3,
                               last_purchase_on=TODAY - timedelta(40), usage_depth=82, referrals_made=1,
                               social_mentions=2, recovered=True, last_active_on=TODAY - timedelta(3),
                               updated_at=now))
    session.flush()
    return advocate


def section(html: str) -> str:
    match = re.search(r'<section id="readiness".*?</section>', html, re.S)
    assert match, "no Readiness section"
    return match.group(0)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_advocate_page_shows_each_part_the_bonus_and_the_total(as_role, client, session, now):
    as_role("marketing")
    advocate = hand_customer(session, now)
    readiness.score_customers(session, now=now)
    session.commit()
    html = section(client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True))
    words = text(html)
    for row in ["NPS NPS 9 90 % 20 18", "Usage depth usage depth 82 82 % 15 12",
                "Health score health 75 75 % 15 11", "Purchases 3 purchases or renewals 60 % 10 6",
                "Last purchase last purchase 40 days ago 100 % 5 5",
                "Support CSAT no resolved tickets 50 % 10 5", "Tenure a customer for 12 months 50 % 5 3",
                "Referrals made 1 referral made 33 % 10 3", "Social mentions 2 mentions 40 % 10 4",
                "Weighted signals 67", "Recovered customer bonus", "+10"]:
        assert row in words, row
    assert 'id="readiness-total">77<' in html and 'id="readiness-score">77<' in html
    assert "out of date" not in html
    assert "Eligible : all four conditions are met." in words
    assert "NPS : 9 (needs 9–10)" in words and "Active usage : last used 3 days ago" in words
    assert "Tier 1 : top 10 % of the eligible customers by score, ready for case studies" in words


def test_why_someone_is_not_eligible_is_spelled_out(as_role, client, session, now):
    as_role("marketing")
    advocate = hand_customer(session, now, nps=8, health_score=69)
    session.commit()
    words = text(section(client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)))
    assert "Not eligible : NPS and Health score are not met." in words
    assert "NPS : 8 (needs 9–10) — not met" in words
    assert "Health score : 69 (needs 70 or more) — not met" in words
    assert "Tenure : 12 months (needs 3 months or more) — met" in words
    assert "No tier : only eligible customers get one." in words


def test_a_stored_score_the_signals_no_longer_give_is_called_out(as_role, client, session, now):
    as_role("marketing")
    advocate = hand_customer(session, now)
    readiness.score_customers(session, now=now)
    session.get(CustomerSignal, advocate.id).usage_depth = 2  # 12 points become 0
    session.commit()
    words = text(section(client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)))
    assert ("The stored result is out of date: it says 77 , eligible, but the current signals and "
            "settings give 65 , eligible.") in words


def test_records_without_imported_data_say_so(as_role, client, session):
    as_role("marketing")
    profile_only = make_advocate(session, nps=9)
    nothing = make_advocate(session, nps=None)
    session.commit()
    first = text(section(client.get(f"/admin/advocates/{profile_only.id}").get_data(as_text=True)))
    assert "No CRM, support or usage data imported for this record" in first and "Not scored yet" in first
    second = text(section(client.get(f"/admin/advocates/{nothing.id}").get_data(as_text=True)))
    assert "No customer data imported for this record" in second


def test_rescore_now_stores_the_new_score_after_a_signal_change(as_role, client, session, now):
    staff = as_role("marketing")
    advocate = hand_customer(session, now)
    readiness.score_customers(session, now=now)
    session.get(CustomerSignal, advocate.id).usage_depth = 2
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/rescore")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/advocates/{advocate.id}")
    session.expire_all()
    assert session.get(Advocate, advocate.id).readiness_score == 65
    page = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    assert "Rescored: score 77 → 65, eligible, Tier 1." in page
    assert "out of date" not in page and 'id="readiness-score">65<' in page
    run = session.scalars(select(JobRun).where(JobRun.name == f"score_advocate:{advocate.id}")).one()
    assert run.holder == f"staff:{staff.id}"


def test_rescoring_twice_says_nothing_changed(as_role, client, session, now):
    as_role("admin")
    advocate = hand_customer(session, now)
    session.commit()
    client.post(f"/admin/advocates/{advocate.id}/rescore")
    client.post(f"/admin/advocates/{advocate.id}/rescore")
    assert "Rescored: score 77, eligible, Tier 1 (nothing changed)." in client.get(
        f"/admin/advocates/{advocate.id}").get_data(as_text=True)


def test_rescore_needs_a_csrf_token(app_factory, now):
    from app.extensions import db
    from tests.factories import make_staff

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        staff = make_staff(db.session, role="marketing")
        advocate = hand_customer(db.session, now)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = session_token(staff)
        assert client.post(f"/admin/advocates/{advocate.id}/rescore").status_code == 400
        assert client.post("/admin/qualified/refresh").status_code == 400
        db.session.expire_all()
        assert db.session.get(Advocate, advocate.id).readiness_score is None
        page = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', section(page)).group(1)
        assert client.post(f"/admin/advocates/{advocate.id}/rescore",
                           data={"csrf_token": token}).status_code == 302
        db.session.expire_all()
        assert db.session.get(Advocate, advocate.id).readiness_score == 77
        db.session.remove()


def test_a_csm_sees_the_explanation_for_their_own_advocates_only_and_cannot_rescore(as_role, client, session,
                                                                                    now):
    csm = as_role("csm")
    mine = hand_customer(session, now, owner_id=csm.id)
    theirs = hand_customer(session, now)
    session.commit()
    page = client.get(f"/admin/advocates/{mine.id}").get_data(as_text=True)
    assert 'id="readiness-total">77<' in section(page) and "Rescore now</button>" not in page
    assert client.get(f"/admin/advocates/{theirs.id}").status_code == 404
    assert client.post(f"/admin/advocates/{mine.id}/rescore").status_code == 403
    assert client.post(f"/admin/advocates/{theirs.id}/rescore").status_code == 403
    assert client.post("/admin/qualified/refresh").status_code == 403
    session.expire_all()
    assert session.get(Advocate, mine.id).readiness_score is None
    assert session.scalar(select(func.count(JobRun.id))) == 0


def test_rescoring_an_unknown_advocate_changes_nothing(as_role, client, session):
    as_role("marketing")
    response = client.post("/admin/advocates/999/rescore")
    assert response.status_code == 302
    assert session.scalar(select(func.count(JobRun.id))) == 0


@pytest.mark.parametrize("role", ["marketing", "admin"])
def test_refresh_scores_now_runs_the_weekly_job_and_says_what_changed(as_role, client, session, now, role):
    as_role(role)
    prospects = [hand_customer(session, now, state="invited", password_hash=None) for _ in range(3)]
    session.commit()
    assert "Refresh scores now" in client.get("/admin/qualified").get_data(as_text=True)
    response = client.post("/admin/qualified/refresh")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/qualified")
    page = text(client.get("/admin/qualified").get_data(as_text=True))
    # three equal scores share tier 1; each record's score, flag and tier changed
    assert re.search(r"Scores refreshed in \d+ ms: 6 score, eligibility or tier changes\. "
                     r"Qualified: 0 → 3 \(Tier 1 0 → 3, Tier 2 0, Tier 3 0\)\.", page), page
    session.expire_all()
    assert [session.get(Advocate, p.id).readiness_tier for p in prospects] == [1, 1, 1]
    assert session.scalars(select(JobRun.name)).all() == ["score_customers"]
    client.post("/admin/qualified/refresh")
    assert "nothing changed. Qualified: 3 (Tier 1 3, Tier 2 0, Tier 3 0)." in text(
        client.get("/admin/qualified").get_data(as_text=True))


def test_refresh_while_the_job_runs_elsewhere_waits(as_role, client, session, now):
    from app.services.operations import joblocks

    as_role("marketing")
    joblocks.acquire(session, name="score_customers", holder="other-host", now=now,
                     lease=timedelta(minutes=10))
    session.commit()
    client.post("/admin/qualified/refresh")
    assert "running elsewhere right now" in client.get("/admin/qualified").get_data(as_text=True)


# -- the staff navigation --------------------------------------------------------------------------

def nav(client, url="/admin/") -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'<ul class="nav-links" id="nav-links">.*?</ul>\s*</nav>', html, re.S).group(0)


def group(html: str, key: str) -> str | None:
    found = re.search(rf'<details class="dropdown" id="nav-{key}">.*?</details>', html, re.S)
    return found.group(0) if found else None


def test_the_nav_groups_links_into_menus_by_role(as_role, client):
    as_role("admin")
    html = nav(client)
    assert "/admin/approvals" in html and "/admin/advocates" in html
    program, admin = group(html, "program"), group(html, "admin")
    for url in ("/admin/activities", "/admin/qualified", "/admin/invites", "/admin/figures",
                "/admin/asks/queue", "/admin/events"):
        assert url in program
    for url in ("/admin/settings", "/admin/outbox", "/admin/jobs", "/admin/api-keys"):
        assert url in admin
    assert "/admin/settings" not in program and "/admin/qualified" not in admin


def test_marketing_gets_the_program_menu_but_no_admin_menu(as_role, client):
    as_role("marketing")
    html = nav(client)
    assert group(html, "admin") is None and "/admin/settings" not in html and "/admin/jobs" not in html
    assert "/admin/qualified" in group(html, "program") and "/admin/approvals" in html


def test_a_csm_sees_only_their_links_in_the_same_places(as_role, client):
    as_role("csm")
    html = nav(client)
    assert re.findall(r'href="(/admin/[^"]*)"', html) == [
        "/admin/", "/admin/advocates", "/admin/referrals", "/admin/references", "/admin/asks/queue",
        "/admin/events", "/admin/notifications", "/admin/account"]
    program = group(html, "program")
    assert "/admin/asks/queue" in program and "/admin/events" in program and group(html, "admin") is None


def test_the_current_page_is_marked_in_its_menu(as_role, client):
    as_role("admin")
    html = nav(client, "/admin/jobs")
    admin = group(html, "admin")
    assert '<summary class="current">Admin<span class="visually-hidden"> (current section)</span>' in admin
    assert 'href="/admin/jobs" aria-current="page"' in admin
    assert 'class="current"' not in group(html, "program")
    assert html.count('aria-current="page"') == 1
    qualified = nav(client, "/admin/customers/import")
    assert 'href="/admin/qualified" aria-current="page"' in group(qualified, "program")
