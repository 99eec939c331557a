"""Advocates: search within the viewer's book, the record page, adjustments and status changes."""

from sqlalchemy import func, select

from app.models import AdvocateState, LedgerEntry, Status, StatusChange
from app.services.points import ledger
from tests.factories import make_advocate, make_submitted_attempt


def entries(session):
    return session.scalar(select(func.count(LedgerEntry.id)))


def test_search_matches_name_email_or_company_and_filters(as_role, client, session):
    as_role("marketing")
    make_advocate(session, name="Ada Lovelace", company="Analytical Ltd")
    make_advocate(session, name="Grace Hopper", company="Navy Systems", status=Status.GOLD)
    make_advocate(session, name="Paused Person", state=AdvocateState.PAUSED)
    session.commit()
    assert "Ada Lovelace" in client.get("/admin/advocates?q=analytical").get_data(as_text=True)
    page = client.get("/admin/advocates?status=gold").get_data(as_text=True)
    assert "Grace Hopper" in page and "Ada Lovelace" not in page
    paused = client.get("/admin/advocates?state=paused").get_data(as_text=True)
    assert "Paused Person" in paused and "Grace Hopper" not in paused


def test_the_list_is_paginated(as_role, client, session):
    as_role("admin")
    for n in range(30):
        make_advocate(session, name=f"Person {n:02d}")
    session.commit()
    first = client.get("/admin/advocates").get_data(as_text=True)
    second = client.get("/admin/advocates?page=2").get_data(as_text=True)
    assert "Person 00" in first and "Person 29" not in first and 'rel="next"' in first
    assert "Person 29" in second and "Person 00" not in second


def test_bad_filter_values_are_ignored_not_errors(as_role, client):
    as_role("admin")
    assert client.get("/admin/advocates?status=diamond&state=x&page=-4").status_code == 200


def test_a_csm_sees_only_the_advocates_they_own(as_role, client, session):
    csm = as_role("csm")
    make_advocate(session, name="Mine Alone", owner_id=csm.id)
    make_advocate(session, name="Someone Else's")
    session.commit()
    page = client.get("/admin/advocates").get_data(as_text=True)
    assert "Mine Alone" in page and "Someone Else" not in page


def test_a_csm_opening_another_csms_advocate_gets_404(as_role, client, session):
    as_role("csm")
    other = make_advocate(session)
    session.commit()
    assert client.get(f"/admin/advocates/{other.id}").status_code == 404


def test_the_record_shows_attempt_history_ledger_and_status(as_role, client, session, now):
    staff = as_role("marketing")
    attempt = make_submitted_attempt(session)
    ledger.adjust(session, advocate_id=attempt.advocate_id, amount=25, note="Conference thanks",
                  actor_id=staff.id, request_key="k1", now=now)
    session.commit()
    page = client.get(f"/admin/advocates/{attempt.advocate_id}").get_data(as_text=True)
    assert "Available → <strong>Started</strong>" in page and "Started → <strong>Submitted</strong>" in page
    assert "Conference thanks" in page and "+25" in page


def test_an_adjustment_needs_a_reason_and_changes_nothing_without_one(as_role, client, session):
    as_role("marketing")
    advocate = make_advocate(session)
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/adjust",
                           data={"amount": "50", "note": "", "request_key": "abc"})
    assert 'id="note-error"' in response.get_data(as_text=True)
    assert entries(session) == 0


def test_the_same_request_key_posts_once(as_role, client, session):
    as_role("marketing")
    advocate = make_advocate(session)
    session.commit()
    form = {"amount": "50", "note": "Thanks for the webinar", "request_key": "0f1e2d3c"}
    client.post(f"/admin/advocates/{advocate.id}/adjust", data=form)
    again = client.post(f"/admin/advocates/{advocate.id}/adjust", data=form, follow_redirects=True)
    assert "already recorded" in again.get_data(as_text=True)
    assert entries(session) == 1
    session.refresh(advocate)
    assert advocate.balance == 50


def test_the_adjustment_form_carries_a_fresh_one_time_key(as_role, client, session):
    as_role("marketing")
    advocate = make_advocate(session)
    session.commit()
    first = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    second = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    key = first.split('name="request_key" type="hidden" value="')[1][:32]
    assert len(key) == 32 and key not in second


def test_a_deduction_below_zero_is_refused_next_to_the_amount(as_role, client, session):
    as_role("admin")
    advocate = make_advocate(session)
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/adjust",
                           data={"amount": "-10", "note": "Oops", "request_key": "k2"})
    assert 'id="amount-error"' in response.get_data(as_text=True)
    assert entries(session) == 0


def test_a_csm_may_not_adjust_points(as_role, client, session):
    csm = as_role("csm")
    advocate = make_advocate(session, owner_id=csm.id)
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/adjust",
                           data={"amount": "50", "note": "Nice", "request_key": "k3"})
    assert response.status_code == 403 and entries(session) == 0


def test_an_admin_sets_status_with_a_reason(as_role, client, session):
    as_role("admin")
    advocate = make_advocate(session, status=Status.GOLD)
    session.commit()
    client.post(f"/admin/advocates/{advocate.id}/status",
                data={"status": "silver", "reason": "Left the company", "confirm_demotion": "y"})
    session.refresh(advocate)
    assert advocate.status == Status.SILVER
    page = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    assert "Left the company" in page


def test_a_status_change_without_a_reason_changes_nothing(as_role, client, session):
    as_role("admin")
    advocate = make_advocate(session, status=Status.GOLD)
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/status", data={"status": "silver", "reason": ""})
    assert 'id="reason-error"' in response.get_data(as_text=True)
    session.refresh(advocate)
    assert advocate.status == Status.GOLD
    assert session.scalar(select(func.count(StatusChange.id))) == 0


def test_marketing_may_not_change_status(as_role, client, session):
    as_role("marketing")
    advocate = make_advocate(session)
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/status", data={"status": "gold", "reason": "x"})
    assert response.status_code == 403
